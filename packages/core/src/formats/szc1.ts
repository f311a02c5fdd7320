import { decodeBase64UrlStrict } from "../encoding/base64.js";
import { decodeUtf8Strict, encodeUtf8 } from "../encoding/utf8.js";
import { decryptFailed, SzcryptError } from "../errors/szcrypt-error.js";
import { keyMaterial, type SzcryptKey } from "../keys/key.js";
import { Keyring } from "../keys/keyring.js";
import { GCM_NONCE_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSeal } from "./aes-gcm.js";
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

export interface Szc1EncryptOptions extends Szc1Options {
  /** The nonce, for test vectors only: a nonce reused under one key breaks GCM. */
  readonly nonce?: Uint8Array;
}

/** The parts of an szc1 token, read without any key. */
export interface Szc1Parts {
  readonly keyId: string;
  readonly nonce: Buffer;
  /** ciphertext ‖ tag */
  readonly sealed: Buffer;
}

/** Encrypts text to `szc1:…` under the key (its `id` is carried in the clear). */
export function encryptSzc1(plaintext: string, key: SzcryptKey, options: Szc1EncryptOptions): string {
  if (typeof plaintext !== "string") {
    throw new TypeError("encryptSzc1: plaintext must be a string (use encryptSzc1Bytes for bytes)");
  }
  return SZC1_TEXT_PREFIX + encryptSzc1Bytes(encodeUtf8(plaintext), key, options).subarray(SZC1_MAGIC.length).toString("base64url");
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
  const text = decodeUtf8Strict(openBody(body, keys, options.fieldName));
  if (text === undefined) {
    throw decryptFailed();
  }
  return text;
}

/** Encrypts a bytes field's value to the binary form. */
export function encryptSzc1Bytes(plaintext: Uint8Array, key: SzcryptKey, options: Szc1EncryptOptions): Buffer {
  const material = keyMaterial(key);
  if (material.length !== 16 && material.length !== 32) {
    throw new SzcryptError("KEY_INVALID", `szc1 takes 16 or 32-byte keys (32 recommended), got ${material.length} bytes`);
  }
  if (key.id === undefined) {
    throw new SzcryptError("KEY_INVALID", "szc1 carries a key id: give the key one (parseKeySpec(spec, { id }) or a Keyring)");
  }
  const keyId = Buffer.from(key.id, "ascii");
  const nonce = options.nonce ?? randomBytesPooled(GCM_NONCE_BYTES);
  if (nonce.length !== GCM_NONCE_BYTES) {
    throw new RangeError(`szc1: the nonce must be ${GCM_NONCE_BYTES} bytes, got ${nonce.length}`);
  }
  const sealed = gcmSeal(material, nonce, associatedData(key.id, options.fieldName), plaintext);
  return Buffer.concat([SZC1_MAGIC, Buffer.of(keyId.length), keyId, nonce, sealed]);
}

/** Decrypts the binary form. Errors as {@link decryptSzc1}. */
export function decryptSzc1Bytes(data: Uint8Array, keys: Keyring | SzcryptKey, options: Szc1Options): Buffer {
  if (!isSzc1Bytes(data)) {
    throw new SzcryptError("MALFORMED", "a binary szc1 token starts with the bytes 'szc1'");
  }
  return openBody(Buffer.from(data.buffer, data.byteOffset + SZC1_MAGIC.length, data.length - SZC1_MAGIC.length), keys, options.fieldName);
}

/** Whether bytes start with the szc1 magic. A legacy IV does so once in 2^32. */
export function isSzc1Bytes(data: Uint8Array): boolean {
  return data.length >= SZC1_MAGIC.length && data[0] === 0x73 && data[1] === 0x7a && data[2] === 0x63 && data[3] === 0x31;
}

/** Splits an szc1 body (after the magic) into its parts, or undefined when it is too short to be one. */
export function parseSzc1Body(body: Buffer): Szc1Parts | undefined {
  if (body.length < MIN_BODY) {
    return undefined;
  }
  const idLength = body[0] ?? 0;
  if (idLength === 0 || body.length < MIN_BODY - 1 + idLength) {
    return undefined;
  }
  const keyId = body.subarray(1, 1 + idLength).toString("latin1");
  const nonceStart = 1 + idLength;
  return { keyId, nonce: body.subarray(nonceStart, nonceStart + GCM_NONCE_BYTES), sealed: body.subarray(nonceStart + GCM_NONCE_BYTES) };
}

function openBody(body: Buffer, keys: Keyring | SzcryptKey, fieldName: string): Buffer {
  const parts = parseSzc1Body(body);
  if (parts === undefined) {
    throw new SzcryptError("MALFORMED", `an szc1 token is at least ${MIN_BODY + 4} bytes: magic, key id, nonce and tag`);
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
