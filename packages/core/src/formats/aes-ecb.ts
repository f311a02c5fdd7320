import { type Cipher, createCipheriv, createDecipheriv, type Decipher } from "node:crypto";
import { keyMaterial, type SzcryptKey } from "../keys/key.js";
import { BLOCK } from "./cbc-blocks.js";

// Creating a cipher object runs the AES key schedule: most of the cost of
// encrypting a short value. One AES-ECB cipher and decipher per key, with no
// padding, do the block work for any number of values; ECB keeps no state
// between blocks, so reusing them (update() only, never final()) is safe.
//
// Safe only while every update() is whole blocks: a partial block would stay
// buffered inside the shared cipher and shift every later value under that
// key, for good. So the ciphers are reached only through EcbPair, whose
// methods check the length first.

/**
 * The shared AES-ECB cipher pair of one key; each call is whole blocks.
 *
 * @internal
 */
export interface EcbPair {
  encrypt(blocks: Uint8Array): Buffer;
  decrypt(blocks: Uint8Array): Buffer;
}

const cache = new WeakMap<SzcryptKey, EcbPair>();
const ALGORITHM = { 16: "aes-128-ecb", 24: "aes-192-ecb", 32: "aes-256-ecb" } as const;

/**
 * The key's shared ECB pair, made (key schedule run) on first use.
 *
 * @internal
 */
export function ecbFor(key: SzcryptKey): EcbPair {
  let pair = cache.get(key);
  if (pair === undefined) {
    const material = keyMaterial(key);
    const cipher: Cipher = createCipheriv(ALGORITHM[key.size], material, null);
    const decipher: Decipher = createDecipheriv(ALGORITHM[key.size], material, null);
    cipher.setAutoPadding(false);
    decipher.setAutoPadding(false);
    pair = {
      encrypt: (blocks) => {
        assertWholeBlocks(blocks);
        return cipher.update(blocks);
      },
      decrypt: (blocks) => {
        assertWholeBlocks(blocks);
        return decipher.update(blocks);
      },
    };
    cache.set(key, pair);
  }
  return pair;
}

function assertWholeBlocks(data: Uint8Array): void {
  if (data.length % BLOCK !== 0) {
    // A bug in szcrypt, never the caller's input: callers check lengths first.
    throw new RangeError(`szcrypt internal error: AES-ECB input of ${data.length} bytes is not whole 16-byte blocks`);
  }
}
