import { type Cipher, createCipheriv } from "node:crypto";
import { keyMaterial, type SzcryptKey } from "../keys/key.js";
import { BLOCK } from "./cbc-blocks.js";

// One long-lived AES-CBC cipher per key (no padding, update() only, never
// final()), so that every legacy-cbc value of a message is encrypted by one
// native call: creating a cipher runs the key schedule, and each call costs
// about a microsecond, more than AES on a few blocks.
//
// CBC chains each block to the ciphertext block before it, across calls. A
// value gets its own IV by being preceded, in the same call, by a block of
// fresh random bytes R: that block's ciphertext E(R ⊕ previous) is uniformly
// random (E is a permutation, R is uniform and independent of everything
// before it) and is what CBC chains the value's first block to, so it *is* the
// value's IV: `iv ‖ ciphertext` is read straight out of the output, exactly
// the page's `iv ‖ AES-CBC(key, iv, PKCS#7(plaintext))` with a fresh random IV.
//
// The chaining state needs no bookkeeping: whatever it is, the IV read out
// of the output is exactly the block the value was chained to. What must
// hold is that every update() is whole blocks (a partial block would stay
// buffered and shift every later value under the key), so the cipher is
// reached only through encryptChained, which checks the input, and is thrown
// away on any surprise (an exception, an output of another length).

const ALGORITHM = { 16: "aes-128-cbc", 24: "aes-192-cbc", 32: "aes-256-cbc" } as const;
const chains = new WeakMap<SzcryptKey, Cipher>();

/**
 * CBC-encrypts `blocks` (whole 16-byte blocks) on the key's long-lived cipher,
 * chained to whatever it encrypted before: see above for how a caller gives
 * each value its own random IV. Returns the ciphertext, as long as `blocks`.
 *
 * @internal
 */
export function encryptChained(key: SzcryptKey, blocks: Uint8Array): Buffer {
  if (blocks.length % BLOCK !== 0) {
    // A bug in szcrypt, never the caller's input: callers lay out whole blocks.
    throw new RangeError(`szcrypt internal error: AES-CBC input of ${blocks.length} bytes is not whole 16-byte blocks`);
  }
  let cipher = chains.get(key);
  if (cipher === undefined) {
    // The starting IV is never seen: every value's IV comes from a random block after it.
    cipher = createCipheriv(ALGORITHM[key.size], keyMaterial(key), Buffer.alloc(BLOCK));
    cipher.setAutoPadding(false);
    chains.set(key, cipher);
  }
  let out: Buffer;
  try {
    out = cipher.update(blocks);
  } catch (err) {
    chains.delete(key);
    throw err;
  }
  if (out.length !== blocks.length) {
    chains.delete(key);
    throw new RangeError("szcrypt internal error: AES-CBC returned a different length than it took");
  }
  return out;
}
