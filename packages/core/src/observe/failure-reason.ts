import { isSzcryptError } from "../errors/szcrypt-error.js";
import { isContextUnboundRefusal } from "../formats/szc1.js";

/**
 * The `szcrypt.reason` of a `szcrypt.failures` count: a closed set, so that a
 * dashboard can rely on it and no caller's text ever becomes a label.
 *
 * - `decrypt_failed`: a value did not decrypt (wrong key, bad padding or tag,
 *   bad UTF-8, not a token at all).
 * - `encrypt_failed`: a value could not be encrypted (e.g. a lone surrogate).
 * - `schema`: the message type marks a field szcrypt cannot protect.
 * - `key_unavailable`: no usable key, or an szc1 value under a key id the
 *   keyring does not hold (a retired key still arriving).
 * - `format_not_accepted`: a value in a format the policy does not accept
 *   (legacy-cbc arriving at an szc1-only service, or the other way round).
 * - `defence`: a value the padding-oracle defence refused.
 * - `context_unbound`: an unbound szc1 value where the receiver requires a context.
 */
export type FailureReason =
  | "decrypt_failed"
  | "encrypt_failed"
  | "schema"
  | "key_unavailable"
  | "format_not_accepted"
  | "defence"
  | "context_unbound";

/** Every {@link FailureReason}: the values of the `szcrypt.reason` attribute on `szcrypt.failures`. */
export const failureReasons: readonly FailureReason[] = [
  "decrypt_failed",
  "encrypt_failed",
  "schema",
  "key_unavailable",
  "format_not_accepted",
  "defence",
  "context_unbound",
];

/**
 * Whether `err` is a value the legacy-cbc padding-oracle defence refused
 * without decrypting it: a DECRYPT_FAILED whose cause has the code
 * DECRYPT_REFUSED (the caller sees only the DECRYPT_FAILED). The one place
 * that recognises the defence's refusals; read by code so that it holds
 * whichever copy of core made the error.
 */
export function isDefenceRefusal(err: unknown): boolean {
  return isSzcryptError(err, "DECRYPT_FAILED") && isSzcryptError(err.cause) && String(err.cause.code) === "DECRYPT_REFUSED";
}

/**
 * Why `operation` failed with `err`, before looking at the values. Key-dependent
 * decryption failures are one opaque error (no oracle for the caller); the
 * values' shapes can refine `decrypt_failed` for the operator, see suspectOf.
 */
export function failureReason(operation: "encrypt" | "decrypt", err: unknown): FailureReason {
  if (isDefenceRefusal(err)) {
    return "defence";
  }
  if (isContextUnboundRefusal(err)) return "context_unbound";
  if (isSzcryptError(err)) {
    switch (err.code) {
      case "SCHEMA_INVALID":
        return "schema";
      case "KEY_UNAVAILABLE":
      case "KEY_INVALID":
        return "key_unavailable";
      case "INVALID_PLAINTEXT":
        return "encrypt_failed";
      case "DECRYPT_FAILED":
      case "MALFORMED":
        return "decrypt_failed";
      default:
        break;
    }
  }
  return operation === "encrypt" ? "encrypt_failed" : "decrypt_failed";
}
