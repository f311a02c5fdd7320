import { createCipheriv, createDecipheriv } from "node:crypto";
import { joinOwned } from "../encoding/bytes.js";

/** AES-GCM with a 96-bit nonce and a 128-bit tag: the layer szc1 stands on. */
export const GCM_NONCE_BYTES = 12;
export const GCM_TAG_BYTES = 16;

const GCM = { 16: "aes-128-gcm", 24: "aes-192-gcm", 32: "aes-256-gcm" } as const;

/**
 * Writes `ciphertext ‖ tag` into `out` at `offset` (room for
 * plaintext.length + 16 bytes): the caller's buffer, so that a token is one
 * allocation of its own.
 */
export function gcmSealInto(key: Buffer, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Buffer, offset: number): void {
  const cipher = createCipheriv(GCM[key.length as 16 | 24 | 32], key, nonce, { authTagLength: GCM_TAG_BYTES });
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  out.set(head, offset);
  out.set(tail, offset + head.length);
  out.set(cipher.getAuthTag(), offset + head.length + tail.length);
}

/** `ciphertext ‖ tag` in an allocation of its own. */
export function gcmSeal(key: Buffer, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(plaintext.length + GCM_TAG_BYTES);
  gcmSealInto(key, nonce, aad, plaintext, out, 0);
  return out;
}

/** The plaintext in an allocation of its own, or undefined when the tag does not verify. */
export function gcmOpen(key: Buffer, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | undefined {
  if (sealed.length < GCM_TAG_BYTES) {
    return undefined;
  }
  const split = sealed.length - GCM_TAG_BYTES;
  const decipher = createDecipheriv(GCM[key.length as 16 | 24 | 32], key, nonce, { authTagLength: GCM_TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(split));
  let head: Buffer | undefined;
  try {
    head = decipher.update(sealed.subarray(0, split));
    // GCM gives everything from update(); joined all the same should that change.
    return joinOwned(head, decipher.final());
  } catch {
    // Unverified plaintext is never handed out, nor left lying around.
    head?.fill(0);
    return undefined;
  }
}
