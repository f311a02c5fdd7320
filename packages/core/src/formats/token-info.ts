import { assertBytes } from "../encoding/bytes.js";
import { SzcryptError } from "../errors/szcrypt-error.js";
import {
  decodeLegacyText,
  decodeSzc1Text,
  hasSzc1Magic,
  isLegacyTokenLength,
  LEGACY_BLOCK_BYTES,
  readSzc1Body,
  SZC1_MAGIC_BYTES,
  SZC1_NONCE_BYTES,
  SZC1_TAG_BYTES,
  SZC1_TEXT_PREFIX,
} from "./token-shape.js";

/** What a token is, read without any key. Every string in it is validated: safe to print. */
export interface TokenInfo {
  readonly format: "legacy-cbc" | "szc1";
  /** `text` for a string field's value, `bytes` for a bytes field's raw value. */
  readonly form: "text" | "bytes";
  /** Length of the binary form. */
  readonly bytes: number;
  /** szc1 only: the key id, checked against the SPEC's grammar. */
  readonly keyId?: string;
  /** szc1 only: whether the token is bound to a context (record, tenant), which decryption must then give. */
  readonly contextBound?: boolean;
  /** szc1 only: the bytes before the nonce (magic 4, header byte 1, key id). */
  readonly headerBytes?: number;
  readonly ivBytes?: number;
  readonly nonceBytes?: number;
  readonly ciphertextBytes: number;
  readonly tagBytes?: number;
  /** The plaintext's length in bytes, or its range for legacy-cbc (padding hides the exact length). */
  readonly plaintextBytes: number | readonly [number, number];
}

/**
 * Says what a token is, without any key: its format, key id (szc1) and sizes,
 * by the same parsing decryption uses.
 *
 * A string is a string field's value: `szc1:` text, or standard base64 of a
 * legacy-cbc token. Bytes are a bytes field's raw value: the szc1 binary form,
 * or legacy-cbc's `iv ‖ ciphertext`.
 *
 * @throws SzcryptError MALFORMED when it is no token of either format; the
 *   message never quotes the input.
 * @throws TypeError for anything but a string or a Uint8Array.
 */
export function describeToken(token: string | Uint8Array): TokenInfo {
  if (typeof token === "string") {
    if (token.startsWith(SZC1_TEXT_PREFIX)) {
      const body = decodeSzc1Text(token);
      if (body === undefined) {
        throw new SzcryptError("MALFORMED", "'szc1:' must be followed by canonical unpadded base64url");
      }
      return szc1Info(body, "text") ?? malformedSzc1();
    }
    const raw = decodeLegacyText(token);
    if (raw === undefined) {
      throw new SzcryptError("MALFORMED", "neither 'szc1:' text nor strict standard base64");
    }
    return legacyInfo(raw.length, "text");
  }
  assertBytes(token, "describeToken: token");
  if (hasSzc1Magic(token)) {
    const info = szc1Info(token.subarray(SZC1_MAGIC_BYTES), "bytes");
    // A legacy IV starts with "szc1" once in 2^32: read it as legacy-cbc when it is not szc1.
    if (info !== undefined) {
      return info;
    }
    if (!isLegacyTokenLength(token.length)) {
      malformedSzc1();
    }
  }
  return legacyInfo(token.length, "bytes");
}

function szc1Info(body: Uint8Array, form: "text" | "bytes"): TokenInfo | undefined {
  const shape = readSzc1Body(body);
  if (shape === undefined) {
    return undefined;
  }
  const ciphertextBytes = body.length - shape.sealedAt - SZC1_TAG_BYTES;
  return {
    format: "szc1",
    form,
    bytes: body.length + SZC1_MAGIC_BYTES,
    keyId: shape.keyId,
    contextBound: shape.bound,
    headerBytes: SZC1_MAGIC_BYTES + shape.nonceAt,
    nonceBytes: SZC1_NONCE_BYTES,
    ciphertextBytes,
    tagBytes: SZC1_TAG_BYTES,
    plaintextBytes: ciphertextBytes,
  };
}

function legacyInfo(length: number, form: "text" | "bytes"): TokenInfo {
  if (!isLegacyTokenLength(length)) {
    throw new SzcryptError(
      "MALFORMED",
      `legacy-cbc is a ${LEGACY_BLOCK_BYTES}-byte IV plus whole ${LEGACY_BLOCK_BYTES}-byte blocks; this is ${length} bytes`,
    );
  }
  const ciphertextBytes = length - LEGACY_BLOCK_BYTES;
  return {
    format: "legacy-cbc",
    form,
    bytes: length,
    ivBytes: LEGACY_BLOCK_BYTES,
    ciphertextBytes,
    plaintextBytes: [ciphertextBytes - LEGACY_BLOCK_BYTES, ciphertextBytes - 1],
  };
}

function malformedSzc1(): never {
  throw new SzcryptError(
    "MALFORMED",
    "not szc1: it needs the magic, a key id of 1 to 64 characters of A-Z a-z 0-9 . _ -, a 12-byte nonce and a 16-byte tag",
  );
}
