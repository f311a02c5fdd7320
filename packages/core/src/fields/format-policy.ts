import { SzcryptError } from "../errors/szcrypt-error.js";

/** The wire formats szcrypt reads and writes: `legacy-cbc` (the platform page's snippet) and `szc1` (authenticated). */
export type FormatName = "legacy-cbc" | "szc1";

/** Every format, in the order error messages list them. */
const FORMAT_NAMES: readonly FormatName[] = ["legacy-cbc", "szc1"];

/** The format encryption writes when none is configured: the platform page's scheme. */
const DEFAULT_FORMAT: FormatName = "legacy-cbc";

/**
 * A format policy with its defaults applied.
 *
 * @internal
 */
export interface FormatPolicy {
  readonly format: FormatName;
  readonly accept: readonly FormatName[];
}

/**
 * The one place a format policy gets its defaults and is checked: encryption
 * writes `format` (default legacy-cbc), decryption accepts `accept` (default:
 * only the format written).
 *
 * @throws SzcryptError CONFIG_INVALID for an unknown format or an empty accept list.
 * @internal
 */
export function resolveFormatPolicy(format: FormatName | undefined, accept: readonly FormatName[] | undefined): FormatPolicy {
  const written = format ?? DEFAULT_FORMAT;
  const accepted = accept ?? [written];
  for (const name of [written, ...accepted]) {
    if (!FORMAT_NAMES.includes(name)) {
      throw new SzcryptError("CONFIG_INVALID", `unknown format ${JSON.stringify(name)}; szcrypt knows ${FORMAT_NAMES.join(", ")}`);
    }
  }
  if (accepted.length === 0) {
    throw new SzcryptError("CONFIG_INVALID", "the accepted formats must not be empty: nothing could be decrypted");
  }
  return { format: written, accept: accepted };
}
