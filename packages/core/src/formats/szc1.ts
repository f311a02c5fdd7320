import { decodeBase64UrlStrict } from "../encoding/base64.js";
import { assertBytes } from "../encoding/bytes.js";
import { decodeUtf8Strict, encodeUtf8 } from "../encoding/utf8.js";
import { decryptFailed, SzcryptError } from "../errors/szcrypt-error.js";
import { isKeyIdBytes, isSzcryptKey, keyMaterial, type SzcryptKey } from "../keys/key.js";
import { Keyring } from "../keys/keyring.js";
import { GCM_NONCE_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSealInto } from "./aes-gcm.js";
import { szc1NonceBudget } from "./nonce-budget.js";
import { randomBytesPooled } from "./random.js";

/**
 * szc1: szcrypt's authenticated format (conformance/SPEC.md).
 *
 * Binary (bytes fields): `"szc1"` ‖ len(keyId) ‖ keyId ‖ nonce(12) ‖ ciphertext ‖ tag(16).
 * Text (string fields): `szc1:` + unpadded base64url of everything after `"szc1"`.
 * AES-GCM under a 16 or 32-byte key, random 96-bit nonce, and associated data
 * `utf8("szc1\0" + keyId + "\0" + fieldName)`, so a token moved to another
 * field, or relabelled with another key id, fails.
 */
export const SZC1 = "szc1";
export const SZC1_TEXT_PREFIX = "szc1:";
/** The 4 bytes every binary szc1 token starts with: ASCII "szc1". */
export const SZC1_MAGIC = Buffer.from("szc1", "ascii");

const MIN_BODY = 1 + 1 + GCM_NONCE_BYTES + GCM_TAG_BYTES;

export interface Szc1Options {
  /** Full protobuf name of the field the value belongs to; "" outside protobuf. */
  readonly fieldName: string;
}

/** The parts of an szc1 token, read without any key. */
export interface Szc1Parts {
  /** Checked against the SPEC's grammar: safe to print. */
  readonly keyId: string;
  readonly nonce: Buffer;
  /** ciphertext ‖ tag */
  readonly sealed: Buffer;
}

/**
 * Encrypts text to `szc1:…` under the key (its `id` is carried in the clear),
 * with a fresh random nonce.
 *
 * @throws SzcryptError KEY_UNAVAILABLE once the key has sealed 2^32 values in
 *   this process (see SECURITY.md, "Nonce budget").
 */
export function encryptSzc1(plaintext: string, key: SzcryptKey, options: Szc1Options): string {
  if (typeof plaintext !== "string") {
    throw new TypeError("encryptSzc1: plaintext must be a string (use encryptSzc1Bytes for bytes)");
  }
  return sealText(plaintext, key, options.fieldName, undefined);
}

/**
 * {@link encryptSzc1} with a given nonce, for test vectors only (reached from
 * `@szcrypt/core/vectors`): a nonce reused under one key breaks GCM.
 *
 * @internal
 */
export function encryptSzc1WithNonce(plaintext: string, key: SzcryptKey, options: Szc1Options, nonce: Uint8Array): string {
  if (typeof plaintext !== "string") {
    throw new TypeError("encryptSzc1: plaintext must be a string (use encryptSzc1Bytes for bytes)");
  }
  assertBytes(nonce, "szc1: the nonce");
  return sealText(plaintext, key, options.fieldName, nonce);
}

function sealText(plaintext: string, key: SzcryptKey, fieldName: string, nonce: Uint8Array | undefined): string {
  const encoded = encodeUtf8(plaintext);
  const token = SZC1_TEXT_PREFIX + seal(encoded, key, fieldName, nonce).subarray(SZC1_MAGIC.length).toString("base64url");
  encoded.fill(0);
  return token;
}

/**
 * Decrypts `szc1:…` text with the key its key id names.
 *
 * @throws SzcryptError MALFORMED when it is not szc1 text; DECRYPT_FAILED for an
 *   unknown key id, a bad tag (any altered byte, another field name), or invalid UTF-8.
 */
export function decryptSzc1(token: string, keys: Keyring | SzcryptKey, options: Szc1Options): string {
  if (typeof token !== "string") {
    throw new TypeError("decryptSzc1: token must be a string");
  }
  if (!token.startsWith(SZC1_TEXT_PREFIX)) {
    throw new SzcryptError("MALFORMED", "an szc1 token starts with 'szc1:'");
  }
  const body = decodeBase64UrlStrict(token.slice(SZC1_TEXT_PREFIX.length));
  if (body === undefined) {
    throw new SzcryptError("MALFORMED", "an szc1 token is 'szc1:' followed by unpadded base64url");
  }
  const plain = openBody(body, keys, options.fieldName);
  const text = decodeUtf8Strict(plain);
  plain.fill(0);
  if (text === undefined) {
    throw decryptFailed();
  }
  return text;
}

/**
 * Encrypts a bytes field's value to the binary form, in an allocation of its
 * own, with a fresh random nonce.
 *
 * @throws TypeError when `plaintext` is not a Uint8Array.
 * @throws SzcryptError KEY_UNAVAILABLE once the key's nonce budget is spent, as {@link encryptSzc1}.
 */
export function encryptSzc1Bytes(plaintext: Uint8Array, key: SzcryptKey, options: Szc1Options): Buffer {
  assertBytes(plaintext, "encryptSzc1Bytes: plaintext");
  return seal(plaintext, key, options.fieldName, undefined);
}

/**
 * {@link encryptSzc1Bytes} with a given nonce, for test vectors only.
 *
 * @internal
 */
export function encryptSzc1BytesWithNonce(plaintext: Uint8Array, key: SzcryptKey, options: Szc1Options, nonce: Uint8Array): Buffer {
  assertBytes(plaintext, "encryptSzc1Bytes: plaintext");
  assertBytes(nonce, "szc1: the nonce");
  return seal(plaintext, key, options.fieldName, nonce);
}

// A given nonce (test vectors) is not counted against the key's budget: only random ones are.
function seal(plaintext: Uint8Array, key: SzcryptKey, fieldName: string, given: Uint8Array | undefined): Buffer {
  if (!isSzcryptKey(key)) {
    throw new TypeError("szc1: expected a SzcryptKey (see parseKeySpec)");
  }
  const material = keyMaterial(key);
  if (material.length !== 16 && material.length !== 32) {
    throw new SzcryptError("KEY_INVALID", `szc1 takes 16 or 32-byte keys (32 recommended), got ${material.length} bytes`);
  }
  if (key.id === undefined) {
    throw new SzcryptError("KEY_INVALID", "szc1 carries a key id: give the key one (parseKeySpec(spec, { id }) or a Keyring)");
  }
  if (given !== undefined && given.length !== GCM_NONCE_BYTES) {
    throw new RangeError(`szc1: the nonce must be ${GCM_NONCE_BYTES} bytes, got ${given.length}`);
  }
  if (given === undefined) {
    szc1NonceBudget.spend(key);
  }
  const nonce = given ?? randomBytesPooled(GCM_NONCE_BYTES);
  const idLength = key.id.length;
  const nonceAt = SZC1_MAGIC.length + 1 + idLength;
  // One allocation of its own for the whole token: Buffer.concat would put it in the shared pool.
  const out = Buffer.allocUnsafeSlow(nonceAt + GCM_NONCE_BYTES + plaintext.length + GCM_TAG_BYTES);
  out.set(SZC1_MAGIC, 0);
  out[SZC1_MAGIC.length] = idLength;
  out.write(key.id, SZC1_MAGIC.length + 1, "ascii");
  out.set(nonce, nonceAt);
  gcmSealInto(material, nonce, associatedData(key.id, fieldName), plaintext, out, nonceAt + GCM_NONCE_BYTES);
  return out;
}

/**
 * Decrypts the binary form; the plaintext is an allocation of its own.
 * Errors as {@link decryptSzc1}, and TypeError when `data` is not a Uint8Array.
 */
export function decryptSzc1Bytes(data: Uint8Array, keys: Keyring | SzcryptKey, options: Szc1Options): Buffer {
  assertBytes(data, "decryptSzc1Bytes: data");
  if (!isSzc1Bytes(data)) {
    throw new SzcryptError("MALFORMED", "a binary szc1 token starts with the bytes 'szc1'");
  }
  return openBody(Buffer.from(data.buffer, data.byteOffset + SZC1_MAGIC.length, data.length - SZC1_MAGIC.length), keys, options.fieldName);
}

/** Whether bytes start with the szc1 magic. A legacy IV does so once in 2^32. */
export function isSzc1Bytes(data: Uint8Array): boolean {
  assertBytes(data, "isSzc1Bytes: data");
  return data.length >= SZC1_MAGIC.length && data[0] === 0x73 && data[1] === 0x7a && data[2] === 0x63 && data[3] === 0x31;
}

/**
 * Splits an szc1 body (after the magic) into its parts, or undefined when it
 * is not one by conformance/SPEC.md: too short, or a key id that is not 1 to 64
 * characters of `A-Z a-z 0-9 . _ -` (which also makes the id safe to print).
 */
export function parseSzc1Body(body: Uint8Array): Szc1Parts | undefined {
  assertBytes(body, "parseSzc1Body: body");
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (buf.length < MIN_BODY) {
    return undefined;
  }
  const idLength = buf[0] ?? 0;
  if (buf.length < MIN_BODY - 1 + idLength || !isKeyIdBytes(buf, 1, 1 + idLength)) {
    return undefined;
  }
  const keyId = buf.subarray(1, 1 + idLength).toString("latin1");
  const nonceStart = 1 + idLength;
  return { keyId, nonce: buf.subarray(nonceStart, nonceStart + GCM_NONCE_BYTES), sealed: buf.subarray(nonceStart + GCM_NONCE_BYTES) };
}

function openBody(body: Buffer, keys: Keyring | SzcryptKey, fieldName: string): Buffer {
  const parts = parseSzc1Body(body);
  if (parts === undefined) {
    throw new SzcryptError(
      "MALFORMED",
      `an szc1 token is the magic, a key id of 1 to 64 characters of A-Z a-z 0-9 . _ -, a 12-byte nonce and a 16-byte tag (at least ${MIN_BODY + 4} bytes)`,
    );
  }
  if (!(keys instanceof Keyring) && !isSzcryptKey(keys)) {
    throw new TypeError("szc1: decryption takes a Keyring or a SzcryptKey (see parseKeySpec)");
  }
  const ring = keys instanceof Keyring ? keys : Keyring.of(keys);
  const key = ring.get(parts.keyId);
  if (key === undefined || (key.size !== 16 && key.size !== 32)) {
    // An unknown key id looks like any other failure: which ids exist is not the caller's to learn.
    throw decryptFailed();
  }
  const plain = gcmOpen(keyMaterial(key), parts.nonce, associatedData(parts.keyId, fieldName), parts.sealed);
  if (plain === undefined) {
    throw decryptFailed();
  }
  return plain;
}

function associatedData(keyId: string, fieldName: string): Buffer {
  return Buffer.from(`szc1\0${keyId}\0${fieldName}`, "utf8");
}
