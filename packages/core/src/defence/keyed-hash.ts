// HalfSipHash-2-4 with a 64-bit output (Aumasson), over one 16-byte block.
// The oracle guard places ciphertext blocks in its tables with it, keyed by a
// per-process secret: an attacker who cannot compute where a block lands
// cannot choose blocks that collide with the one it attacks. It works on
// 32-bit words, so it runs in plain JS integers with no allocation.

/** A 64-bit HalfSipHash key as two 32-bit words. */
export interface HashKey {
  readonly k0: number;
  readonly k1: number;
}

function word(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24);
}

/**
 * HalfSipHash-2-4-64 of `data[at, at + 16)` into `out[0]` (the reference's
 * first four output bytes, little-endian) and `out[1]` (the last four): the
 * caller's scratch array, so nothing is allocated.
 */
export function halfSipHash16(key: HashKey, data: Uint8Array, at: number, out: Uint32Array): void {
  // Locals and an unrolled-by-loop round: V8 keeps them in registers, several
  // times faster than module-level state.
  let v0 = key.k0 | 0;
  let v1 = (key.k1 ^ 0xee) | 0;
  let v2 = (0x6c796765 ^ key.k0) | 0;
  let v3 = (0x74656462 ^ key.k1) | 0;
  // Four message words, the length word (16 << 24), then two finalizations of four rounds.
  for (let step = 0; step < 7; step++) {
    let m = 0;
    let rounds = 2;
    if (step < 4) {
      m = word(data, at + 4 * step);
    } else if (step === 4) {
      m = 16 << 24;
    } else {
      rounds = 4;
    }
    if (step < 5) {
      v3 ^= m;
    } else if (step === 5) {
      v2 ^= 0xee;
    } else {
      out[0] = v1 ^ v3;
      v1 ^= 0xdd;
    }
    for (let r = 0; r < rounds; r++) {
      v0 = (v0 + v1) | 0;
      v1 = (v1 << 5) | (v1 >>> 27);
      v1 ^= v0;
      v0 = (v0 << 16) | (v0 >>> 16);
      v2 = (v2 + v3) | 0;
      v3 = (v3 << 8) | (v3 >>> 24);
      v3 ^= v2;
      v0 = (v0 + v3) | 0;
      v3 = (v3 << 7) | (v3 >>> 25);
      v3 ^= v0;
      v2 = (v2 + v1) | 0;
      v1 = (v1 << 13) | (v1 >>> 19);
      v1 ^= v2;
      v2 = (v2 << 16) | (v2 >>> 16);
    }
    if (step < 5) {
      v0 ^= m;
    }
  }
  out[1] = v1 ^ v3;
}
