import { createCipheriv, createDecipheriv } from "node:crypto";
import { decodeBase64Strict } from "../encoding/base64.js";
import { assertBytes, handOut, joinOwned } from "../encoding/bytes.js";
import { decodeUtf8Strict, encodeUtf8 } from "../encoding/utf8.js";
import { decryptFailed, SzcryptError } from "../errors/szcrypt-error.js";
import { keyMaterial, type SzcryptKey } from "../keys/key.js";
import { ecbFor } from "./aes-ecb.js";
import { BLOCK, paddedBlocks, unpaddedLength, writePadded, xorInto } from "./cbc-blocks.js";
import { encryptChained } from "./cbc-chain.js";
import { randomBytesPooled } from "./random.js";

// The platform page's scheme, byte for byte: AES-CBC under a 16, 24 or 32-byte
// key, a fresh random 16-byte IV prepended, PKCS#7 padding. Strings travel as
// standard base64 of `iv ‖ ciphertext`; bytes fields as the raw bytes.
// It is not authenticated: see SECURITY.md.

// Up to this many blocks, CBC runs on the cached per-key ECB ciphers (no key
// schedule per value); above it, OpenSSL's own CBC is faster.
const SMALL_ENCRYPT_BLOCKS = 8;
const SMALL_DECRYPT_BYTES = 4096;
const CIPHERS = { 16: "aes-128-cbc", 24: "aes-192-cbc", 32: "aes-256-cbc" } as const;

/**
 * Encrypts text as the page's `encrypt_message(message, key)` does:
 * `base64(iv ‖ AES-CBC(key, iv, PKCS#7(utf8(plaintext))))`, with a fresh
 * random IV each call.
 *
 * Hazard: unauthenticated. Anyone can alter the token undetected, and
 * decrypting values an attacker chooses is a padding oracle; prefer szc1
 * (`encryptSzc1`) where both sides can (see SECURITY.md).
 *
 * @example
 * ```ts
 * const key = parseKeySpec("utf8:39b96ec8e9f303bfbb14917b232866d5");
 * const token = encryptLegacy("This is a secret message", key);
 * decryptLegacy(token, key); // "This is a secret message"
 * ```
 * @throws TypeError when `plaintext` is not a string.
 * @throws SzcryptError INVALID_PLAINTEXT for a string with a lone surrogate.
 */
export function encryptLegacy(plaintext: string, key: SzcryptKey): string {
  if (typeof plaintext !== "string") {
    throw new TypeError("encryptLegacy: plaintext must be a string (use encryptLegacyBytes for bytes)");
  }
  const encoded = encodeUtf8(plaintext);
  try {
    return sealFresh(encoded, key).toString("base64");
  } finally {
    encoded.fill(0);
  }
}

/**
 * {@link encryptLegacy} with a given IV, for test vectors only (reached from
 * `@szcrypt/core/fixed-iv`): an IV reused under one key shows which values
 * share a prefix.
 *
 * @internal
 */
export function encryptLegacyWithIv(plaintext: string, key: SzcryptKey, iv: Uint8Array): string {
  if (typeof plaintext !== "string") {
    throw new TypeError("encryptLegacy: plaintext must be a string (use encryptLegacyBytes for bytes)");
  }
  assertIv(iv);
  const encoded = encodeUtf8(plaintext);
  try {
    return sealLegacy(encoded, key, iv).toString("base64");
  } finally {
    encoded.fill(0);
  }
}

/**
 * Decrypts a token made by the page's `encrypt_message` (or {@link encryptLegacy}).
 *
 * Hazard: whether this succeeds is a padding oracle. Do not let untrusted
 * callers learn it for values they choose, or check values with a guard from
 * `createOracleGuard` first, as FieldCrypto does (see SECURITY.md).
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
  const plain = openLegacy(data, key);
  const text = decodeUtf8Strict(plain);
  plain.fill(0);
  if (text === undefined) {
    throw decryptFailed();
  }
  return text;
}

/**
 * Encrypts a bytes field's value: raw `iv ‖ AES-CBC(key, iv, PKCS#7(plaintext))`,
 * no base64, with a fresh random IV. The result is a plain Uint8Array in an
 * allocation of its own. Unauthenticated, as {@link encryptLegacy}.
 *
 * @example
 * ```ts
 * const raw = encryptLegacyBytes(new Uint8Array([1, 2, 3]), key); // 32 bytes: IV and one block
 * decryptLegacyBytes(raw, key); // Uint8Array [1, 2, 3]
 * ```
 * @throws TypeError when `plaintext` is not a Uint8Array.
 */
export function encryptLegacyBytes(plaintext: Uint8Array, key: SzcryptKey): Uint8Array {
  assertBytes(plaintext, "encryptLegacyBytes: plaintext");
  return handOut(sealFresh(plaintext, key));
}

/**
 * {@link encryptLegacyBytes} with a given IV, for test vectors only.
 *
 * @internal
 */
export function encryptLegacyBytesWithIv(plaintext: Uint8Array, key: SzcryptKey, iv: Uint8Array): Uint8Array {
  assertBytes(plaintext, "encryptLegacyBytes: plaintext");
  assertIv(iv);
  return handOut(sealLegacy(plaintext, key, iv));
}

function assertIv(iv: Uint8Array): void {
  assertBytes(iv, "legacy-cbc: the IV");
  if (iv.length !== BLOCK) {
    throw new RangeError(`legacy-cbc: the IV must be ${BLOCK} bytes, got ${iv.length}`);
  }
}

// iv ‖ ciphertext with a fresh random IV, in a Buffer of its own. Short
// values go through the key's long-lived CBC cipher in one call, after a
// random block whose ciphertext is the IV (see cbc-chain.ts).
function sealFresh(plaintext: Uint8Array, key: SzcryptKey): Buffer {
  const blocks = paddedBlocks(plaintext.length);
  if (blocks > SMALL_ENCRYPT_BLOCKS) {
    return sealLegacy(plaintext, key, randomBytesPooled(BLOCK));
  }
  // Not the shared pool: it holds the plaintext until encrypted, then is zeroed.
  const input = Buffer.allocUnsafeSlow(BLOCK * (blocks + 1));
  const seed = randomBytesPooled(BLOCK);
  input.set(seed, 0);
  seed.fill(0);
  try {
    writePadded(input, BLOCK, plaintext, blocks);
    return encryptChained(key, input);
  } finally {
    input.fill(0);
  }
}

// iv ‖ ciphertext under a given IV, in a Buffer of its own (arguments already checked).
function sealLegacy(plaintext: Uint8Array, key: SzcryptKey, iv: Uint8Array): Buffer {
  const blocks = paddedBlocks(plaintext.length);
  if (blocks <= SMALL_ENCRYPT_BLOCKS) {
    return encryptSmall(plaintext, key, iv, blocks);
  }
  const cipher = createCipheriv(CIPHERS[key.size], keyMaterial(key), iv);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  const out = Buffer.allocUnsafeSlow(BLOCK + head.length + tail.length);
  out.set(iv, 0);
  out.set(head, BLOCK);
  out.set(tail, BLOCK + head.length);
  return out;
}

// CBC by hand over the cached ECB cipher: out = iv ‖ E(p1 ⊕ iv) ‖ E(p2 ⊕ c1) …
function encryptSmall(plaintext: Uint8Array, key: SzcryptKey, iv: Uint8Array, blocks: number): Buffer {
  const ecb = ecbFor(key);
  // Not the shared pool: this buffer is handed out, and holds the plaintext until encrypted.
  const out = Buffer.allocUnsafeSlow(BLOCK * (blocks + 1));
  out.set(iv, 0);
  writePadded(out, BLOCK, plaintext, blocks);
  for (let b = 1; b <= blocks; b++) {
    const start = b * BLOCK;
    xorInto(out, start, out, start - BLOCK, BLOCK);
    ecb.encrypt(out.subarray(start, start + BLOCK)).copy(out, start);
  }
  return out;
}

/**
 * Decrypts a bytes field's raw `iv ‖ ciphertext`. The plaintext is a plain
 * Uint8Array in an allocation of its own.
 *
 * Hazard: a padding oracle, as {@link decryptLegacy}.
 *
 * @throws TypeError when `data` is not a Uint8Array.
 * @throws SzcryptError MALFORMED when the length is not an IV plus whole
 *   blocks; DECRYPT_FAILED for bad padding or a wrong key.
 */
export function decryptLegacyBytes(data: Uint8Array, key: SzcryptKey): Uint8Array {
  assertBytes(data, "decryptLegacyBytes: data");
  return handOut(openLegacy(data, key));
}

// The plaintext, possibly a view into a larger scratch buffer that the caller
// should zero once done with it.
function openLegacy(data: Uint8Array, key: SzcryptKey): Buffer {
  if (data.length < 2 * BLOCK || data.length % BLOCK !== 0) {
    throw new SzcryptError("MALFORMED", `legacy-cbc ciphertext must be a 16-byte IV plus whole 16-byte blocks, got ${data.length} bytes`);
  }
  if (data.length <= SMALL_DECRYPT_BYTES) {
    return decryptSmall(data, key);
  }
  const decipher = createDecipheriv(CIPHERS[key.size], keyMaterial(key), data.subarray(0, BLOCK));
  const head = decipher.update(data.subarray(BLOCK));
  try {
    return joinOwned(head, decipher.final());
  } catch {
    // Bad padding: what was decrypted before the last block is plaintext all the same.
    head.fill(0);
    // OpenSSL checks every padding byte, as PyCryptodome's strict unpad does.
    throw decryptFailed();
  }
}

// CBC decryption parallelises: one ECB pass over every block, then p_i = D(c_i) ⊕ c_{i-1}.
function decryptSmall(data: Uint8Array, key: SzcryptKey): Buffer {
  const plain = ecbFor(key).decrypt(data.subarray(BLOCK));
  xorInto(plain, 0, data, 0, plain.length);
  const length = unpaddedLength(plain, 0, plain.length);
  if (length < 0) {
    plain.fill(0);
    throw decryptFailed();
  }
  return plain.subarray(0, length);
}
