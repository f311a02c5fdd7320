import { type Cipher, createCipheriv, createDecipheriv, type Decipher } from "node:crypto";
import { keyMaterial, type SzcryptKey } from "../keys/key.js";

// Creating a cipher object runs the AES key schedule: most of the cost of
// encrypting a short value. One AES-ECB cipher and decipher per key, with no
// padding, do the block work for any number of values; ECB keeps no state
// between blocks, so reusing them (update() only, never final()) is safe.
interface EcbPair {
  readonly encrypt: Cipher;
  readonly decrypt: Decipher;
}

const cache = new WeakMap<SzcryptKey, EcbPair>();
const ALGORITHM = { 16: "aes-128-ecb", 24: "aes-192-ecb", 32: "aes-256-ecb" } as const;

export function ecbFor(key: SzcryptKey): EcbPair {
  let pair = cache.get(key);
  if (pair === undefined) {
    const material = keyMaterial(key);
    const encrypt = createCipheriv(ALGORITHM[key.size], material, null);
    const decrypt = createDecipheriv(ALGORITHM[key.size], material, null);
    encrypt.setAutoPadding(false);
    decrypt.setAutoPadding(false);
    pair = { encrypt, decrypt };
    cache.set(key, pair);
  }
  return pair;
}
