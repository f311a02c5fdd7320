import { isUtf8 } from "node:buffer";
import { base64DecodedLength, decodeBase64Into } from "../encoding/base64.js";
import { assertBytes, ownCopy, ownsItsMemory } from "../encoding/bytes.js";
import { DECRYPT_FAILED_MESSAGE, decryptFailed, isSzcryptError, SzcryptError } from "../errors/szcrypt-error.js";
import { isSzcryptKey, keyMaterial, type SzcryptKey } from "../keys/key.js";
import { Keyring } from "../keys/keyring.js";
import { gcmOpenRecords, gcmSealRecords } from "./gcm-batch.js";
import { szc1NonceBudget } from "./nonce-budget.js";
import { randomBytesPooled } from "./random.js";
import { szc1Aad, szc1AadSuffix, szc1TokenLength } from "./szc1-batch.js";
import { encodeSzc1Context, type Szc1Context } from "./szc1-context.js";
import {
  hasSzc1Magic,
  readSzc1Body,
  SZC1_CONTEXT_FLAG,
  SZC1_MAGIC_BYTES,
  SZC1_NAME,
  SZC1_NONCE_BYTES,
  SZC1_TAG_BYTES,
  szc1HeaderByte,
  szc1KeyIdAt,
  szc1NonceAt,
  SZC1_TEXT_PREFIX as TEXT_PREFIX,
  writeSzc1Magic,
} from "./token-shape.js";

export type { Szc1Context, Szc1ContextPart } from "./szc1-context.js";

/**
 * szc1: szcrypt's authenticated format (conformance/SPEC.md).
 *
 * Binary (bytes fields): `"szc1"` ‖ H ‖ keyId ‖ nonce(12) ‖ ciphertext ‖ tag(16),
 * H = len(keyId) with bit 7 set when the value is bound to a context.
 * Text (string fields): `szc1:` + unpadded base64url of everything after `"szc1"`.
 * AES-GCM under a 16 or 32-byte key, random 96-bit nonce, and associated data
 * `"szc1" 0 keyId 0 fieldName` (then `0` and the context when bound), so a token
 * moved to another field, record or tenant, or relabelled with another key id, fails.
 * The layout itself is token-shape.ts's.
 */
export const SZC1 = SZC1_NAME;
export const SZC1_TEXT_PREFIX = TEXT_PREFIX;
/**
 * The magic every binary szc1 token starts with, as ASCII text (a string
 * cannot be written to, as the Buffer this once was could).
 *
 * @deprecated use {@link isSzc1Bytes}; leaves the public surface.
 */
export const SZC1_MAGIC = SZC1_NAME;

// The cause of the DECRYPT_FAILED for an unbound value where a context is required (rule 3):
// for the service's logs and telemetry only; the caller sees the uniform failure.
const CONTEXT_UNBOUND_MESSAGE = "context-unbound: an unbound szc1 value where this receiver requires a context";

export interface Szc1Options {
  /** Full protobuf name of the field the value belongs to; "" outside protobuf. */
  readonly fieldName: string;
  /**
   * Binds the value to this context too (e.g. `[tenantId, recordId]`): 1 to 16
   * parts of at most 1024 bytes, text as UTF-8. Encryption writes a
   * context-bound token; decryption requires one (see `acceptUnbound`) and
   * rebuilds the same context. Undefined: unbound, as szc1 has always been.
   */
  readonly context?: Szc1Context | undefined;
  /**
   * Decryption with a context only: also accept unbound tokens (checked
   * without a context) while senders migrate. Default false: an unbound token
   * fails like any other undecryptable value, so none can be downgraded.
   */
  readonly acceptUnbound?: boolean | undefined;
}

/** The parts of an szc1 token, read without any key. */
export interface Szc1Parts {
  /** Checked against the SPEC's grammar: safe to print. */
  readonly keyId: string;
  /** Whether the token is bound to a context (the header's flag). */
  readonly contextBound: boolean;
  /** A copy of the 12-byte nonce. */
  readonly nonce: Uint8Array;
  /** A copy of ciphertext ‖ tag. */
  readonly sealed: Uint8Array;
}

/**
 * Encrypts text to `szc1:…` under the key (its `id` is carried in the clear),
 * with a fresh random nonce; bound to `options.context` when given.
 *
 * @throws SzcryptError KEY_UNAVAILABLE once the key has sealed 2^32 values in
 *   this process (see SECURITY.md, "Nonce budget"); CONFIG_INVALID for a context
 *   outside its limits.
 */
export function encryptSzc1(plaintext: string, key: SzcryptKey, options: Szc1Options): string {
  if (typeof plaintext !== "string") {
    throw new TypeError("encryptSzc1: plaintext must be a string (use encryptSzc1Bytes for bytes)");
  }
  return sealText(plaintext, key, options, undefined);
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
  return sealText(plaintext, key, options, nonce);
}

function sealText(plaintext: string, key: SzcryptKey, options: Szc1Options, nonce: Uint8Array | undefined): string {
  if (!plaintext.isWellFormed()) {
    // encodeUtf8's refusal, word for word: Buffer.write would turn a lone surrogate into U+FFFD.
    throw new SzcryptError("INVALID_PLAINTEXT", "the string has a lone UTF-16 surrogate and no UTF-8 form; fix the value at its source");
  }
  // UTF-16 to UTF-8 is at most 3 bytes per code unit: room without measuring first.
  const plain = plainFor(3 * plaintext.length);
  const length = plain.write(plaintext, 0, "utf8");
  try {
    assertSealKey(key);
    const context = sealContext(options, nonce);
    const bodyLength = szc1TokenLength(key.id.length, length) - SZC1_MAGIC_BYTES;
    const body = bodyFor(bodyLength);
    sealInto(plain, length, key, options, context, nonce, body, 0);
    return TEXT_PREFIX + body.toString("base64url", 0, bodyLength);
  } finally {
    plain.fill(0, 0, length);
    releaseLargePlain();
  }
}

// One value's scratch, reused per call: its token body (ciphertext, public),
// and its plaintext (as secret: all zeros between calls, each call zeroing
// what it wrote in a finally).
let bodyScratch = Buffer.allocUnsafeSlow(256);
let plainScratch = Buffer.alloc(256);

/** The most scratch kept between calls: a larger token gets its own, and a plaintext scratch grown past it is let go (zeroed). */
const KEPT_SCRATCH = 64 * 1024;

function bodyFor(bytes: number): Buffer {
  if (bytes > KEPT_SCRATCH) {
    return Buffer.allocUnsafeSlow(bytes);
  }
  if (bodyScratch.length < bytes) {
    bodyScratch = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * bodyScratch.length));
  }
  return bodyScratch;
}

/** Lets go of a plaintext scratch that grew past KEPT_SCRATCH for one large value (callers zero it first). */
function releaseLargePlain(): void {
  if (plainScratch.length > KEPT_SCRATCH) {
    plainScratch = Buffer.alloc(256);
  }
}

function plainFor(bytes: number): Buffer {
  if (plainScratch.length < bytes) {
    plainScratch = Buffer.alloc(Math.max(bytes, 2 * plainScratch.length));
  }
  return plainScratch;
}

/**
 * Whether the plaintext scratch is all zeros (tests: each call wipes what it wrote).
 *
 * @internal
 */
export function szc1ScratchIsClear(): boolean {
  return plainScratch.every((b) => b === 0);
}

// The one-value records of gcm-batch.ts, reused per call.
const one = { at: new Int32Array(1), lengths: new Int32Array(1), plainAt: new Int32Array(1), opened: new Uint8Array(1) };

/**
 * Decrypts `szc1:…` text with the key its key id names, under the same
 * context it was sealed with.
 *
 * @throws SzcryptError MALFORMED when it is not szc1 text; CONTEXT_REQUIRED for
 *   a context-bound token when `options.context` is not given (nothing is
 *   decrypted); CONFIG_INVALID for a context outside its limits; DECRYPT_FAILED
 *   for an unknown key id, a bad tag (any altered byte, another field name or
 *   context), an unbound token where a context is given (unless
 *   `acceptUnbound`), or invalid UTF-8.
 */
export function decryptSzc1(token: string, keys: Keyring | SzcryptKey, options: Szc1Options): string {
  if (typeof token !== "string") {
    throw new TypeError("decryptSzc1: token must be a string");
  }
  // A bad context is the service's mistake whatever arrives: said before looking at the value.
  const context = contextOf(options);
  if (!token.startsWith(TEXT_PREFIX)) {
    throw new SzcryptError("MALFORMED", "an szc1 token starts with 'szc1:'");
  }
  // Decoded into the scratch: no Buffer per value.
  const bytes = base64DecodedLength(token, "base64url", TEXT_PREFIX.length);
  const body = bodyFor(bytes);
  if (bytes < 0 || !decodeBase64Into(token, "base64url", body, 0, TEXT_PREFIX.length)) {
    throw new SzcryptError("MALFORMED", "an szc1 token is 'szc1:' followed by unpadded base64url");
  }
  try {
    const length = openInto(body, 0, bytes, keys, options, context);
    if (!isUtf8(plainScratch.subarray(0, length))) {
      throw decryptFailed();
    }
    return plainScratch.toString("utf8", 0, length);
  } finally {
    // Up to what openInto made room for (it may have thrown before).
    plainScratch.fill(0, 0, Math.min(bytes, plainScratch.length));
    releaseLargePlain();
  }
}

/**
 * Encrypts a bytes field's value to the binary form, in an allocation of its
 * own, with a fresh random nonce; bound to `options.context` when given.
 *
 * @throws TypeError when `plaintext` is not a Uint8Array.
 * @throws SzcryptError as {@link encryptSzc1}.
 */
export function encryptSzc1Bytes(plaintext: Uint8Array, key: SzcryptKey, options: Szc1Options): Uint8Array {
  assertBytes(plaintext, "encryptSzc1Bytes: plaintext");
  return plain(seal(plaintext, key, options, undefined));
}

/**
 * {@link encryptSzc1Bytes} with a given nonce, for test vectors only.
 *
 * @internal
 */
export function encryptSzc1BytesWithNonce(plaintext: Uint8Array, key: SzcryptKey, options: Szc1Options, nonce: Uint8Array): Uint8Array {
  assertBytes(plaintext, "encryptSzc1Bytes: plaintext");
  assertBytes(nonce, "szc1: the nonce");
  return plain(seal(plaintext, key, options, nonce));
}

// A given nonce (test vectors) is not counted against the key's budget: only random ones are.
function seal(plaintext: Uint8Array, key: SzcryptKey, options: Szc1Options, given: Uint8Array | undefined): Buffer {
  assertSealKey(key);
  const context = sealContext(options, given);
  // One allocation of its own for the whole token: Buffer.concat would put it in the shared pool.
  const out = Buffer.allocUnsafeSlow(szc1TokenLength(key.id.length, plaintext.length));
  writeSzc1Magic(out, 0);
  sealInto(plaintext, plaintext.length, key, options, context, given, out, SZC1_MAGIC_BYTES);
  return out;
}

/** Throws unless `key` is a SzcryptKey that can seal szc1 (TypeError, KEY_INVALID). */
function assertSealKey(key: SzcryptKey): asserts key is SzcryptKey & { readonly id: string } {
  if (!isSzcryptKey(key)) {
    throw new TypeError("szc1: expected a SzcryptKey (see parseKeySpec)");
  }
  checkSzc1SealKey(key);
}

/** After {@link assertSealKey}, in the order callers have always seen: the given nonce's length, then the context (encoded). */
function sealContext(options: Szc1Options, given: Uint8Array | undefined): Buffer | undefined {
  if (given !== undefined && given.length !== SZC1_NONCE_BYTES) {
    throw new RangeError(`szc1: the nonce must be ${SZC1_NONCE_BYTES} bytes, got ${given.length}`);
  }
  return contextOf(options);
}

/**
 * Writes the token body (after the magic) of plaintext[0, length) to `out` at
 * `o`: header, key id, nonce (fresh unless given: then not counted against
 * the budget), ciphertext and tag, through the batched GCM with one value (no
 * OpenSSL cipher object, the AAD's GHASH kept per (key, id, field)).
 */
function sealInto(
  plaintext: Uint8Array,
  length: number,
  key: SzcryptKey & { readonly id: string },
  options: Szc1Options,
  context: Buffer | undefined,
  given: Uint8Array | undefined,
  out: Uint8Array,
  o: number,
): void {
  if (given === undefined) {
    szc1NonceBudget.spend(key);
  }
  const nonce = given ?? randomBytesPooled(SZC1_NONCE_BYTES);
  const id = key.id;
  out[o] = szc1HeaderByte(id.length, context !== undefined);
  // The grammar makes a key id ASCII: one byte per character.
  for (let c = 0; c < id.length; c++) {
    out[o + 1 + c] = id.charCodeAt(c);
  }
  const nonceAt = o + 1 + id.length;
  for (let j = 0; j < SZC1_NONCE_BYTES; j++) {
    out[nonceAt + j] = nonce[j] as number;
  }
  one.at[0] = nonceAt;
  one.lengths[0] = length;
  one.plainAt[0] = 0;
  gcmSealRecords(key, {
    buf: out,
    at: one.at,
    lengths: one.lengths,
    aads: [szc1Aad(key, id, options.fieldName)],
    aadSuffix: context === undefined ? undefined : szc1AadSuffix(context),
    plain: plaintext,
    plainAt: one.plainAt,
  });
}

/**
 * Throws unless `key` can seal szc1: 16 or 32 bytes, with an id (the token carries it).
 *
 * @throws SzcryptError KEY_INVALID.
 * @internal
 */
export function checkSzc1SealKey(key: SzcryptKey): asserts key is SzcryptKey & { readonly id: string } {
  const size = keyMaterial(key).length;
  if (size !== 16 && size !== 32) {
    throw new SzcryptError("KEY_INVALID", `szc1 takes 16 or 32-byte keys (32 recommended), got ${size} bytes`);
  }
  if (key.id === undefined) {
    throw new SzcryptError("KEY_INVALID", "szc1 carries a key id: give the key one (parseKeySpec(spec, { id }) or a Keyring)");
  }
}

/**
 * Decrypts the binary form; the plaintext is an allocation of its own.
 * Errors as {@link decryptSzc1}, and TypeError when `data` is not a Uint8Array.
 */
export function decryptSzc1Bytes(data: Uint8Array, keys: Keyring | SzcryptKey, options: Szc1Options): Uint8Array {
  assertBytes(data, "decryptSzc1Bytes: data");
  const context = contextOf(options);
  if (!hasSzc1Magic(data)) {
    throw new SzcryptError("MALFORMED", "a binary szc1 token starts with the bytes 'szc1'");
  }
  const end = data.length;
  try {
    const length = openInto(data, SZC1_MAGIC_BYTES, end, keys, options, context);
    // Handed out: an allocation of its own.
    const out = new Uint8Array(length);
    for (let j = 0; j < length; j++) {
      out[j] = plainScratch[j] as number;
    }
    return out;
  } finally {
    plainScratch.fill(0, 0, Math.min(end, plainScratch.length));
    releaseLargePlain();
  }
}

/** Whether bytes start with the szc1 magic. A legacy IV does so once in 2^32. */
export function isSzc1Bytes(data: Uint8Array): boolean {
  assertBytes(data, "isSzc1Bytes: data");
  return hasSzc1Magic(data);
}

/**
 * Splits an szc1 body (after the magic) into its parts, or undefined when it
 * is not one by conformance/SPEC.md: too short, or a key id that is not 1 to 64
 * characters of `A-Z a-z 0-9 . _ -` (which also makes the id safe to print).
 */
export function parseSzc1Body(body: Uint8Array): Szc1Parts | undefined {
  assertBytes(body, "parseSzc1Body: body");
  const shape = readSzc1Body(body);
  if (shape === undefined) {
    return undefined;
  }
  return {
    keyId: shape.keyId,
    contextBound: shape.bound,
    nonce: body.slice(shape.nonceAt, shape.sealedAt),
    sealed: body.slice(shape.sealedAt),
  };
}

/**
 * Whether `err` is the DECRYPT_FAILED of an unbound szc1 value refused where a
 * context is required (for telemetry's `context_unbound`). Read by code, so
 * that it holds whichever copy of core made the error.
 */
export function isContextUnboundRefusal(err: unknown): boolean {
  return isSzcryptError(err, "DECRYPT_FAILED") && isSzcryptError(err.cause) && err.cause.rawMessage === CONTEXT_UNBOUND_MESSAGE;
}

/**
 * Opens the szc1 body at src[start, end) into the plaintext scratch (at 0,
 * room made for end - start bytes) and returns the plaintext's length, or
 * throws why not. The caller zeroes the scratch.
 */
function openInto(
  src: Uint8Array,
  start: number,
  end: number,
  keys: Keyring | SzcryptKey,
  options: Szc1Options,
  context: Buffer | undefined,
): number {
  const nonceAt = szc1NonceAt(src, start, end);
  if (nonceAt < 0) {
    throw new SzcryptError(
      "MALFORMED",
      `an szc1 token is the magic, a key id of 1 to 64 characters of A-Z a-z 0-9 . _ -, a 12-byte nonce and a 16-byte tag (at least ${SZC1_MAGIC_BYTES + 30} bytes)`,
    );
  }
  if (!(keys instanceof Keyring) && !isSzcryptKey(keys)) {
    throw new TypeError("szc1: decryption takes a Keyring or a SzcryptKey (see parseKeySpec)");
  }
  const bound = ((src[start] as number) & SZC1_CONTEXT_FLAG) !== 0;
  if (bound && context === undefined) {
    // The flag is in the clear and nothing is decrypted: saying so tells the sender nothing new.
    throw new SzcryptError(
      "CONTEXT_REQUIRED",
      `a context-bound szc1 value arrived but this service has no \`context\` configured for field ${JSON.stringify(options.fieldName)}; configure the same context function as the sender`,
    );
  }
  if (!bound && context !== undefined && options.acceptUnbound !== true) {
    throw new SzcryptError("DECRYPT_FAILED", DECRYPT_FAILED_MESSAGE, {
      cause: new SzcryptError("DECRYPT_FAILED", CONTEXT_UNBOUND_MESSAGE),
    });
  }
  const ring = keys instanceof Keyring ? keys : Keyring.of(keys);
  const keyId = szc1KeyIdAt(src, start, nonceAt);
  const key = ring.get(keyId);
  if (key === undefined || (key.size !== 16 && key.size !== 32)) {
    // An unknown key id looks like any other failure: which ids exist is not the caller's to learn.
    throw decryptFailed();
  }
  const length = end - nonceAt - SZC1_NONCE_BYTES - SZC1_TAG_BYTES;
  const plain = plainFor(end - start);
  one.at[0] = nonceAt;
  one.lengths[0] = length;
  one.plainAt[0] = 0;
  one.opened[0] = 0;
  gcmOpenRecords(
    key,
    {
      buf: src,
      at: one.at,
      lengths: one.lengths,
      aads: [szc1Aad(key, keyId, options.fieldName)],
      aadSuffix: bound && context !== undefined ? szc1AadSuffix(context) : undefined,
      plain,
      plainAt: one.plainAt,
    },
    one.opened,
  );
  if (one.opened[0] !== 1) {
    throw decryptFailed();
  }
  return length;
}

function contextOf(options: Szc1Options): Buffer | undefined {
  if (options.context === undefined) {
    return undefined;
  }
  const encoded = encodeSzc1Context(options.context);
  if (options.fieldName.includes("\0")) {
    // A zero byte ends F in the bound associated data: one in F would make it ambiguous.
    throw new SzcryptError("CONFIG_INVALID", "a context-bound szc1 value needs a field name without a zero byte");
  }
  return encoded;
}

// A plain Uint8Array over the same (own) memory: public functions hand out no Buffer.
function plain(buf: Buffer): Uint8Array {
  const owned = ownsItsMemory(buf) ? buf : ownCopy(buf);
  if (owned !== buf) {
    buf.fill(0);
  }
  return new Uint8Array(owned.buffer, owned.byteOffset, owned.byteLength);
}
