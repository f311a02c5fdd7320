import { decodeBase64Strict, decodeBase64UrlStrict } from "../encoding/base64.js";
import { isKeyIdBytes } from "../keys/key.js";

/**
 * The shapes of szcrypt's two token formats, read without any key: the one
 * place that knows them (decryption, `describeToken`, `szcrypt inspect` and
 * telemetry all ask here). Sizes are numbers and text, which cannot be
 * written to; the szc1 magic is compared byte by byte, never handed out.
 *
 * legacy-cbc: a 16-byte IV plus whole 16-byte AES blocks (at least one); a
 * string field carries strict standard base64 of it.
 *
 * szc1 (conformance/SPEC.md): `"szc1"` ‖ H ‖ keyId ‖ nonce(12) ‖ ciphertext ‖ tag(16),
 * where H's low 7 bits are len(keyId) (1-64) and its top bit says the token is
 * bound to a context. A string field carries `szc1:` + canonical unpadded
 * base64url of everything after the magic.
 *
 * @internal
 */

/** legacy-cbc's IV and block size: AES's block. */
export const LEGACY_BLOCK_BYTES = 16;

/** The format's name, also the ASCII text of its magic. */
export const SZC1_NAME = "szc1";
/** What every szc1 string field value starts with. */
export const SZC1_TEXT_PREFIX = "szc1:";
/** The magic's length: ASCII "szc1". */
export const SZC1_MAGIC_BYTES = 4;
export const SZC1_NONCE_BYTES = 12;
export const SZC1_TAG_BYTES = 16;
/** The longest key id the grammar allows (and the header byte can say). */
export const SZC1_KEY_ID_MAX = 64;
/** Bit 7 of the header byte: the token is context-bound. */
export const SZC1_CONTEXT_FLAG = 0x80;

// The smallest body after the magic: header, a 1-character id, nonce, tag.
const SZC1_MIN_BODY = 1 + 1 + SZC1_NONCE_BYTES + SZC1_TAG_BYTES;

/** Whether `length` bytes can be a legacy-cbc token: an IV plus whole blocks, at least one. */
export function isLegacyTokenLength(length: number): boolean {
  return length >= 2 * LEGACY_BLOCK_BYTES && length % LEGACY_BLOCK_BYTES === 0;
}

/** A legacy-cbc string field value's bytes (strict standard base64), or undefined. Not checked for length. */
export function decodeLegacyText(text: string): Buffer | undefined {
  return decodeBase64Strict(text);
}

/** Whether bytes start with the szc1 magic. A legacy IV does so once in 2^32. */
export function hasSzc1Magic(data: Uint8Array): boolean {
  return data.length >= SZC1_MAGIC_BYTES && data[0] === 0x73 && data[1] === 0x7a && data[2] === 0x63 && data[3] === 0x31;
}

/** Writes the magic at `offset` of `out`. */
export function writeSzc1Magic(out: Uint8Array, offset: number): void {
  out[offset] = 0x73;
  out[offset + 1] = 0x7a;
  out[offset + 2] = 0x63;
  out[offset + 3] = 0x31;
}

/**
 * The body (everything after the magic) of a string field's szc1 value, or
 * undefined when it is not `szc1:` followed by canonical unpadded base64url.
 * The result may share Node's pool: for reading, never for handing out.
 */
export function decodeSzc1Text(token: string): Buffer | undefined {
  if (!token.startsWith(SZC1_TEXT_PREFIX)) {
    return undefined;
  }
  return decodeBase64UrlStrict(token.slice(SZC1_TEXT_PREFIX.length));
}

/** The header byte for a key id of `idLength` characters. */
export function szc1HeaderByte(idLength: number, bound: boolean): number {
  return bound ? idLength | SZC1_CONTEXT_FLAG : idLength;
}

/** Where the parts of an szc1 body lie (offsets into the body, after the magic). */
export interface Szc1Shape {
  /** Checked against the SPEC's grammar: safe to print. */
  readonly keyId: string;
  /** The header's context flag. */
  readonly bound: boolean;
  /** Offset of the 12-byte nonce. */
  readonly nonceAt: number;
  /** Offset of ciphertext ‖ tag, which runs to the end. */
  readonly sealedAt: number;
}

/**
 * Reads an szc1 body (after the magic), or undefined when it is not one by
 * conformance/SPEC.md: too short, or a key id that is not 1 to 64 characters
 * of `A-Z a-z 0-9 . _ -` (which also makes the id safe to print).
 */
export function readSzc1Body(body: Uint8Array): Szc1Shape | undefined {
  const nonceAt = szc1NonceAt(body, 0, body.length);
  if (nonceAt < 0) {
    return undefined;
  }
  const header = body[0] as number;
  const idLength = header & 0x7f;
  return {
    keyId: Buffer.from(body.buffer, body.byteOffset + 1, idLength).toString("latin1"),
    bound: (header & SZC1_CONTEXT_FLAG) !== 0,
    nonceAt,
    sealedAt: nonceAt + SZC1_NONCE_BYTES,
  };
}

/**
 * Where the nonce of the szc1 body at bytes[start, end) begins (an offset
 * into `bytes`), or -1 when the body is not one by the SPEC's grammar: as
 * {@link readSzc1Body}, read in place, with no object and no string made.
 * The key id is bytes[start + 1, nonceAt), the context flag is bit 7 of
 * bytes[start].
 */
export function szc1NonceAt(bytes: Uint8Array, start: number, end: number): number {
  if (end - start < SZC1_MIN_BODY) {
    return -1;
  }
  const nonceAt = start + 1 + ((bytes[start] as number) & 0x7f);
  if (end < nonceAt + SZC1_NONCE_BYTES + SZC1_TAG_BYTES || !isKeyIdBytes(bytes, start + 1, nonceAt)) {
    return -1;
  }
  return nonceAt;
}

// The last key id read by szc1KeyIdAt: nearly every token carries the same one.
let lastKeyId = "";

/**
 * The key id of the szc1 body at bytes[start, …) whose nonce is at `nonceAt`
 * (from {@link szc1NonceAt}, which has checked it): a new string only when it
 * differs from the last one read.
 */
export function szc1KeyIdAt(bytes: Uint8Array, start: number, nonceAt: number): string {
  const length = nonceAt - start - 1;
  if (length === lastKeyId.length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      same &&= bytes[start + 1 + i] === lastKeyId.charCodeAt(i);
    }
    if (same) {
      return lastKeyId;
    }
  }
  lastKeyId = Buffer.from(bytes.buffer, bytes.byteOffset + start + 1, length).toString("latin1");
  return lastKeyId;
}

/**
 * The key id at the start of an szc1 body, reading only the header and the
 * id (telemetry decodes just a prefix of long tokens), or undefined when they
 * are not the SPEC's.
 */
export function szc1KeyIdOf(bodyPrefix: Uint8Array): string | undefined {
  const idLength = (bodyPrefix[0] ?? 0) & 0x7f;
  if (bodyPrefix.length < 1 + idLength || !isKeyIdBytes(bodyPrefix, 1, 1 + idLength)) {
    return undefined;
  }
  return Buffer.from(bodyPrefix.buffer, bodyPrefix.byteOffset + 1, idLength).toString("latin1");
}
