import { SzcryptError } from "../errors/szcrypt-error.js";
import { Keyring } from "./keyring.js";

/** The environment variable szcrypt reads a key spec or keyring JSON from when no key is given. */
export const DEFAULT_KEY_ENV = "SZCRYPT_KEY";

/**
 * The keyring in the environment variable `name` (default `SZCRYPT_KEY`), read
 * once, now: a key spec (`hex:…`, `utf8:…`, `base64:…`) or a keyring's JSON
 * form. The one reading of the default key: the transports' field policy, the
 * CLI and the demo all call this.
 *
 * @example
 * ```ts
 * // export SZCRYPT_KEY=$(szcrypt keygen)
 * const ring = keyringFromEnv();
 * const token = encryptLegacy("4111 1111 1111 1111", ring.legacy);
 * ```
 * @param fix - what else the caller can do, added to the message when the
 *   variable is not set (e.g. "or pass `key`").
 * @throws SzcryptError KEY_UNAVAILABLE when the variable is unset, empty or
 *   only whitespace (there is never a default key), naming the variable and
 *   how to set it; KEY_INVALID when its value cannot be read. Neither shows
 *   the value.
 */
export function keyringFromEnv(name: string = DEFAULT_KEY_ENV, fix?: string): Keyring {
  const text = process.env[name];
  if (text === undefined || text.trim() === "") {
    throw new SzcryptError(
      "KEY_UNAVAILABLE",
      `${name} is ${text === undefined ? "not set" : "empty"}: set ${name} to a key spec ('hex:…', 'utf8:…', 'base64:…'; ` +
        `\`szcrypt keygen\` makes one) or keyring JSON${fix === undefined ? "" : `, ${fix}`}; there is no default key`,
    );
  }
  return parseKeyringText(text, name);
}

/**
 * Keyring.parse, with KEY_INVALID naming where the text came from (a variable,
 * a file, a provider) and never the text.
 *
 * @internal
 */
export function parseKeyringText(text: string, where: string): Keyring {
  try {
    return Keyring.parse(text);
  } catch (err) {
    throw new SzcryptError("KEY_INVALID", `${where}: ${(err as Error).message}`);
  }
}
