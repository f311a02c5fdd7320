// GHASH (NIST SP 800-38D, 6.4) in constant time, for the batched AES-GCM of
// gcm-batch.ts. The multiplication in GF(2^128) is carry-less, built from
// integer multiplications "with holes" (the formulation of BearSSL's
// ghash_ctmul32, by Thomas Pornin): keeping only every fourth bit of each
// operand, an integer product never carries from one kept bit into the next,
// so bit k of the product is the parity of the carry-less sum at k. Math.imul
// gives the low 32 bits of such a product; the high 32 bits come from the
// same product of the bit-reversed operands, since rev(x)·rev(y) = rev(x·y).
// Karatsuba makes a 128×128 product of nine 32×32 ones (eighteen with the
// reversals), 288 Math.imul per block.
//
// A short value's ciphertext is hashed another way (ghashAggregate): GHASH is
// linear, so it is a constant (the AAD's and the lengths' terms, kept per AAD
// and length) plus each ciphertext block times a power of H, and a block
// times H^p is the sum of 32 entries of H^p's nibble tables, one per 4-bit
// nibble of the block. Those tables hold secret values but are indexed by
// the ciphertext, which is public: which entries are read shows only what
// the wire already shows.
//
// No table is indexed and no branch is taken on the key (H), the GHASH state
// or secret data: the multiply is straight-line 32-bit integer arithmetic,
// and the nibble tables are indexed by public ciphertext only. What that does
// and does not promise under a JIT is in SECURITY.md ("The batched AES-GCM").
//
// Words: a block's bytes 0..3 read big-endian are w3, bytes 12..15 are w0, so
// the block is the 128-bit integer w3:w2:w1:w0. GCM's bit order makes that
// integer the bit-reversal of the field element; the product of two reversed
// elements is the reversed product shifted right by one, which the reduction
// below undoes.

import { randomFillSync } from "node:crypto";

const M1 = 0x11111111;
const M2 = 0x22222222;
const M4 = 0x44444444;
const M8 = 0x88888888 | 0;

/**
 * A GHASH key: the 18 operand words Karatsuba needs of H (9 plain, 9
 * bit-reversed), each stored as its four "holed" masks. Derived from the
 * secret H: never shown, logged or compared.
 */
export type GhashKey = Int32Array;

/** GHASH state Y as the words [w0, w1, w2, w3] (see above). */
export type GhashState = Int32Array;

function rev32(x: number): number {
  x = ((x & 0x55555555) << 1) | ((x >>> 1) & 0x55555555);
  x = ((x & 0x33333333) << 2) | ((x >>> 2) & 0x33333333);
  x = ((x & 0x0f0f0f0f) << 4) | ((x >>> 4) & 0x0f0f0f0f);
  x = ((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff);
  return (x << 16) | (x >>> 16);
}

/** The low 32 bits of the carry-less product of x and the word whose masks are k[i..i+3]. */
function clmulLow(x: number, k: Int32Array, i: number): number {
  const x0 = x & M1;
  const x1 = x & M2;
  const x2 = x & M4;
  const x3 = x & M8;
  const y0 = k[i] as number;
  const y1 = k[i + 1] as number;
  const y2 = k[i + 2] as number;
  const y3 = k[i + 3] as number;
  const z0 = Math.imul(x0, y0) ^ Math.imul(x1, y3) ^ Math.imul(x2, y2) ^ Math.imul(x3, y1);
  const z1 = Math.imul(x0, y1) ^ Math.imul(x1, y0) ^ Math.imul(x2, y3) ^ Math.imul(x3, y2);
  const z2 = Math.imul(x0, y2) ^ Math.imul(x1, y1) ^ Math.imul(x2, y0) ^ Math.imul(x3, y3);
  const z3 = Math.imul(x0, y3) ^ Math.imul(x1, y2) ^ Math.imul(x2, y1) ^ Math.imul(x3, y0);
  return (z0 & M1) | (z1 & M2) | (z2 & M4) | (z3 & M8);
}

/** The high 32 bits (bits 32..62) of a carry-less product, from the low half of the reversed one. */
function high(reversedLow: number): number {
  return rev32(reversedLow) >>> 1;
}

/**
 * The most blocks {@link ghashAggregate} hashes: the key keeps H^1 to
 * H^(this + 1), enough for a 96-byte value (gcm-batch.ts's longest).
 */
export const GHASH_AGGREGATE_MAX_BLOCKS = 6;
const KEY_INTS = 72;

// After the powers' Karatsuba words: per power H^p, per nibble position q of
// a block (0-31, byte order, high nibble first), per nibble value v, the
// element (the block that is v at q and zero elsewhere)·H^p as [w0..w3].
const POWER_INTS = KEY_INTS * (GHASH_AGGREGATE_MAX_BLOCKS + 1);
const TABLE_INTS = 32 * 16 * 4;

/**
 * The GHASH key for H, the 16 bytes E(K, 0^128) at h[offset..offset+16):
 * H^1 to H^(GHASH_AGGREGATE_MAX_BLOCKS + 1) as Karatsuba words, and each
 * power's nibble tables for {@link ghashAggregate}.
 */
export function ghashKey(h: Uint8Array, offset: number): GhashKey {
  const key = new Int32Array(POWER_INTS + TABLE_INTS * (GHASH_AGGREGATE_MAX_BLOCKS + 1));
  const y = new Int32Array(4);
  y[3] = readWord(h, offset);
  y[2] = readWord(h, offset + 4);
  y[1] = readWord(h, offset + 8);
  y[0] = readWord(h, offset + 12);
  keyWords(key, 0, y);
  // H^p = H^(p-1)·H: the same multiply as every block.
  for (let p = 2; p <= GHASH_AGGREGATE_MAX_BLOCKS + 1; p++) {
    multiply(key, y);
    keyWords(key, KEY_INTS * (p - 1), y);
  }
  for (let p = 1; p <= GHASH_AGGREGATE_MAX_BLOCKS + 1; p++) {
    const t = POWER_INTS + TABLE_INTS * (p - 1);
    for (let q = 0; q < 32; q++) {
      // The four one-bit values by the constant-time multiply, the other eleven as their sums (linearity).
      const shift = 24 - 8 * ((q >> 1) & 3) + (q & 1 ? 0 : 4);
      const word = 3 - (q >> 3);
      for (let bit = 0; bit < 4; bit++) {
        y.fill(0);
        y[word] = (1 << bit) << shift;
        multiplyBy(key, KEY_INTS * (p - 1), y);
        key.set(y, t + (q * 16 + (1 << bit)) * 4);
      }
      for (let v = 3; v < 16; v++) {
        const low = v & -v;
        if (low !== v) {
          for (let w = 0; w < 4; w++) {
            key[t + (q * 16 + v) * 4 + w] = (key[t + (q * 16 + low) * 4 + w] as number) ^ (key[t + (q * 16 + (v ^ low)) * 4 + w] as number);
          }
        }
      }
    }
  }
  y.fill(0);
  return key;
}

/** The 18 operand words Karatsuba needs of the element y, as masks, at key[base..base+72). */
function keyWords(key: Int32Array, base: number, y: Int32Array): void {
  const w0 = y[0] as number;
  const w1 = y[1] as number;
  const w2 = y[2] as number;
  const w3 = y[3] as number;
  const r0 = rev32(w0);
  const r1 = rev32(w1);
  const r2 = rev32(w2);
  const r3 = rev32(w3);
  const words = [
    w0,
    w1,
    w2,
    w3,
    w0 ^ w1,
    w2 ^ w3,
    w0 ^ w2,
    w1 ^ w3,
    w0 ^ w1 ^ w2 ^ w3,
    r0,
    r1,
    r2,
    r3,
    r0 ^ r1,
    r2 ^ r3,
    r0 ^ r2,
    r1 ^ r3,
    r0 ^ r1 ^ r2 ^ r3,
  ];
  for (let i = 0; i < 18; i++) {
    const w = words[i] as number;
    key[base + 4 * i] = w & M1;
    key[base + 4 * i + 1] = w & M2;
    key[base + 4 * i + 2] = w & M4;
    key[base + 4 * i + 3] = w & M8;
  }
  words.fill(0);
}

/** A fresh GHASH state (Y = 0). */
export function ghashState(): GhashState {
  return new Int32Array(4);
}

/** Y = Y·H in GF(2^128), in place. */
function multiply(k: GhashKey, y: GhashState): void {
  multiplyBy(k, 0, y);
}

/** Y = Y·H^p in GF(2^128), in place, where the Karatsuba words of H^p are at k[b..b+72). */
function multiplyBy(k: GhashKey, b: number, y: GhashState): void {
  const a0 = y[0] as number;
  const a1 = y[1] as number;
  const a2 = y[2] as number;
  const a3 = y[3] as number;
  const r0 = rev32(a0);
  const r1 = rev32(a1);
  const r2 = rev32(a2);
  const r3 = rev32(a3);
  // Karatsuba, three levels of names: low half (words 0,1), high half (2,3), their sum.
  const c0 = clmulLow(a0, k, b);
  const c1 = clmulLow(a1, k, b + 4);
  const c2 = clmulLow(a2, k, b + 8);
  const c3 = clmulLow(a3, k, b + 12);
  const c4 = clmulLow(a0 ^ a1, k, b + 16) ^ c0 ^ c1;
  const c5 = clmulLow(a2 ^ a3, k, b + 20) ^ c2 ^ c3;
  const c6 = clmulLow(a0 ^ a2, k, b + 24);
  const c7 = clmulLow(a1 ^ a3, k, b + 28);
  const c8 = clmulLow(a0 ^ a1 ^ a2 ^ a3, k, b + 32) ^ c6 ^ c7;
  const e0 = clmulLow(r0, k, b + 36);
  const e1 = clmulLow(r1, k, b + 40);
  const e2 = clmulLow(r2, k, b + 44);
  const e3 = clmulLow(r3, k, b + 48);
  const e4 = clmulLow(r0 ^ r1, k, b + 52) ^ e0 ^ e1;
  const e5 = clmulLow(r2 ^ r3, k, b + 56) ^ e2 ^ e3;
  const e6 = clmulLow(r0 ^ r2, k, b + 60);
  const e7 = clmulLow(r1 ^ r3, k, b + 64);
  const e8 = clmulLow(r0 ^ r1 ^ r2 ^ r3, k, b + 68) ^ e6 ^ e7;
  // The 64×64 products, as words low to high:
  //   low  = [c0, c4^h(e0), c1^h(e4), h(e1)]
  //   high = [c2, c5^h(e2), c3^h(e5), h(e3)]
  //   mid  = [c6, c8^h(e6), c7^h(e8), h(e7)], then mid ^= low ^ high,
  // summed at 0, 128 and 64 bits (h is linear, so the XORs go inside it).
  const d0 = c0;
  const d1 = c4 ^ high(e0);
  const d2 = c1 ^ c0 ^ c2 ^ c6 ^ high(e4);
  const d3 = c4 ^ c5 ^ c8 ^ high(e1 ^ e0 ^ e2 ^ e6);
  const d4 = c2 ^ c1 ^ c3 ^ c7 ^ high(e4 ^ e5 ^ e8);
  const d5 = c5 ^ high(e2 ^ e1 ^ e3 ^ e7);
  const d6 = c3 ^ high(e5);
  const d7 = high(e3);
  // The reversed product is one bit short of 256: shift it into place.
  const z0 = d0 << 1;
  const z1 = (d1 << 1) | (d0 >>> 31);
  const z2 = (d2 << 1) | (d1 >>> 31);
  let z3 = (d3 << 1) | (d2 >>> 31);
  let z4 = (d4 << 1) | (d3 >>> 31);
  let z5 = (d5 << 1) | (d4 >>> 31);
  let z6 = (d6 << 1) | (d5 >>> 31);
  let z7 = (d7 << 1) | (d6 >>> 31);
  // Reduce modulo x^128 + x^7 + x^2 + x + 1 (in reversed order: the low words
  // are the high powers). Word 3 is folded after word 0 has spilt into it.
  z4 ^= z0 ^ (z0 >>> 1) ^ (z0 >>> 2) ^ (z0 >>> 7);
  z3 ^= (z0 << 31) ^ (z0 << 30) ^ (z0 << 25);
  z5 ^= z1 ^ (z1 >>> 1) ^ (z1 >>> 2) ^ (z1 >>> 7);
  z4 ^= (z1 << 31) ^ (z1 << 30) ^ (z1 << 25);
  z6 ^= z2 ^ (z2 >>> 1) ^ (z2 >>> 2) ^ (z2 >>> 7);
  z5 ^= (z2 << 31) ^ (z2 << 30) ^ (z2 << 25);
  z7 ^= z3 ^ (z3 >>> 1) ^ (z3 >>> 2) ^ (z3 >>> 7);
  z6 ^= (z3 << 31) ^ (z3 << 30) ^ (z3 << 25);
  y[0] = z4;
  y[1] = z5;
  y[2] = z6;
  y[3] = z7;
}

function readWord(b: Uint8Array, i: number): number {
  return ((b[i] as number) << 24) | ((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number);
}

/**
 * Absorbs data[start, end) into Y, the last partial block padded with zeros
 * (so AAD and ciphertext are each absorbed by one call).
 */
export function ghashUpdate(k: GhashKey, y: GhashState, data: Uint8Array, start: number, end: number): void {
  let i = start;
  for (; i + 16 <= end; i += 16) {
    y[3] = (y[3] as number) ^ readWord(data, i);
    y[2] = (y[2] as number) ^ readWord(data, i + 4);
    y[1] = (y[1] as number) ^ readWord(data, i + 8);
    y[0] = (y[0] as number) ^ readWord(data, i + 12);
    multiply(k, y);
  }
  if (i < end) {
    // The length of a value is public: branching on it leaks nothing new.
    for (let j = 0; i + j < end; j++) {
      const b = data[i + j] as number;
      const word = 3 - (j >> 2);
      y[word] = (y[word] as number) ^ (b << (24 - 8 * (j & 3)));
    }
    multiply(k, y);
  }
}

/**
 * y = c ⊕ Σ X_i·H^(m+2-i) over the m blocks X_1..X_m of data[start, end)
 * (m at most {@link GHASH_AGGREGATE_MAX_BLOCKS}, the last padded with
 * zeros), each product read from H^(m+2-i)'s nibble tables: GHASH by
 * Horner's rule, unrolled. With c = S·H^(m+1) ⊕ L·H (S the state after the
 * associated data, L the lengths block) it is GHASH over the whole input, as
 * {@link ghashUpdate} then {@link ghashLengths} would give.
 *
 * `data` must be public (a ciphertext): it indexes the tables.
 */
export function ghashAggregate(k: GhashKey, y: GhashState, data: Uint8Array, start: number, end: number, c: Int32Array): void {
  const m = (end - start + 15) >>> 4;
  if (m > GHASH_AGGREGATE_MAX_BLOCKS) {
    throw new RangeError("szcrypt internal error: ghashAggregate takes at most 6 blocks");
  }
  let y0 = c[0] as number;
  let y1 = c[1] as number;
  let y2 = c[2] as number;
  let y3 = c[3] as number;
  for (let i = 0; i < m; i++) {
    // Block i+1 times H^(m-i): the sum of its 32 nibbles' table entries.
    // Only a ciphertext may come here (never an AAD: a context can be
    // secret): it is public, so indexing by it shows nothing but itself; the
    // entries, which are secret, are only XORed.
    const t = POWER_INTS + TABLE_INTS * (m - i);
    const o = start + 16 * i;
    // The length of a value is public: branching on it leaks nothing new.
    const n = Math.min(16, end - o);
    for (let j = 0; j < n; j++) {
      const b = data[o + j] as number;
      const hi = t + (2 * j * 16 + (b >>> 4)) * 4;
      const lo = t + ((2 * j + 1) * 16 + (b & 15)) * 4;
      y0 ^= (k[hi] as number) ^ (k[lo] as number);
      y1 ^= (k[hi + 1] as number) ^ (k[lo + 1] as number);
      y2 ^= (k[hi + 2] as number) ^ (k[lo + 2] as number);
      y3 ^= (k[hi + 3] as number) ^ (k[lo + 3] as number);
    }
  }
  y[0] = y0;
  y[1] = y1;
  y[2] = y2;
  y[3] = y3;
}

/**
 * Continues GHASH from y (the state after the associated data, secret) over
 * the ciphertext data[start, end) (at most GHASH_AGGREGATE_MAX_BLOCKS
 * blocks, public) and the lengths block: y·H^(m+1) by one multiply, the
 * ciphertext's and the lengths' terms from the tables. The same result as
 * {@link ghashUpdate} then {@link ghashLengths}.
 */
export function ghashFinish(k: GhashKey, y: GhashState, data: Uint8Array, start: number, end: number, aadBytes: number): void {
  const m = (end - start + 15) >>> 4;
  if (m > GHASH_AGGREGATE_MAX_BLOCKS) {
    throw new RangeError("szcrypt internal error: ghashFinish takes at most 6 blocks");
  }
  multiplyBy(k, KEY_INTS * m, y);
  const ciphertextBytes = end - start;
  // L·H from H's tables: the lengths are public.
  const l3 = Math.floor(aadBytes / 0x20000000);
  const l2 = aadBytes * 8;
  const l1 = Math.floor(ciphertextBytes / 0x20000000);
  const l0 = ciphertextBytes * 8;
  for (let q = 0; q < 32; q++) {
    const word = q >> 3;
    const w = word === 0 ? l3 : word === 1 ? l2 : word === 2 ? l1 : l0;
    const v = (w >>> (24 - 8 * ((q >> 1) & 3) + (q & 1 ? 0 : 4))) & 15;
    const e = POWER_INTS + (q * 16 + v) * 4;
    y[0] = (y[0] as number) ^ (k[e] as number);
    y[1] = (y[1] as number) ^ (k[e + 1] as number);
    y[2] = (y[2] as number) ^ (k[e + 2] as number);
    y[3] = (y[3] as number) ^ (k[e + 3] as number);
  }
  ghashAggregate(k, y, data, start, end, y);
}

/** Throwaway keys made by the warm-up (see ghashWarmUp). */
const WARM_KEYS = 6;

/**
 * Runs GHASH over random data under a random, thrown-away key, enough blocks
 * (12,288, and ~5,000 in the aggregated form: ~30 ms of CPU once) for V8 to
 * optimize it before it sees a real key: its first tiers box any integer outside 31 bits, so their timing
 * depends on the values, and Node 20 and 22 stay in them for 5,000 to 9,000
 * blocks (Node 24 for about 1,000). This shortens that window to before the
 * first secret; it cannot promise V8 has finished (see SECURITY.md).
 */
export function ghashWarmUp(): void {
  const data = new Uint8Array(4096);
  const key = new Uint8Array(16);
  randomFillSync(data);
  // Several throwaway keys: making a key builds its power tables (some 10,000
  // multiplies and XORs), which V8 optimizes only once the function has run
  // a few times; every real key is then made by optimized code.
  for (let i = 0; i < WARM_KEYS; i++) {
    randomFillSync(key);
    ghashKey(key, 0);
  }
  randomFillSync(key);
  const k = ghashKey(key, 0);
  const y = ghashState();
  for (let i = 0; i < 48; i++) {
    ghashUpdate(k, y, data, 0, data.length);
  }
  ghashLengths(k, y, 1, 1);
  // And the aggregated form (~5,000 blocks more), whose XORs of table entries are its own code.
  for (let i = 0; i < 1024; i++) {
    ghashAggregate(k, y, data, 16 * (i & 63), 16 * (i & 63) + 96 - (i & 15), y);
  }
  // And its form after a context suffix.
  for (let i = 0; i < 4096; i++) {
    ghashFinish(k, y, data, 16 * (i & 63), 16 * (i & 63) + 96 - (i & 15), i);
  }
}

/** Absorbs the closing block: the AAD's and the ciphertext's lengths in bits. */
export function ghashLengths(k: GhashKey, y: GhashState, aadBytes: number, ciphertextBytes: number): void {
  y[3] = (y[3] as number) ^ Math.floor(aadBytes / 0x20000000);
  y[2] = (y[2] as number) ^ (aadBytes * 8);
  y[1] = (y[1] as number) ^ Math.floor(ciphertextBytes / 0x20000000);
  y[0] = (y[0] as number) ^ (ciphertextBytes * 8);
  multiply(k, y);
}
