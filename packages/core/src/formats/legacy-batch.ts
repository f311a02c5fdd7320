import { ownCopy } from "../encoding/bytes.js";
import type { SzcryptKey } from "../keys/key.js";
import { ecbFor } from "./aes-ecb.js";
import { BLOCK, paddedBlocks, unpaddedLength, writePadded, xorInto } from "./cbc-blocks.js";
import { decryptLegacyBytes, encryptLegacyBytes } from "./legacy-cbc.js";
import { randomBytesPooled } from "./random.js";

// legacy-cbc for all the values of one message at once. Each value is its own
// CBC chain with its own IV, byte for byte what encryptLegacyBytes makes; the
// batching only shares native calls:
// - encryption runs round r over block r of every value in one ECB call (the
//   chains are independent, so they interleave);
// - decryption is one ECB call over every block of every value, then
//   p = D(c) ⊕ previous c.
// Values longer than SMALL_BLOCKS go through OpenSSL's own CBC one by one.
// Every value handed out is an allocation of its own, and scratch space that
// held plaintext is zeroed: none of it may show through another value's `.buffer`.

const SMALL_BLOCKS = 16;

/**
 * Encrypts each value as encryptLegacyBytes would, with fresh IVs; each result is a Uint8Array of its own memory.
 *
 * @internal
 */
export function encryptLegacyBatch(values: readonly Uint8Array[], key: SzcryptKey): Uint8Array[] {
  const out: Uint8Array[] = new Array(values.length);
  const small: number[] = [];
  let rounds = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as Uint8Array;
    const blocks = paddedBlocks(v.length);
    if (blocks > SMALL_BLOCKS) {
      out[i] = encryptLegacyBytes(v, key);
      continue;
    }
    small.push(i);
    rounds = Math.max(rounds, blocks);
  }
  if (small.length === 0) {
    return out;
  }
  const ivs = randomBytesPooled(BLOCK * small.length);
  for (let s = 0; s < small.length; s++) {
    const i = small[s] as number;
    const v = values[i] as Uint8Array;
    const blocks = paddedBlocks(v.length);
    const buf = Buffer.allocUnsafeSlow(BLOCK * (blocks + 1));
    ivs.copy(buf, 0, s * BLOCK, (s + 1) * BLOCK);
    writePadded(buf, BLOCK, v, blocks);
    out[i] = buf;
  }
  const ecb = ecbFor(key);
  // p ⊕ previous c: as secret as the plaintext, so not in the shared pool.
  const scratch = Buffer.allocUnsafeSlow(BLOCK * small.length);
  for (let r = 1; r <= rounds; r++) {
    let n = 0;
    for (const i of small) {
      const buf = out[i] as Uint8Array;
      const start = r * BLOCK;
      if (start >= buf.length) {
        continue;
      }
      const dst = n * BLOCK;
      for (let k = 0; k < BLOCK; k++) {
        scratch[dst + k] = (buf[start + k] as number) ^ (buf[start - BLOCK + k] as number);
      }
      n++;
    }
    const enc = ecb.encrypt(scratch.subarray(0, n * BLOCK));
    n = 0;
    for (const i of small) {
      const buf = out[i] as Uint8Array;
      const start = r * BLOCK;
      if (start >= buf.length) {
        continue;
      }
      enc.copy(buf, start, n * BLOCK, (n + 1) * BLOCK);
      n++;
    }
  }
  scratch.fill(0);
  return out;
}

/**
 * Decrypts each `iv ‖ ciphertext` (lengths already checked: an IV plus whole
 * blocks). A value that does not decrypt (bad padding) comes back undefined;
 * each other comes back in an allocation of its own.
 *
 * @internal
 */
export function decryptLegacyBatch(values: readonly Uint8Array[], key: SzcryptKey): (Uint8Array | undefined)[] {
  const out: (Uint8Array | undefined)[] = new Array(values.length);
  let total = 0;
  const small: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as Uint8Array;
    if (v.length - BLOCK > SMALL_BLOCKS * BLOCK) {
      try {
        out[i] = decryptLegacyBytes(v, key);
      } catch {
        out[i] = undefined;
      }
      continue;
    }
    small.push(i);
    total += v.length - BLOCK;
  }
  if (small.length === 0) {
    return out;
  }
  const all = Buffer.allocUnsafe(total);
  let at = 0;
  for (const i of small) {
    const v = values[i] as Uint8Array;
    all.set(v.subarray(BLOCK), at);
    at += v.length - BLOCK;
  }
  const plain = ecbFor(key).decrypt(all);
  at = 0;
  for (const i of small) {
    const v = values[i] as Uint8Array;
    const len = v.length - BLOCK;
    xorInto(plain, at, v, 0, len);
    const length = unpaddedLength(plain, at, at + len);
    out[i] = length < 0 ? undefined : ownCopy(plain.subarray(at, at + length));
    at += len;
  }
  plain.fill(0);
  return out;
}
