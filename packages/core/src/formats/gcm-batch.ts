import { inspect } from "node:util";
import { keyMaterial, type SzcryptKey } from "../keys/key.js";
import { ecbFor } from "./aes-ecb.js";
import { GCM_NONCE_BYTES, GCM_TAG_BYTES, gcmOpen, gcmSealInto } from "./aes-gcm.js";
import {
  GHASH_AGGREGATE_MAX_BLOCKS,
  type GhashKey,
  ghashAggregate,
  ghashFinish,
  ghashKey,
  ghashLengths,
  ghashUpdate,
  ghashWarmUp,
} from "./ghash.js";

// AES-GCM (96-bit nonces, 128-bit tags) for many short values under one key,
// byte for byte what OpenSSL's GCM makes, with one native call for all of
// them: every value's counter blocks and its tag mask E(K, J0) go through the
// key's cached AES-ECB cipher in one update(), and GHASH (ghash.ts, constant
// time) runs in JavaScript. Creating an OpenSSL GCM object per value costs
// more than the whole of that for a short value; for long ones OpenSSL's GHASH
// (carry-less multiply instructions) wins, so values above
// GCM_BATCH_MAX_PLAINTEXT go through aes-gcm.ts one by one.
//
// Decryption verifies every tag before any plaintext exists: the keystream is
// XORed into a value only once its tag has compared equal, in constant time.
// The keystream buffer is zeroed before returning.

/**
 * The longest plaintext (bytes) sealed or opened by the batch path; longer
 * ones use OpenSSL's GCM. Below where the JavaScript GHASH (~200 ns a block)
 * stops paying for the cipher object it saves: `node packages/bench/dist/gcm-batch.js --sweep`
 * found the batch 1.9-2.6× faster than OpenSSL's GCM at 64 bytes, and even
 * with it at 128 bytes on Node 22 (1.3× on Node 20; Node 24's cipher objects
 * cost ~4× more, so it pays up to ~900 bytes there).
 */
export const GCM_BATCH_MAX_PLAINTEXT = 96;

const BLOCK = 16;
const ghashKeys = new WeakMap<SzcryptKey, GhashKey>();
/** The longest value whose GHASH is aggregated (ghash.ts's limit). */
const AGGREGATE_MAX_BYTES = BLOCK * GHASH_AGGREGATE_MAX_BLOCKS;
const ZERO_BLOCKS = new Uint8Array(AGGREGATE_MAX_BYTES);
// A prepared AAD's last partial block joined to a value's suffix (public bytes).
let joined = new Uint8Array(256);
let warm = false;

/** The key's GHASH key H = E(K, 0^128), made on first use (one ECB call). */
function ghashKeyFor(key: SzcryptKey): GhashKey {
  let k = ghashKeys.get(key);
  if (k === undefined) {
    if (!warm) {
      // Once per process, before any H is used: see ghashWarmUp.
      ghashWarmUp();
      warm = true;
    }
    const h = ecbFor(key).encrypt(new Uint8Array(BLOCK));
    k = ghashKey(h, 0);
    h.fill(0);
    ghashKeys.set(key, k);
  }
  return k;
}

/**
 * Associated data absorbed into GHASH once, for a key: szc1's associated data
 * is fixed per (key id, field), so a caller that seals or opens many values of
 * one field keeps one of these and saves absorbing it per value. With a
 * context bound per call (SPEC "Context binding") it is the fixed prefix, and
 * each value gives the rest as `aadSuffix`. It holds GHASH_H states, from
 * which H can be computed: it never shows them.
 */
export class GcmAad {
  readonly #key: SzcryptKey;
  /** Y after the whole AAD, padded: when no suffix follows. */
  readonly #whole: Int32Array;
  /** Y after the AAD's whole blocks only: a suffix continues from its last partial block. */
  readonly #aligned: Int32Array;
  /** The associated data itself (public), for the suffix and the OpenSSL fallback. */
  readonly bytes: Uint8Array;
  /**
   * Per ciphertext length (up to GHASH_AGGREGATE_MAX_BLOCKS blocks), made on
   * first use: S·H^(m+1) ⊕ L·H, everything of the GHASH of a value with no
   * suffix but its ciphertext's part (see ghashAggregate).
   */
  readonly #constants: (Int32Array | undefined)[] = [];

  private constructor(key: SzcryptKey, whole: Int32Array, aligned: Int32Array, bytes: Uint8Array) {
    this.#key = key;
    this.#whole = whole;
    this.#aligned = aligned;
    this.bytes = bytes;
  }

  /** Absorbs `aad` (copied) under `key`. */
  static of(key: SzcryptKey, aad: Uint8Array): GcmAad {
    const bytes = Uint8Array.from(aad);
    const k = ghashKeyFor(key);
    const aligned = new Int32Array(4);
    ghashUpdate(k, aligned, bytes, 0, bytes.length & ~15);
    const whole = Int32Array.from(aligned);
    ghashUpdate(k, whole, bytes, bytes.length & ~15, bytes.length);
    return new GcmAad(key, whole, aligned, bytes);
  }

  /** @internal Y after this AAD (followed by `suffix`) into `y`; returns the AAD's whole length. */
  static absorb(aad: GcmAad, key: SzcryptKey, k: GhashKey, y: Int32Array, suffix: Uint8Array | undefined): number {
    if (aad.#key !== key) {
      // A state absorbed under another key would give a wrong tag, silently.
      throw new RangeError("szcrypt internal error: GcmAad used with another key than it was made for");
    }
    if (suffix === undefined || suffix.length === 0) {
      y.set(aad.#whole);
      return aad.bytes.length;
    }
    y.set(aad.#aligned);
    // The prefix's last partial block and the suffix are one run of GHASH input: join them (public bytes).
    const start = aad.bytes.length & ~15;
    const rest = aad.bytes.length - start + suffix.length;
    if (joined.length < rest) {
      joined = new Uint8Array(Math.max(rest, 2 * joined.length));
    }
    joined.set(aad.bytes.subarray(start), 0);
    joined.set(suffix, aad.bytes.length - start);
    ghashUpdate(k, y, joined, 0, rest);
    return aad.bytes.length + suffix.length;
  }

  /** @internal The constant of {@link ghashAggregate} for a `length`-byte ciphertext after this AAD alone. */
  static constantFor(aad: GcmAad, key: SzcryptKey, k: GhashKey, length: number): Int32Array {
    if (aad.#key !== key) {
      throw new RangeError("szcrypt internal error: GcmAad used with another key than it was made for");
    }
    let c = aad.#constants[length];
    if (c === undefined) {
      // GHASH over the AAD, m zero blocks and the lengths: by linearity, the value's GHASH less its ciphertext's terms.
      c = Int32Array.from(aad.#whole);
      ghashUpdate(k, c, ZERO_BLOCKS, 0, BLOCK * blocksOf(length));
      ghashLengths(k, c, aad.bytes.length, length);
      aad.#constants[length] = c;
    }
    return c;
  }

  toString(): string {
    return `GcmAad(${this.bytes.length} bytes)`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** One value to seal. */
export interface GcmSealInput {
  /** 12 bytes, never reused under the key. */
  readonly nonce: Uint8Array;
  readonly aad: Uint8Array | GcmAad;
  /** Bytes that follow `aad` in this value's AAD (a per-call context after a prepared prefix). */
  readonly aadSuffix?: Uint8Array;
  readonly plaintext: Uint8Array;
  /** Where to write `ciphertext ‖ tag` (plaintext.length + 16 bytes); a new allocation of its own when absent. */
  readonly out?: Uint8Array;
  readonly offset?: number;
}

/** One value to open: `sealed` is `ciphertext ‖ tag`. */
export interface GcmOpenInput {
  readonly nonce: Uint8Array;
  readonly aad: Uint8Array | GcmAad;
  /** As for {@link GcmSealInput.aadSuffix}. */
  readonly aadSuffix?: Uint8Array;
  readonly sealed: Uint8Array;
}

// Counter blocks are public (nonce ‖ counter): one scratch buffer, grown as
// needed, written through a word view of it (offset 0 of its own memory).
let counters = Buffer.allocUnsafeSlow(64 * BLOCK);
let counterWords = new Int32Array(counters.buffer, 0, counters.length >>> 2);
// Words are stored in the machine's order: the counter's big-endian bytes are swapped on a little-endian one.
const LITTLE_ENDIAN = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;

function counterBlocks(total: number): Buffer {
  if (counters.length < total * BLOCK) {
    counters = Buffer.allocUnsafeSlow(Math.max(total * BLOCK, 2 * counters.length));
    counterWords = new Int32Array(counters.buffer, 0, counters.length >>> 2);
  }
  return counters;
}

/** The word whose bytes in memory are b0 b1 b2 b3. */
function memoryWord(b0: number, b1: number, b2: number, b3: number): number {
  return LITTLE_ENDIAN ? b0 | (b1 << 8) | (b2 << 16) | (b3 << 24) : (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
}

/**
 * Writes J0 = nonce ‖ 1 and then nonce ‖ 2 … nonce ‖ (blocks + 1) at block
 * `at` of the counter scratch, the nonce at src[n, n+12): four word stores a
 * block (set() and writeUInt32BE() check their arguments per call, which
 * costs more).
 */
function writeCounters(at: number, src: Uint8Array, n: number, blocks: number): void {
  const w0 = memoryWord(src[n] as number, src[n + 1] as number, src[n + 2] as number, src[n + 3] as number);
  const w1 = memoryWord(src[n + 4] as number, src[n + 5] as number, src[n + 6] as number, src[n + 7] as number);
  const w2 = memoryWord(src[n + 8] as number, src[n + 9] as number, src[n + 10] as number, src[n + 11] as number);
  const words = counterWords;
  for (let b = 0; b <= blocks; b++) {
    const o = (at + b) * 4;
    const c = b + 1;
    words[o] = w0;
    words[o + 1] = w1;
    words[o + 2] = w2;
    words[o + 3] = memoryWord(c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff);
  }
}

function checkNonce(nonce: Uint8Array): void {
  if (!(nonce instanceof Uint8Array) || nonce.length !== GCM_NONCE_BYTES) {
    throw new RangeError(`gcm batch: a nonce is ${GCM_NONCE_BYTES} bytes`);
  }
}

/** The whole AAD, for OpenSSL's GCM. */
function aadBytes(aad: Uint8Array | GcmAad, suffix: Uint8Array | undefined): Uint8Array {
  const prefix = aad instanceof GcmAad ? aad.bytes : aad;
  return suffix === undefined || suffix.length === 0 ? prefix : Buffer.concat([prefix, suffix]);
}

/**
 * Y = GHASH(AAD ‖ suffix, ciphertext) for the ciphertext at data[s, s + length).
 * A prepared AAD with no suffix and a short value: its constant (kept per
 * length) and one reduction for all its blocks; else block by block.
 */
function hashValue(
  k: GhashKey,
  key: SzcryptKey,
  aad: Uint8Array | GcmAad,
  suffix: Uint8Array | undefined,
  y: Int32Array,
  data: Uint8Array,
  s: number,
  length: number,
): void {
  const prepared = aad instanceof GcmAad;
  if (prepared && (suffix === undefined || suffix.length === 0) && length <= AGGREGATE_MAX_BYTES) {
    ghashAggregate(k, y, data, s, s + length, GcmAad.constantFor(aad, key, k, length));
    return;
  }
  let aadLength: number;
  if (prepared) {
    aadLength = GcmAad.absorb(aad, key, k, y, suffix);
    if (length <= AGGREGATE_MAX_BYTES) {
      // A per-call suffix (a context): the state after it times one power of H, the rest from the tables.
      ghashFinish(k, y, data, s, s + length, aadLength);
      return;
    }
  } else {
    const whole = aadBytes(aad, suffix);
    y.fill(0);
    ghashUpdate(k, y, whole, 0, whole.length);
    aadLength = whole.length;
  }
  ghashUpdate(k, y, data, s, s + length);
  ghashLengths(k, y, aadLength, length);
}

function blocksOf(bytes: number): number {
  return (bytes + BLOCK - 1) >>> 4;
}

/**
 * For each value with a length in `batched` (-1: not batched), E(K, J0) and
 * then its keystream, back to back, from one ECB call; undefined when no
 * value is batched. Value i's nonce is `nonces[i]`, or `nonces` at `at[i]`.
 */
function keystreams(
  key: SzcryptKey,
  nonces: Uint8Array | readonly Uint8Array[],
  at: Int32Array | undefined,
  batched: Int32Array,
  n: number,
): Buffer | undefined {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const length = batched[i] as number;
    total += length < 0 ? 0 : 1 + blocksOf(length);
  }
  if (total === 0) {
    return undefined;
  }
  const ctr = counterBlocks(total);
  let block = 0;
  for (let i = 0; i < n; i++) {
    const length = batched[i] as number;
    if (length >= 0) {
      const blocks = blocksOf(length);
      if (at === undefined) {
        writeCounters(block, (nonces as readonly Uint8Array[])[i] as Uint8Array, 0, blocks);
      } else {
        writeCounters(block, nonces as Uint8Array, at[i] as number, blocks);
      }
      block += 1 + blocks;
    }
  }
  return ecbFor(key).encrypt(ctr.subarray(0, total * BLOCK));
}

/**
 * Seals one value whose keystream (after its tag mask at `mask`) is in
 * `stream`: `ciphertext ‖ tag` to out[o, o + length + 16). `y` is scratch.
 */
function sealOne(
  k: GhashKey,
  key: SzcryptKey,
  aad: Uint8Array | GcmAad,
  suffix: Uint8Array | undefined,
  y: Int32Array,
  plain: Uint8Array,
  p: number,
  length: number,
  stream: Uint8Array,
  mask: number,
  out: Uint8Array,
  o: number,
): void {
  const ks = mask + BLOCK;
  for (let j = 0; j < length; j++) {
    out[o + j] = (plain[p + j] as number) ^ (stream[ks + j] as number);
  }
  hashValue(k, key, aad, suffix, y, out, o, length);
  writeTag(out, o + length, y, stream, mask);
}

/**
 * Opens one value, `ciphertext ‖ tag` at src[s, s + length + 16), as
 * {@link sealOne}: the plaintext goes to out[o, o + length) only once the tag
 * has verified. Returns whether it did.
 */
function openOne(
  k: GhashKey,
  key: SzcryptKey,
  aad: Uint8Array | GcmAad,
  suffix: Uint8Array | undefined,
  y: Int32Array,
  src: Uint8Array,
  s: number,
  length: number,
  stream: Uint8Array,
  mask: number,
  out: Uint8Array,
  o: number,
): boolean {
  hashValue(k, key, aad, suffix, y, src, s, length);
  if (!tagMatches(src, s + length, y, stream, mask)) {
    return false;
  }
  const ks = mask + BLOCK;
  for (let j = 0; j < length; j++) {
    out[o + j] = (src[s + j] as number) ^ (stream[ks + j] as number);
  }
  return true;
}

/**
 * Seals each value with AES-GCM under `key` (16, 24 or 32 bytes): for each,
 * `ciphertext ‖ tag` exactly as OpenSSL's AES-GCM makes it, written into its
 * `out` at `offset` when given (and that `out` returned), else in a new
 * allocation of its own.
 *
 * `maxBatched` (internal: tests send every value through the batch path)
 * is the longest plaintext that goes through it.
 *
 * @throws RangeError when a nonce is not 12 bytes or an `out` is too short.
 */
export function gcmSealBatch(key: SzcryptKey, inputs: readonly GcmSealInput[], maxBatched = GCM_BATCH_MAX_PLAINTEXT): Uint8Array[] {
  const n = inputs.length;
  const results: Uint8Array[] = new Array(n);
  const batched = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const input = inputs[i] as GcmSealInput;
    checkNonce(input.nonce);
    const length = input.plaintext.length;
    const offset = input.offset ?? 0;
    const out = input.out ?? Buffer.allocUnsafeSlow(length + GCM_TAG_BYTES);
    if (offset < 0 || out.length < offset + length + GCM_TAG_BYTES) {
      throw new RangeError("gcm batch: an output buffer is too short for ciphertext and tag");
    }
    results[i] = out;
    batched[i] = length <= maxBatched ? length : -1;
  }
  const stream = keystreams(
    key,
    inputs.map((input) => input.nonce),
    undefined,
    batched,
    n,
  );
  const k = stream === undefined ? undefined : ghashKeyFor(key);
  const y = new Int32Array(4);
  try {
    let at = 0;
    for (let i = 0; i < n; i++) {
      const input = inputs[i] as GcmSealInput;
      const plaintext = input.plaintext;
      const length = plaintext.length;
      const out = results[i] as Uint8Array;
      const offset = input.offset ?? 0;
      if ((batched[i] as number) < 0 || stream === undefined || k === undefined) {
        const target = Buffer.isBuffer(out) ? out : Buffer.from(out.buffer, out.byteOffset, out.byteLength);
        gcmSealInto(keyMaterial(key), input.nonce, aadBytes(input.aad, input.aadSuffix), plaintext, target, offset);
        continue;
      }
      sealOne(k, key, input.aad, input.aadSuffix, y, plaintext, 0, length, stream, at * BLOCK, out, offset);
      at += 1 + blocksOf(length);
    }
  } finally {
    // The keystream of a value is as secret as its plaintext.
    stream?.fill(0);
    y.fill(0);
  }
  return results;
}

/** tag = Y ⊕ E(K, J0), big-endian words w3..w0. */
function writeTag(out: Uint8Array, o: number, y: Int32Array, stream: Uint8Array, mask: number): void {
  for (let w = 0; w < 4; w++) {
    const v = y[3 - w] as number;
    const p = o + 4 * w;
    const s = mask + 4 * w;
    out[p] = (v >>> 24) ^ (stream[s] as number);
    out[p + 1] = ((v >>> 16) & 0xff) ^ (stream[s + 1] as number);
    out[p + 2] = ((v >>> 8) & 0xff) ^ (stream[s + 2] as number);
    out[p + 3] = (v & 0xff) ^ (stream[s + 3] as number);
  }
}

/**
 * Opens each `ciphertext ‖ tag` with AES-GCM under `key`: its plaintext in an
 * allocation of its own, or undefined when the tag does not verify (or the
 * value is shorter than a tag). No plaintext of a value is computed before
 * its tag has verified; tags are compared in constant time.
 *
 * `maxBatched` as for {@link gcmSealBatch}.
 *
 * @throws RangeError when a nonce is not 12 bytes.
 */
export function gcmOpenBatch(
  key: SzcryptKey,
  inputs: readonly GcmOpenInput[],
  maxBatched = GCM_BATCH_MAX_PLAINTEXT,
): (Buffer | undefined)[] {
  const n = inputs.length;
  const results: (Buffer | undefined)[] = new Array(n);
  const batched = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const input = inputs[i] as GcmOpenInput;
    checkNonce(input.nonce);
    const length = input.sealed.length - GCM_TAG_BYTES;
    batched[i] = length >= 0 && length <= maxBatched ? length : -1;
  }
  const stream = keystreams(
    key,
    inputs.map((input) => input.nonce),
    undefined,
    batched,
    n,
  );
  const k = stream === undefined ? undefined : ghashKeyFor(key);
  const y = new Int32Array(4);
  try {
    let at = 0;
    for (let i = 0; i < n; i++) {
      const input = inputs[i] as GcmOpenInput;
      const sealed = input.sealed;
      const length = sealed.length - GCM_TAG_BYTES;
      if (length < 0) {
        results[i] = undefined;
        continue;
      }
      if ((batched[i] as number) < 0 || stream === undefined || k === undefined) {
        results[i] = gcmOpen(keyMaterial(key), input.nonce, aadBytes(input.aad, input.aadSuffix), sealed);
        continue;
      }
      const mask = at * BLOCK;
      at += 1 + blocksOf(length);
      const plain = Buffer.allocUnsafeSlow(length);
      results[i] = openOne(k, key, input.aad, input.aadSuffix, y, sealed, 0, length, stream, mask, plain, 0) ? plain : undefined;
    }
  } finally {
    stream?.fill(0);
    y.fill(0);
  }
  return results;
}

/** Whether sealed[t, t+16) = Y ⊕ E(K, J0): every byte compared, one branch on the result. */
function tagMatches(sealed: Uint8Array, t: number, y: Int32Array, stream: Uint8Array, mask: number): boolean {
  let diff = 0;
  for (let w = 0; w < 4; w++) {
    const v = y[3 - w] as number;
    const p = t + 4 * w;
    const s = mask + 4 * w;
    diff |= (sealed[p] as number) ^ (v >>> 24) ^ (stream[s] as number);
    diff |= (sealed[p + 1] as number) ^ ((v >>> 16) & 0xff) ^ (stream[s + 1] as number);
    diff |= (sealed[p + 2] as number) ^ ((v >>> 8) & 0xff) ^ (stream[s + 2] as number);
    diff |= (sealed[p + 3] as number) ^ (v & 0xff) ^ (stream[s + 3] as number);
  }
  return diff === 0;
}

/**
 * Many values laid out in one buffer, for {@link gcmSealRecords} and
 * {@link gcmOpenRecords}: no object per value. Value i is the record
 * `nonce(12) ‖ ciphertext ‖ tag(16)` at `buf[at[i], at[i] + 28 + lengths[i])`
 * and its plaintext is at `plain[plainAt[i], plainAt[i] + lengths[i])`.
 */
export interface GcmRecords {
  readonly buf: Uint8Array;
  readonly at: Int32Array;
  /** Each value's plaintext length; -1 skips the value (another key's, or one the caller sends elsewhere). */
  readonly lengths: Int32Array;
  /** Each value's associated data (prepared for the key the call is given). */
  readonly aads: readonly GcmAad[];
  /** Bytes that follow every value's `aads[i]`, as {@link GcmSealInput.aadSuffix}. */
  readonly aadSuffix: Uint8Array | undefined;
  readonly plain: Uint8Array;
  readonly plainAt: Int32Array;
}

// The records functions' per-call arrays, reused (no allocation per call):
// lengths (public), and the GHASH state (secret: zeroed after each call).
let batchedScratch = new Int32Array(64);
const recordState = new Int32Array(4);

/** The lengths of `r` that go through the batch, in its first n entries: -1 for a skipped value or one longer than maxBatched. */
function batchedOf(r: GcmRecords, maxBatched: number): Int32Array {
  const n = r.lengths.length;
  if (batchedScratch.length < n) {
    batchedScratch = new Int32Array(Math.max(n, 2 * batchedScratch.length));
  }
  const batched = batchedScratch;
  for (let i = 0; i < n; i++) {
    const length = r.lengths[i] as number;
    batched[i] = length <= maxBatched ? length : -1;
  }
  return batched;
}

/** A Buffer over `bytes`' memory (no copy), for OpenSSL's GCM. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Seals every value of `r` that is not skipped: its nonce must be in place
 * at `buf[at[i], at[i] + 12)`; its `ciphertext ‖ tag` is written after it,
 * exactly as OpenSSL's AES-GCM makes it. The caller checks that the records
 * fit their buffers. `maxBatched` as for {@link gcmSealBatch}.
 *
 * @internal
 */
export function gcmSealRecords(key: SzcryptKey, r: GcmRecords, maxBatched = GCM_BATCH_MAX_PLAINTEXT): void {
  const batched = batchedOf(r, maxBatched);
  const n = r.lengths.length;
  const stream = keystreams(key, r.buf, r.at, batched, n);
  const k = stream === undefined ? undefined : ghashKeyFor(key);
  const y = recordState;
  try {
    let block = 0;
    for (let i = 0; i < n; i++) {
      const length = r.lengths[i] as number;
      if (length < 0) {
        continue;
      }
      const aad = r.aads[i] as GcmAad;
      const nonceAt = r.at[i] as number;
      const p = r.plainAt[i] as number;
      if ((batched[i] as number) < 0 || stream === undefined || k === undefined) {
        gcmSealInto(
          keyMaterial(key),
          r.buf.subarray(nonceAt, nonceAt + GCM_NONCE_BYTES),
          aadBytes(aad, r.aadSuffix),
          r.plain.subarray(p, p + length),
          asBuffer(r.buf),
          nonceAt + GCM_NONCE_BYTES,
        );
        continue;
      }
      sealOne(k, key, aad, r.aadSuffix, y, r.plain, p, length, stream, block * BLOCK, r.buf, nonceAt + GCM_NONCE_BYTES);
      block += 1 + blocksOf(length);
    }
  } finally {
    stream?.fill(0);
    y.fill(0);
  }
}

/**
 * Opens every value of `r` that is not skipped: when its tag verifies (in
 * constant time), its plaintext is written to `plain` at `plainAt[i]` and
 * `opened[i]` set to 1; otherwise nothing is written for it (no plaintext is
 * computed before its tag has verified) and `opened[i]` is left alone.
 * `maxBatched` as for {@link gcmSealBatch}.
 *
 * @internal
 */
export function gcmOpenRecords(key: SzcryptKey, r: GcmRecords, opened: Uint8Array, maxBatched = GCM_BATCH_MAX_PLAINTEXT): void {
  const batched = batchedOf(r, maxBatched);
  const n = r.lengths.length;
  const stream = keystreams(key, r.buf, r.at, batched, n);
  const k = stream === undefined ? undefined : ghashKeyFor(key);
  const y = recordState;
  try {
    let block = 0;
    for (let i = 0; i < n; i++) {
      const length = r.lengths[i] as number;
      if (length < 0) {
        continue;
      }
      const aad = r.aads[i] as GcmAad;
      const nonceAt = r.at[i] as number;
      const p = r.plainAt[i] as number;
      if ((batched[i] as number) < 0 || stream === undefined || k === undefined) {
        const s = nonceAt + GCM_NONCE_BYTES;
        const plain = gcmOpen(
          keyMaterial(key),
          r.buf.subarray(nonceAt, s),
          aadBytes(aad, r.aadSuffix),
          r.buf.subarray(s, s + length + GCM_TAG_BYTES),
        );
        if (plain !== undefined) {
          r.plain.set(plain, p);
          plain.fill(0);
          opened[i] = 1;
        }
        continue;
      }
      const mask = block * BLOCK;
      block += 1 + blocksOf(length);
      if (openOne(k, key, aad, r.aadSuffix, y, r.buf, nonceAt + GCM_NONCE_BYTES, length, stream, mask, r.plain, p)) {
        opened[i] = 1;
      }
    }
  } finally {
    stream?.fill(0);
    y.fill(0);
  }
}
