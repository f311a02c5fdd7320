import { randomFillSync } from "node:crypto";

// IVs and nonces are drawn from one buffer filled by the CSPRNG in large
// chunks: a syscall per 4 KiB instead of one per value. Each byte is handed
// out once (IVs are public, but never reused); the pool is refilled in place
// when used up.
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let next = POOL_SIZE;

/**
 * `n` fresh random bytes (n <= 4096), copied out of the pool.
 *
 * @internal
 */
export function randomBytesPooled(n: number): Buffer {
  if (n > POOL_SIZE) {
    return randomFillSync(Buffer.allocUnsafe(n));
  }
  if (next + n > POOL_SIZE) {
    randomFillSync(pool);
    next = 0;
  }
  const out = Buffer.allocUnsafe(n);
  // Handed out once, then wiped from the pool: some callers keep their bytes secret (legacy-batch.ts's R blocks).
  for (let i = 0; i < n; i++) {
    out[i] = pool[next + i] as number;
    pool[next + i] = 0;
  }
  next += n;
  return out;
}

/**
 * Writes `n` fresh random bytes (n <= 4096) at `out[offset, offset + n)`,
 * straight from the pool (wiped as they go): no Buffer per call.
 *
 * @internal
 */
export function randomInto(out: Uint8Array, offset: number, n: number): void {
  if (n > POOL_SIZE) {
    randomFillSync(out, offset, n);
    return;
  }
  if (offset + n > out.length) {
    throw new RangeError("szcrypt internal error: random bytes past the end of their buffer");
  }
  if (next + n > POOL_SIZE) {
    randomFillSync(pool);
    next = 0;
  }
  for (let i = 0; i < n; i++) {
    out[offset + i] = pool[next + i] as number;
    pool[next + i] = 0;
  }
  next += n;
}
