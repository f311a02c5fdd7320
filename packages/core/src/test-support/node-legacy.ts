// legacy-cbc opened with node:crypto directly, so tests of the field walk get
// their expected plaintexts from outside szcrypt's own codec.
import { createDecipheriv } from "node:crypto";

/** The plaintext bytes of a legacy-cbc token (raw iv ‖ ciphertext) under a 32-byte key. */
export function openLegacyBytes(token: Uint8Array, key: Uint8Array): Uint8Array {
  const decipher = createDecipheriv("aes-256-cbc", key, token.subarray(0, 16));
  return new Uint8Array(Buffer.concat([decipher.update(token.subarray(16)), decipher.final()]));
}

/** The plaintext of a legacy-cbc string token (base64 of iv ‖ ciphertext) under a 32-byte key. */
export function openLegacy(token: string, key: Uint8Array): string {
  return Buffer.from(openLegacyBytes(Buffer.from(token, "base64"), key)).toString("utf8");
}
