/**
 * Encryption with a chosen IV or nonce, and the AES-GCM layer under szc1:
 * what reproducing a test vector byte for byte needs, and production code must
 * never use. An IV reused under one key shows which values share a prefix; a
 * GCM nonce reused breaks szc1 (the XOR of two plaintexts, and forgeries).
 *
 * Test-only entry point (`@szcrypt/core/fixed-iv`). Its one user is the vector
 * harness of `@szcrypt/conformance`; the end-user index has none of these, and
 * core's hardening test keeps it that way. The functions are core's own
 * encryption paths with the random draw replaced, so a vector that passes here
 * checks the code production runs.
 *
 * @packageDocumentation
 */

import { gcmOpen as open, gcmSeal as seal } from "./formats/aes-gcm.js";
import { encryptLegacyBytesWithIv as legacyBytes, encryptLegacyWithIv as legacyText } from "./formats/legacy-cbc.js";
import { encryptJsonLegacyWithIv as legacyJson } from "./formats/legacy-json.js";
import { parseSzc1Body as szc1Body, encryptSzc1BytesWithNonce as szc1Bytes, encryptSzc1WithNonce as szc1Text } from "./formats/szc1.js";
import type { PyJsonValue } from "./json/python-json.js";
import type { SzcryptKey } from "./keys/key.js";

// Declared here with their own types, not re-exported: the functions behind
// them are tagged internal in core's modules, and `stripInternal` drops those
// declarations from the .d.ts files.

/** `encryptLegacy` with the given 16-byte IV instead of a random one. */
export const encryptLegacyWithIv: (plaintext: string, key: SzcryptKey, iv: Uint8Array) => string = legacyText;

/** `encryptLegacyBytes` with the given 16-byte IV: `iv ‖ ciphertext`. */
export const encryptLegacyBytesWithIv: (plaintext: Uint8Array, key: SzcryptKey, iv: Uint8Array) => Uint8Array = legacyBytes;

/** `encryptJsonLegacy` with the given 16-byte IV. */
export const encryptJsonLegacyWithIv: (value: PyJsonValue, key: SzcryptKey, iv: Uint8Array) => string = legacyJson;

/** `encryptSzc1` with the given 12-byte nonce. */
export const encryptSzc1WithNonce: (
  plaintext: string,
  key: SzcryptKey,
  options: { readonly fieldName: string },
  nonce: Uint8Array,
) => string = szc1Text;

/** `encryptSzc1Bytes` with the given 12-byte nonce: the szc1 binary form. */
export const encryptSzc1BytesWithNonce: (
  plaintext: Uint8Array,
  key: SzcryptKey,
  options: { readonly fieldName: string },
  nonce: Uint8Array,
) => Uint8Array = szc1Bytes;

/** The key id, nonce and `ciphertext ‖ tag` of an szc1 binary token after its 4-byte magic; undefined when too short. */
export const parseSzc1Body: (
  body: Uint8Array,
) => { readonly keyId: string; readonly nonce: Uint8Array; readonly sealed: Uint8Array } | undefined = szc1Body;

/** AES-GCM (96-bit nonce, 128-bit tag) of `plaintext`: `ciphertext ‖ tag`. */
export const gcmSeal: (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) => Uint8Array = (k, n, a, p) =>
  seal(Buffer.from(k.buffer, k.byteOffset, k.byteLength), n, a, p);

/** Opens AES-GCM `ciphertext ‖ tag`; undefined when the tag does not verify. */
export const gcmOpen: (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array) => Uint8Array | undefined = (k, n, a, s) =>
  open(Buffer.from(k.buffer, k.byteOffset, k.byteLength), n, a, s);
