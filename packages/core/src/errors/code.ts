/**
 * What went wrong, as a stable string a caller can switch on.
 *
 * Messages are for people and may change; codes are the API.
 */
export type SzcryptErrorCode =
  /**
   * A key spec could not be read, or names a key of the wrong size. The message
   * says which prefix or size was expected; it never shows key material.
   */
  | "KEY_INVALID"
  /**
   * A key source (environment variable, file, secrets manager) could not
   * provide a key. szcrypt never falls back to a default key.
   */
  | "KEY_UNAVAILABLE"
  /**
   * The input is not a token at all, in a way that does not depend on any key:
   * not strict base64, too short, a length that is not whole AES blocks.
   */
  | "MALFORMED"
  /**
   * Decryption failed. One code and one message for every cause that depends
   * on the key or the plaintext (bad padding, wrong key, bad authentication
   * tag, unknown key id, invalid UTF-8, a format the policy does not accept),
   * so that no caller can tell them apart. (That alone does not close
   * legacy-cbc's padding oracle: success versus failure is the answer. See
   * SECURITY.md and the oracle guard.) When every
   * value from a peer fails, the two sides most likely hold different keys
   * (or read the same text as different keys: `hex:` versus `utf8:`):
   * compare `szcrypt fingerprint` on both.
   */
  | "DECRYPT_FAILED"
  /**
   * Only ever the `cause` of a DECRYPT_FAILED, for the service's own logs:
   * the legacy-cbc oracle guard refused the value without decrypting it,
   * because one of its ciphertext blocks had failed too often (a padding-oracle
   * attack). The caller sees the same DECRYPT_FAILED as for any other failure.
   */
  | "DECRYPT_REFUSED"
  /**
   * A value cannot be encrypted faithfully: a string with a lone UTF-16
   * surrogate (it has no UTF-8 form), or a JSON value Python's `json.dumps`
   * would not produce.
   */
  | "INVALID_PLAINTEXT"
  /**
   * A `(sz.crypt.v1.sensitive)` annotation szcrypt cannot honour, found when a
   * message type's field plan is compiled, before the first call.
   */
  | "SCHEMA_INVALID"
  /**
   * A configuration value is not usable (unknown format name, empty policy).
   */
  | "CONFIG_INVALID"
  /**
   * A context-bound szc1 value arrived where no context is configured: give
   * this side the same context function as the sender. Nothing was decrypted
   * (the binding flag is in the clear, so saying so leaks nothing).
   */
  | "CONTEXT_REQUIRED"
  /**
   * A message szcrypt cannot walk safely, refused rather than sent or handed
   * over unchecked: a `google.protobuf.Any` packing a type szcrypt's registry
   * does not know (it may hold sensitive fields) or that does not decode, or
   * nesting deeper than szcrypt walks. The message names the field path.
   */
  | "UNSUPPORTED_MESSAGE";

/** Every code, for documentation, exhaustiveness checks and CLIs. */
export const szcryptErrorCodes: readonly SzcryptErrorCode[] = [
  "KEY_INVALID",
  "KEY_UNAVAILABLE",
  "MALFORMED",
  "DECRYPT_FAILED",
  "DECRYPT_REFUSED",
  "INVALID_PLAINTEXT",
  "SCHEMA_INVALID",
  "CONFIG_INVALID",
  "CONTEXT_REQUIRED",
  "UNSUPPORTED_MESSAGE",
];
