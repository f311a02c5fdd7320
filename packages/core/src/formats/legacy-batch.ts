import type { OracleGuard } from "../defence/oracle-guard.js";
import { base64DecodedLength, decodeBase64Into } from "../encoding/base64.js";
import type { SzcryptKey } from "../keys/key.js";
import { ecbFor } from "./aes-ecb.js";
import { BLOCK, paddedBlocks, unpaddedLength } from "./cbc-blocks.js";
import { encryptChained } from "./cbc-chain.js";
import { decryptLegacyBytes, encryptLegacyBytes } from "./legacy-cbc.js";
import { randomInto } from "./random.js";

// legacy-cbc for all the values of one message at once, byte for byte what
// the single-value codec (legacy-cbc.ts) makes and opens, with one native
// call each way:
// - encryption lays every value out in one buffer, each after a random block
//   that becomes its IV (cbc-chain.ts), and encrypts it all in one call; the
//   output holds every token as `iv ‖ ciphertext`, and one base64 encoding of
//   it gives every text token (tokens start at multiples of 48 bytes, so each
//   one's text is a substring, plus its last partial group);
// - decryption decodes every token into one buffer, back to back, runs one
//   ECB pass over all of it, then p = D(c) ⊕ previous c.
// Values longer than LARGE bytes go through the single-value codec (OpenSSL's
// own CBC) so that scratch space stays small. Every value handed out is an
// allocation of its own, and scratch space that held plaintext is zeroed.

/** Plaintexts (and tokens) longer than this take the single-value path. */
const LARGE = 4096;
// Blocks are laid out so that every token starts at a multiple of 3 blocks (48 bytes: whole base64 groups).
const GROUP_BLOCKS = 3;
// Up to this much output, text tokens are substrings of one base64 string: each
// keeps that whole string alive (all of the message's tokens, and the filler
// blocks' ciphertext) for as long as it lives, so only while it is small.
// Above it, one base64 call per token.
const SHARED_TEXT = 4096;

/** The most scratch space kept between messages; a larger message gets its own, dropped after. */
const KEPT_SCRATCH = 64 * 1024;
let scratch = Buffer.allocUnsafeSlow(4096);

// Plaintext goes here before it is encrypted: its own allocation (never
// Node's shared pool), zeroed after every use.
function scratchFor(bytes: number): Buffer {
  if (bytes > KEPT_SCRATCH) {
    return Buffer.allocUnsafeSlow(bytes);
  }
  if (scratch.length < bytes) {
    scratch = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * scratch.length));
  }
  return scratch;
}

/**
 * Per-value offsets, kept between calls (an allocation less per message);
 * `of(n)` hands out n entries set to -1. The batch functions never call out
 * while they hold one, so no second user can interleave.
 */
class Offsets {
  #array = new Int32Array(64);

  of(n: number): Int32Array {
    if (this.#array.length < n) {
      this.#array = new Int32Array(Math.max(n, 2 * this.#array.length));
    }
    this.#array.fill(-1, 0, n);
    return this.#array;
  }
}
const sealStarts = new Offsets();
const sealLengths = new Offsets();
const openStarts = new Offsets();
const openLengths = new Offsets();

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Encrypts each value as the single-value codec does, with fresh random IVs:
 * a string becomes its standard base64 token (after UTF-8, which the caller
 * has checked is well formed), bytes become `iv ‖ ciphertext` in an
 * allocation of their own.
 *
 * @internal
 */
export function sealLegacyValues(values: readonly (string | Uint8Array)[], key: SzcryptKey): (string | Uint8Array)[] {
  const n = values.length;
  const out: (string | Uint8Array)[] = new Array(n);
  // Room for the worst case: alignment, the IV block and 3 UTF-8 bytes per UTF-16 unit plus padding.
  let room = 0;
  let batched = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as string | Uint8Array;
    const bytes = typeof v === "string" ? 3 * v.length : v.length;
    if (bytes > LARGE && (typeof v !== "string" || Buffer.byteLength(v, "utf8") > LARGE)) {
      out[i] = typeof v === "string" ? largeText(v, key) : encryptLegacyBytes(v, key);
      continue;
    }
    room += (GROUP_BLOCKS + 1) * BLOCK + bytes + BLOCK;
    batched++;
  }
  if (batched === 0) {
    return out;
  }
  const buf = scratchFor(room);
  // Per batched value: where its token starts (the IV block) and its length.
  const starts = sealStarts.of(n);
  const lengths = sealLengths.of(n);
  let at = 0;
  try {
    for (let i = 0; i < n; i++) {
      if (out[i] !== undefined) {
        continue;
      }
      const v = values[i] as string | Uint8Array;
      // Filler blocks up to a multiple of 3 blocks: encrypted, never handed out.
      const fill = ((GROUP_BLOCKS - ((at / BLOCK) % GROUP_BLOCKS)) % GROUP_BLOCKS) * BLOCK;
      // Loops, not fill(): Buffer.fill's argument checks cost more than a few dozen stores.
      for (let j = 0; j < fill; j++) {
        buf[at + j] = 0;
      }
      at += fill;
      starts[i] = at;
      // R, the block whose ciphertext becomes the IV (never shown).
      randomInto(buf, at, BLOCK);
      at += BLOCK;
      let length: number;
      if (typeof v === "string") {
        length = buf.write(v, at, "utf8");
      } else {
        buf.set(v, at);
        length = v.length;
      }
      const padded = paddedBlocks(length) * BLOCK;
      for (let j = length; j < padded; j++) {
        buf[at + j] = padded - length;
      }
      at += padded;
      lengths[i] = BLOCK + padded;
    }
    const sealed = encryptChained(key, buf.subarray(0, at));
    let text: string | undefined;
    for (let i = 0; i < n; i++) {
      const start = starts[i] as number;
      if (start < 0) {
        continue;
      }
      const length = lengths[i] as number;
      if (typeof values[i] !== "string") {
        const token = new Uint8Array(length);
        token.set(sealed.subarray(start, start + length));
        out[i] = token;
        continue;
      }
      if (sealed.length > SHARED_TEXT) {
        out[i] = sealed.toString("base64", start, start + length);
        continue;
      }
      text ??= sealed.toString("base64");
      const whole = Math.floor(length / 3);
      const from = (start / 3) * 4;
      out[i] = text.substring(from, from + 4 * whole) + lastGroup(sealed, start + 3 * whole, length - 3 * whole);
    }
  } finally {
    buf.fill(0, 0, at);
  }
  return out;
}

/** The base64 of the last 1 or 2 bytes of a token, with its padding ("" for none). */
function lastGroup(bytes: Uint8Array, at: number, count: number): string {
  if (count === 0) {
    return "";
  }
  const x = bytes[at] as number;
  if (count === 1) {
    return `${ALPHABET[x >> 2]}${ALPHABET[(x & 3) << 4]}==`;
  }
  const y = bytes[at + 1] as number;
  return `${ALPHABET[x >> 2]}${ALPHABET[((x & 3) << 4) | (y >> 4)]}${ALPHABET[(y & 15) << 2]}=`;
}

function largeText(value: string, key: SzcryptKey): string {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(value, "utf8"));
  bytes.write(value, 0, "utf8");
  const token = encryptLegacyBytes(bytes, key);
  bytes.fill(0);
  return Buffer.from(token.buffer, token.byteOffset, token.byteLength).toString("base64");
}

/**
 * What {@link openLegacyValues} makes of one token: its plaintext, or why not.
 * MALFORMED: not strict base64 of an IV plus whole blocks; FAILED: bad padding
 * (or, for text, bad UTF-8); REFUSED: the oracle guard refused it.
 *
 * @internal
 */
export const LEGACY_MALFORMED = 0;
/** @internal See {@link LEGACY_MALFORMED}. */
export const LEGACY_FAILED = 1;
/** @internal See {@link LEGACY_MALFORMED}. */
export const LEGACY_REFUSED = 2;
/** @internal */
export type LegacyOutcome = string | Uint8Array | typeof LEGACY_MALFORMED | typeof LEGACY_FAILED | typeof LEGACY_REFUSED;

/** The oracle guard as the batch uses it (defence/oracle-guard.ts). @internal */
export type LegacyGuard = Pick<OracleGuard, "refusesRange" | "recordFailureRange">;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Decrypts each token: a string is strict standard base64 of `iv ‖
 * ciphertext` and comes back as text (strict UTF-8, a leading BOM kept, as
 * Python's `bytes.decode`); bytes are raw `iv ‖ ciphertext` and come back in
 * an allocation of their own. `guard` is asked before each value and told of
 * each that fails.
 *
 * @internal
 */
export function openLegacyValues(
  tokens: readonly (string | Uint8Array)[],
  key: SzcryptKey,
  guard: LegacyGuard | undefined,
): LegacyOutcome[] {
  const n = tokens.length;
  const out: LegacyOutcome[] = new Array(n);
  // Per batched token: where it starts in the batch buffer, and its length.
  const starts = openStarts.of(n);
  const lengths = openLengths.of(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const t = tokens[i] as string | Uint8Array;
    const length = typeof t === "string" ? base64DecodedLength(t, "base64") : t.length;
    if (length < 2 * BLOCK || length % BLOCK !== 0) {
      out[i] = LEGACY_MALFORMED;
    } else if (length > LARGE) {
      out[i] = openLarge(t, key, guard);
    } else {
      starts[i] = total;
      lengths[i] = length;
      total += length;
    }
  }
  if (total === 0) {
    return out;
  }
  // Ciphertext only: public, so Node's pool may hold it.
  const sealed = Buffer.allocUnsafe(total);
  let checks = 0;
  for (let i = 0; i < n; i++) {
    const start = starts[i] as number;
    if (start < 0) {
      continue;
    }
    const t = tokens[i] as string | Uint8Array;
    if (typeof t === "string") {
      if (!decodeBase64Into(t, "base64", sealed, start)) {
        out[i] = LEGACY_MALFORMED;
        starts[i] = -1;
        continue;
      }
    } else {
      sealed.set(t, start);
    }
    checks++;
  }
  if (checks === 0) {
    return out;
  }
  if (guard !== undefined) {
    for (let i = 0; i < n; i++) {
      const start = starts[i] as number;
      if (start >= 0 && guard.refusesRange(sealed, start, start + (lengths[i] as number))) {
        out[i] = LEGACY_REFUSED;
        starts[i] = -1;
      }
    }
  }
  // One ECB pass over everything, IV blocks included (a wasted block each,
  // cheaper than a copy); each plaintext block is then D(c) ⊕ the block before.
  const plain = ecbFor(key).decrypt(sealed);
  try {
    // p = D(c) ⊕ the block before, for every block after the first (a token's
    // IV block comes out as garbage and is never read), a word at a time.
    const words = wordsOf(plain);
    const previous = wordsOf(sealed);
    if (words !== undefined && previous !== undefined) {
      for (let w = 4; w < words.length; w++) {
        words[w] = (words[w] as number) ^ (previous[w - 4] as number);
      }
    } else {
      for (let j = BLOCK; j < plain.length; j++) {
        plain[j] = (plain[j] as number) ^ (sealed[j - BLOCK] as number);
      }
    }
    for (let i = 0; i < n; i++) {
      const start = starts[i] as number;
      if (start < 0) {
        continue;
      }
      const end = start + (lengths[i] as number);
      const length = unpaddedLength(plain, start + BLOCK, end);
      const result =
        length < 0
          ? undefined
          : typeof tokens[i] === "string"
            ? text(plain, words, start + BLOCK, end, length)
            : copy(plain, start + BLOCK, length);
      if (result === undefined) {
        // Bad padding or bad UTF-8: both are oracles an attacker probes.
        guard?.recordFailureRange(sealed, start, end);
        out[i] = LEGACY_FAILED;
      } else {
        out[i] = result;
      }
    }
  } finally {
    plain.fill(0);
  }
  return out;
}

// A 32-bit view of a whole-blocks buffer, when it is aligned for one.
function wordsOf(bytes: Buffer): Int32Array | undefined {
  return (bytes.byteOffset & 3) === 0 ? new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2) : undefined;
}

function view(bytes: Buffer, start: number, length: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, length);
}

// Strict UTF-8 text of the value at plain[start, start + length), whose
// padded blocks end at `end`. ASCII, the common case, needs neither a view
// nor a validating decoder: whether every byte of the blocks (padding bytes
// are below 0x80 too) is ASCII is one branch after reading every word, as
// Node's own decoders branch on it.
function text(plain: Buffer, words: Int32Array | undefined, start: number, end: number, length: number): string | undefined {
  let any = 0;
  if (words !== undefined) {
    for (let w = start >> 2; w < end >> 2; w++) {
      any |= words[w] as number;
    }
    any &= 0x80808080;
  } else {
    for (let i = start; i < end; i++) {
      any |= plain[i] as number;
    }
    any &= 0x80;
  }
  return any === 0 ? plain.toString("latin1", start, start + length) : strictUtf8(view(plain, start, length));
}

// Strict UTF-8, a leading BOM kept (Python's bytes.decode), or undefined.
function strictUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function copy(plain: Buffer, start: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  out.set(view(plain, start, length));
  return out;
}

function openLarge(token: string | Uint8Array, key: SzcryptKey, guard: LegacyGuard | undefined): LegacyOutcome {
  let raw: Uint8Array;
  if (typeof token === "string") {
    const length = base64DecodedLength(token, "base64");
    const bytes = Buffer.allocUnsafe(length);
    if (!decodeBase64Into(token, "base64", bytes, 0)) {
      return LEGACY_MALFORMED;
    }
    raw = bytes;
  } else {
    raw = token;
  }
  if (guard?.refusesRange(raw, 0, raw.length)) {
    return LEGACY_REFUSED;
  }
  let plain: Uint8Array;
  try {
    plain = decryptLegacyBytes(raw, key);
  } catch {
    guard?.recordFailureRange(raw, 0, raw.length);
    return LEGACY_FAILED;
  }
  if (typeof token !== "string") {
    return plain;
  }
  const result = strictUtf8(plain);
  plain.fill(0);
  if (result === undefined) {
    guard?.recordFailureRange(raw, 0, raw.length);
    return LEGACY_FAILED;
  }
  return result;
}
