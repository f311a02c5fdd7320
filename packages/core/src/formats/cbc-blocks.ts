// The pieces of CBC that szcrypt does by hand over the shared ECB ciphers
// (aes-ecb.ts), shared by the single-value codec (legacy-cbc.ts) and the
// per-message batch (legacy-batch.ts). They take offsets rather than views:
// the batch calls them once per value of every message, and a subarray per
// call would cost more than the work.

/**
 * The AES block size in bytes: the legacy-cbc IV, and the unit of every ECB call.
 *
 * @internal
 */
export const BLOCK = 16;

/**
 * How many blocks PKCS#7 padding makes of `length` bytes: always at least one byte of padding.
 *
 * @internal
 */
export function paddedBlocks(length: number): number {
  return Math.floor(length / BLOCK) + 1;
}

/**
 * Writes `plaintext` at `at` in `out`, followed by its PKCS#7 padding up to
 * `blocks` whole blocks (see {@link paddedBlocks}).
 *
 * @internal
 */
export function writePadded(out: Uint8Array, at: number, plaintext: Uint8Array, blocks: number): void {
  out.set(plaintext, at);
  out.fill(blocks * BLOCK - plaintext.length, at + plaintext.length, at + blocks * BLOCK);
}

/**
 * target[t + i] ^= source[s + i] for i < length. Long runs go a 32-bit word at
 * a time where both are aligned; for a few blocks, making word views costs more
 * than it saves.
 *
 * @internal
 */
export function xorInto(target: Uint8Array, t: number, source: Uint8Array, s: number, length: number): void {
  if (length >= 256 && (target.byteOffset + t) % 4 === 0 && (source.byteOffset + s) % 4 === 0 && length % 4 === 0) {
    const tw = new Uint32Array(target.buffer, target.byteOffset + t, length / 4);
    const sw = new Uint32Array(source.buffer, source.byteOffset + s, length / 4);
    for (let i = 0; i < tw.length; i++) {
      tw[i] = (tw[i] as number) ^ (sw[i] as number);
    }
    return;
  }
  for (let i = 0; i < length; i++) {
    target[t + i] = (target[t + i] as number) ^ (source[s + i] as number);
  }
}

/**
 * The length of the plaintext in padded[start, end) once its PKCS#7 padding is
 * removed, or -1 when the padding is not strictly valid (as PyCryptodome's
 * unpad requires). Checked without an early exit, so the time does not depend
 * on where the padding is wrong.
 *
 * @internal
 */
export function unpaddedLength(padded: Uint8Array, start: number, end: number): number {
  const n = padded[end - 1] as number;
  let bad = (n === 0 ? 1 : 0) | (n > BLOCK ? 1 : 0);
  for (let i = 1; i <= BLOCK; i++) {
    bad |= (i <= n ? 1 : 0) & ((padded[end - i] as number) !== n ? 1 : 0);
  }
  return bad === 0 ? end - start - n : -1;
}
