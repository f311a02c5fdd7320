import { createCipheriv, createDecipheriv } from "node:crypto";

/** AES-GCM with a 96-bit nonce and a 128-bit tag: the layer szc1 stands on. */
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

const GCM = { 16: "aes-128-gcm", 24: "aes-192-gcm", 32: "aes-256-gcm" } as const;

/** `ciphertext ‖ tag`. */
export function gcmSeal(key: Buffer, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv(GCM[key.length as 16 | 24 | 32], key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return Buffer.concat([head, tail, cipher.getAuthTag()]);
}

/** The plaintext, or undefined when the tag does not verify. */
export function gcmOpen(key: Buffer, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < GCM_TAG_BYTES) {
    return undefined;
  }
  const split = sealed.length - GCM_TAG_BYTES;
  const decipher = createDecipheriv(GCM[key.length as 16 | 24 | 32], key, nonce, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(split));
  try {
    const head = decipher.update(sealed.subarray(0, split));
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    return undefined;
  }
}
