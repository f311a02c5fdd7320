// legacy-cbc has a padding oracle that no error message can hide: a forged
// `IV'‖C` either decrypts (the handler runs) or does not (INVALID_ARGUMENT).
// Each probe that fails says a little about D(C); recovering a byte takes on
// the order of a hundred failures, all of them on the same ciphertext block.
// Honest tokens never repeat a block (random IVs), so this guard counts
// failures per block and, past a threshold, refuses values carrying that
// block without decrypting them. SECURITY.md gives the numbers behind the
// defaults.
//
// Which blocks: the last one (the padding check reads only it) and the first
// one after the IV (for text, every block must also be valid UTF-8, another
// oracle, and the only block an attacker can steer without turning the block
// before it to garbage is the one right after the IV it controls).
//
// Two structures, both fixed-size and allocated on the first failure:
// - a count-min sketch of failures per block over the last one to two windows
//   (two generations, rotated every window). Flooding cannot lower a count in
//   it, only raise others';
// - a table of refused blocks, compared byte for byte, so that a value is
//   refused only for a block that really failed `threshold` times: an honest
//   token, whose blocks never failed, is never refused, however full the
//   sketch. Eviction takes the entry with the fewest failures and refused
//   probes, so junk evicts a block that is still being probed only by
//   outnumbering its probes in its (secret) bucket: each extra decryption a
//   flood buys costs about a table's worth of junk (SECURITY.md).
// Refusing from the sketch alone would survive any flood, but a flood would
// then saturate it and refuse honest values: the sketch only counts.
// Both are indexed by HalfSipHash under a per-process random key, so blocks
// that collide in them cannot be chosen.

import { randomFillSync } from "node:crypto";
import { DECRYPT_FAILED_MESSAGE, isSzcryptError, SzcryptError } from "../errors/szcrypt-error.js";
import { BLOCK } from "../formats/cbc-blocks.js";
import { type HashKey, halfSipHash16 } from "./keyed-hash.js";

/** How the legacy-cbc oracle guard counts and refuses; every field has a default. */
export interface OracleGuardOptions {
  /**
   * Failures of one ciphertext block, within the window, after which values
   * carrying it are refused without decrypting. Default 2: an attacker gets 2
   * decryptions of a block per refusal period instead of the ~128 per byte the
   * attack needs. An integer from 1 to 31.
   */
  readonly threshold?: number;
  /** How long failures are counted: between one and two windows. Default 10 minutes. */
  readonly windowMs?: number;
  /** How long a block stays refused after its last counted failure. Default 1 hour. */
  readonly refuseMs?: number;
  /** The clock, in milliseconds. For tests; default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Bounds the legacy-cbc padding oracle in one process; see
 * {@link createOracleGuard}. FieldCrypto calls it on every legacy-cbc value it
 * decrypts; share one guard between the FieldCryptos that use the same key.
 */
export interface OracleGuard {
  readonly threshold: number;
  readonly windowMs: number;
  readonly refuseMs: number;
  /** Bytes of table memory held now: 0 until the first failure, then {@link ORACLE_GUARD_MEMORY_BYTES}, never more. */
  readonly memoryBytes: number;
  /**
   * Whether a legacy value, raw `iv ‖ ciphertext` of whole blocks, must be
   * refused without decrypting. Allocates nothing; costs one comparison while
   * no block is refused.
   */
  refuses(raw: Uint8Array): boolean;
  /** Counts a legacy value that failed to decrypt (bad padding or bad UTF-8). */
  recordFailure(raw: Uint8Array): void;
  /** @internal {@link OracleGuard.refuses} for the value at bytes[start, end), without a view. */
  refusesRange(bytes: Uint8Array, start: number, end: number): boolean;
  /** @internal {@link OracleGuard.recordFailure} for the value at bytes[start, end). */
  recordFailureRange(bytes: Uint8Array, start: number, end: number): void;
}

const ROWS = 4;
const COLUMNS = 1 << 16;
const WAYS = 8;
const BUCKETS = 1 << 12;
const ENTRIES = BUCKETS * WAYS;
const brand = Symbol.for("szcrypt.OracleGuard");

/** The table memory one guard allocates on its first failure: 2 × 4 × 65,536 one-byte counters and 32,768 refused blocks. */
export const ORACLE_GUARD_MEMORY_BYTES = 2 * ROWS * COLUMNS + ENTRIES * (4 * 4 + 8 + 2);

/** The defaults, for documentation and tests. */
export const ORACLE_GUARD_DEFAULTS = { threshold: 2, windowMs: 10 * 60_000, refuseMs: 60 * 60_000 } as const;

/**
 * Creates a guard against the legacy-cbc padding oracle: once the same
 * ciphertext block has failed to decrypt `threshold` times within a window,
 * every value carrying it is refused for `refuseMs`, without decrypting and
 * with exactly the failure any undecryptable value gets. Memory is bounded
 * ({@link ORACLE_GUARD_MEMORY_BYTES}) and no peer identity is needed.
 *
 * FieldCrypto and the transports create one by default wherever legacy-cbc is
 * accepted; pass `oracleGuard: false` to switch it off.
 *
 * @example
 * ```ts
 * const guard = createOracleGuard({ threshold: 2 });
 * const crypto = createFieldCrypto({ key, oracleGuard: guard });
 * ```
 * @throws SzcryptError CONFIG_INVALID for a threshold or duration out of range.
 */
export function createOracleGuard(options: OracleGuardOptions = {}): OracleGuard {
  const threshold = options.threshold ?? ORACLE_GUARD_DEFAULTS.threshold;
  const windowMs = options.windowMs ?? ORACLE_GUARD_DEFAULTS.windowMs;
  const refuseMs = options.refuseMs ?? ORACLE_GUARD_DEFAULTS.refuseMs;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 31) {
    throw new SzcryptError("CONFIG_INVALID", "oracleGuard.threshold must be an integer from 1 to 31");
  }
  for (const [name, ms] of [
    ["windowMs", windowMs],
    ["refuseMs", refuseMs],
  ] as const) {
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) {
      throw new SzcryptError("CONFIG_INVALID", `oracleGuard.${name} must be a positive number of milliseconds`);
    }
  }
  return new Guard(threshold, windowMs, refuseMs, options.now ?? Date.now);
}

/** Whether `arg` is an {@link OracleGuard} made by {@link createOracleGuard}. */
export function isOracleGuard(arg: unknown): arg is OracleGuard {
  return typeof arg === "object" && arg !== null && (arg as { [brand]?: unknown })[brand] === true;
}

const REFUSAL_MESSAGE =
  "refused without decrypting: a ciphertext block of this legacy-cbc value has failed to decrypt too often, " +
  "as in a padding-oracle attack (see SECURITY.md)";

/**
 * The error for a refused value: DECRYPT_FAILED with the one message every
 * decryption failure has, so that callers cannot tell it apart. Its `cause`
 * (DECRYPT_REFUSED, for the service's logs through `onError`) says why.
 *
 * @internal
 */
export function oracleGuardRefusal(): SzcryptError {
  return new SzcryptError("DECRYPT_FAILED", DECRYPT_FAILED_MESSAGE, { cause: new SzcryptError("DECRYPT_REFUSED", REFUSAL_MESSAGE) });
}

/**
 * Whether `err` is a value refused by an oracle guard (a DECRYPT_FAILED whose
 * cause is DECRYPT_REFUSED): for the service's own logs, never for the caller.
 *
 * @example
 * ```ts
 * createServerInterceptor({ onError: (err) => isOracleGuardRefusal(err) && log.warn("legacy-cbc padding-oracle probe refused") });
 * ```
 */
export function isOracleGuardRefusal(err: unknown): boolean {
  return isSzcryptError(err, "DECRYPT_FAILED") && isSzcryptError(err.cause, "DECRYPT_REFUSED");
}

class Guard implements OracleGuard {
  readonly [brand] = true;
  private readonly key: HashKey;
  private readonly h = new Uint32Array(2);
  private readonly idx = new Int32Array(ROWS);
  // Allocated on the first failure: a service that never sees one pays nothing.
  private cur: Uint8Array | undefined;
  private prev: Uint8Array | undefined;
  private words: Int32Array | undefined;
  private until: Float64Array | undefined;
  private counts: Uint16Array | undefined;
  private genStart = 0;
  // The latest expiry of any refused block; 0 when none can be live.
  private refuseUntil = 0;

  constructor(
    readonly threshold: number,
    readonly windowMs: number,
    readonly refuseMs: number,
    private readonly now: () => number,
  ) {
    const k = randomFillSync(new Uint32Array(2));
    this.key = { k0: k[0] as number, k1: k[1] as number };
  }

  get memoryBytes(): number {
    return this.cur === undefined ? 0 : ORACLE_GUARD_MEMORY_BYTES;
  }

  refuses(raw: Uint8Array): boolean {
    return this.refusesRange(raw, 0, raw.length);
  }

  refusesRange(raw: Uint8Array, start: number, end: number): boolean {
    if (this.refuseUntil === 0 || end - start < 2 * BLOCK) {
      return false;
    }
    const now = this.now();
    if (now >= this.refuseUntil) {
      this.refuseUntil = 0;
      return false;
    }
    const last = end - BLOCK;
    return this.blockRefused(raw, start + BLOCK, now) || (last !== start + BLOCK && this.blockRefused(raw, last, now));
  }

  recordFailure(raw: Uint8Array): void {
    this.recordFailureRange(raw, 0, raw.length);
  }

  recordFailureRange(raw: Uint8Array, start: number, end: number): void {
    if (end - start < 2 * BLOCK) {
      return;
    }
    const now = this.now();
    if (this.cur === undefined) {
      this.cur = new Uint8Array(ROWS * COLUMNS);
      this.prev = new Uint8Array(ROWS * COLUMNS);
      this.words = new Int32Array(ENTRIES * 4);
      this.until = new Float64Array(ENTRIES);
      this.counts = new Uint16Array(ENTRIES);
      this.genStart = now;
    }
    this.rotate(now);
    this.record(raw, start + BLOCK, now);
    const last = end - BLOCK;
    if (last !== start + BLOCK) {
      this.record(raw, last, now);
    }
  }

  private rotate(now: number): void {
    const cur = this.cur;
    const prev = this.prev;
    if (cur === undefined || prev === undefined || now - this.genStart < this.windowMs) {
      return;
    }
    if (now - this.genStart >= 2 * this.windowMs) {
      cur.fill(0);
      prev.fill(0);
      this.genStart = now;
      return;
    }
    prev.fill(0);
    this.cur = prev;
    this.prev = cur;
    this.genStart += this.windowMs;
  }

  // Hashes the block at `at` into this.h and the sketch positions into this.idx.
  private locate(raw: Uint8Array, at: number): void {
    halfSipHash16(this.key, raw, at, this.h);
    const a = this.h[0] as number;
    const b = this.h[1] as number;
    this.idx[0] = a & 0xffff;
    this.idx[1] = COLUMNS + (a >>> 16);
    this.idx[2] = 2 * COLUMNS + (b & 0xffff);
    this.idx[3] = 3 * COLUMNS + (b >>> 16);
  }

  private estimate(): number {
    const cur = this.cur as Uint8Array;
    const prev = this.prev as Uint8Array;
    let min = Number.MAX_SAFE_INTEGER;
    for (let r = 0; r < ROWS; r++) {
      const i = this.idx[r] as number;
      min = Math.min(min, (cur[i] as number) + (prev[i] as number));
    }
    return min;
  }

  private record(raw: Uint8Array, at: number, now: number): void {
    this.locate(raw, at);
    const cur = this.cur as Uint8Array;
    const prev = this.prev as Uint8Array;
    // Conservative update: raise only the rows below the new estimate, which
    // keeps every estimate an upper bound while flooding inflates others less.
    const count = this.estimate() + 1;
    for (let r = 0; r < ROWS; r++) {
      const i = this.idx[r] as number;
      if ((cur[i] as number) + (prev[i] as number) < count) {
        cur[i] = Math.min(255, count - (prev[i] as number));
      }
    }
    if (count >= this.threshold) {
      this.refuse(raw, at, count, now + this.refuseMs, now);
    }
  }

  private refuse(raw: Uint8Array, at: number, count: number, expires: number, now: number): void {
    const words = this.words as Int32Array;
    const until = this.until as Float64Array;
    const counts = this.counts as Uint16Array;
    const base = this.bucket() * WAYS;
    let victim = -1;
    for (let w = base; w < base + WAYS && victim < 0; w++) {
      if (this.matches(raw, at, w)) {
        victim = w;
      }
    }
    if (victim < 0) {
      // A free or expired way; else the one with the fewest failures, then the oldest.
      victim = base;
      for (let w = base; w < base + WAYS; w++) {
        const u = until[w] as number;
        if (u <= now) {
          victim = w;
          break;
        }
        const c = counts[w] as number;
        const vc = counts[victim] as number;
        if (c < vc || (c === vc && u < (until[victim] as number))) {
          victim = w;
        }
      }
    }
    if ((until[victim] as number) <= now) {
      counts[victim] = 0;
    }
    for (let j = 0; j < 4; j++) {
      words[victim * 4 + j] = word(raw, at + 4 * j);
    }
    until[victim] = expires;
    counts[victim] = Math.min(0xffff, Math.max(count, counts[victim] as number));
    this.refuseUntil = Math.max(this.refuseUntil, expires);
  }

  private blockRefused(raw: Uint8Array, at: number, now: number): boolean {
    halfSipHash16(this.key, raw, at, this.h);
    const until = this.until as Float64Array;
    const counts = this.counts as Uint16Array;
    const base = this.bucket() * WAYS;
    for (let w = base; w < base + WAYS; w++) {
      if ((until[w] as number) > now && this.matches(raw, at, w)) {
        // A block still being probed outranks junk in eviction; its expiry is
        // left alone, so a stored token refused after an incident recovers.
        counts[w] = Math.min(0xffff, (counts[w] as number) + 1);
        return true;
      }
    }
    return false;
  }

  private bucket(): number {
    // Bits the sketch rows use too; the table compares whole blocks, so this only spreads them
    // (and the key keeps an attacker from aiming junk at one bucket).
    return ((this.h[0] as number) ^ ((this.h[1] as number) >>> 13)) & (BUCKETS - 1);
  }

  private matches(raw: Uint8Array, at: number, w: number): boolean {
    const words = this.words as Int32Array;
    return (
      words[w * 4] === word(raw, at) &&
      words[w * 4 + 1] === word(raw, at + 4) &&
      words[w * 4 + 2] === word(raw, at + 8) &&
      words[w * 4 + 3] === word(raw, at + 12)
    );
  }
}

function word(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24);
}
