import { createCipheriv, createDecipheriv } from "node:crypto";
import { decodeBase64Strict } from "../encoding/base64.js";
import { decodeUtf8Strict, encodeUtf8 } from "../encoding/utf8.js";
import { decryptFailed, SzcryptError } from "../errors/szcrypt-error.js";
import { keyMaterial, type SzcryptKey } from "../keys/key.js";
import { ecbFor } from "./aes-ecb.js";
import { unpaddedLength, xorInto } from "./cbc-blocks.js";
import { randomBytesPooled } from "./random.js";

/**
 * The platform page's scheme, byte for byte: AES-CBC under a 16, 24 or 32-byte
 * key, a fresh random 16-byte IV prepended, PKCS#7 padding. Strings travel as
 * standard base64 of `iv ‖ ciphertext`; bytes fields as the raw bytes.
 *
 * It is not authenticated: see SECURITY.md.
 */
export const LEGACY_CBC = "legacy-cbc";

const BLOCK = 16;
// Up to this many blocks, CBC runs on the cached per-key ECB ciphers (no key
// schedule per value); above it, OpenSSL's own CBC is faster.
const SMALL_ENCRYPT_BLOCKS = 8;
const SMALL_DECRYPT_BYTES = 4096;
const CIPHERS = { 16: "aes-128-cbc", 24: "aes-192-cbc", 32: "aes-256-cbc" } as const;

export interface LegacyEncryptOptions {
  /**
   * The IV, for test vectors only. Production code leaves it out: reusing an
   * IV under one key reveals which values share a prefix.
   */
  readonly iv?: Uint8Array;
}

/**
 * Encrypts text as the page's `encrypt_message(message, key)` does:
 * `base64(iv ‖ AES-CBC(key, iv, PKCS#7(utf8(plaintext))))`.
 *
 * @throws SzcryptError INVALID_PLAINTEXT for a string with a lone surrogate.
 */
export function encryptLegacy(plaintext: string, key: SzcryptKey, options?: LegacyEncryptOptions): string {
  if (typeof plaintext !== "string") {
    throw new TypeError("encryptLegacy: plaintext must be a string (use encryptLegacyBytes for bytes)");
  }
  return encryptLegacyBytes(encodeUtf8(plaintext), key, options).toString("base64");
}

/**
 * Decrypts a token made by the page's `encrypt_message` (or {@link encryptLegacy}).
 *
 * Base64 is decoded strictly: Python's `b64decode` silently drops characters
 * outside the alphabet, szcrypt refuses them.
 *
 * @throws SzcryptError MALFORMED when the text is not strict base64 of whole
 *   AES blocks (IV plus at least one block); DECRYPT_FAILED, with one message,
 *   for bad padding, a wrong key and invalid UTF-8 alike.
 */
export function decryptLegacy(token: string, key: SzcryptKey): string {
  if (typeof token !== "string") {
    throw new TypeError("decryptLegacy: token must be a string");
  }
  const data = decodeBase64Strict(token);
  if (data === undefined) {
    throw new SzcryptError("MALFORMED", "a legacy-cbc token must be standard base64 with '=' padding");
  }
  const text = decodeUtf8Strict(decryptLegacyBytes(data, key));
  if (text === undefined) {
    throw decryptFailed();
  }
  return text;
}

/**
 * Encrypts a bytes field's value: raw `iv ‖ AES-CBC(key, iv, PKCS#7(plaintext))`,
 * no base64.
 */
export function encryptLegacyBytes(plaintext: Uint8Array, key: SzcryptKey, options?: LegacyEncryptOptions): Buffer {
  const iv = options?.iv ?? randomBytesPooled(BLOCK);
  if (iv.length !== BLOCK) {
    throw new RangeError(`legacy-cbc: the IV must be ${BLOCK} bytes, got ${iv.length}`);
  }
  const blocks = Math.floor(plaintext.length / BLOCK) + 1;
  if (blocks <= SMALL_ENCRYPT_BLOCKS) {
    return encryptSmall(plaintext, key, iv, blocks);
  }
  const cipher = createCipheriv(CIPHERS[key.size], keyMaterial(key), iv);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  const out = Buffer.allocUnsafe(BLOCK + head.length + tail.length);
  out.set(iv, 0);
  out.set(head, BLOCK);
  out.set(tail, BLOCK + head.length);
  return out;
}

// CBC by hand over the cached ECB cipher: out = iv ‖ E(p1 ⊕ iv) ‖ E(p2 ⊕ c1) …
function encryptSmall(plaintext: Uint8Array, key: SzcryptKey, iv: Uint8Array, blocks: number): Buffer {
  const ecb = ecbFor(key).encrypt;
  const out = Buffer.allocUnsafe(BLOCK * (blocks + 1));
  out.set(iv, 0);
  out.set(plaintext, BLOCK);
  const pad = blocks * BLOCK - plaintext.length;
  out.fill(pad, BLOCK + plaintext.length);
  for (let b = 1; b <= blocks; b++) {
    const start = b * BLOCK;
    for (let i = 0; i < BLOCK; i++) {
      out[start + i] = (out[start + i] as number) ^ (out[start - BLOCK + i] as number);
    }
    ecb.update(out.subarray(start, start + BLOCK)).copy(out, start);
  }
  return out;
}

/**
 * Decrypts a bytes field's raw `iv ‖ ciphertext`.
 *
 * @throws SzcryptError MALFORMED when the length is not an IV plus whole
 *   blocks; DECRYPT_FAILED for bad padding or a wrong key.
 */
export function decryptLegacyBytes(data: Uint8Array, key: SzcryptKey): Buffer {
  if (data.length < 2 * BLOCK || data.length % BLOCK !== 0) {
    throw new SzcryptError("MALFORMED", `legacy-cbc ciphertext must be a 16-byte IV plus whole 16-byte blocks, got ${data.length} bytes`);
  }
  if (data.length <= SMALL_DECRYPT_BYTES) {
    return decryptSmall(data, key);
  }
  const decipher = createDecipheriv(CIPHERS[key.size], keyMaterial(key), data.subarray(0, BLOCK));
  try {
    const head = decipher.update(data.subarray(BLOCK));
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    // OpenSSL checks every padding byte, as PyCryptodome's strict unpad does.
    throw decryptFailed();
  }
}

// CBC decryption parallelises: one ECB pass over every block, then p_i = D(c_i) ⊕ c_{i-1}.
function decryptSmall(data: Uint8Array, key: SzcryptKey): Buffer {
  const plain = ecbFor(key).decrypt.update(data.subarray(BLOCK));
  xorInto(plain, 0, data, 0, plain.length);
  const length = unpaddedLength(plain, 0, plain.length);
  if (length < 0) {
    throw decryptFailed();
  }
  return plain.subarray(0, length);
}
