import { decryptFailed } from "../errors/szcrypt-error.js";
import { type ParsePythonJsonOptions, type PyJsonValue, parsePythonJson, pythonJsonDumps } from "../json/python-json.js";
import type { SzcryptKey } from "../keys/key.js";
import { decryptLegacy, encryptLegacy, encryptLegacyWithIv } from "./legacy-cbc.js";

/**
 * What the platform page does with dicts: `encrypt_message(json.dumps(data), key)`.
 * The JSON text is exactly Python's (see {@link pythonJsonDumps}), so a token
 * made here decrypts to the same text a Python service would have encrypted.
 *
 * @example
 * ```ts
 * const token = encryptJsonLegacy(new Map([["card", "4111"], ["cvv", "123"]]), key);
 * decryptJsonLegacy(token, key, { objects: "map" }); // Map { "card" => "4111", "cvv" => "123" }
 * ```
 */
export function encryptJsonLegacy(value: PyJsonValue, key: SzcryptKey): string {
  return encryptLegacy(pythonJsonDumps(value), key);
}

/**
 * {@link encryptJsonLegacy} with a given IV, for test vectors only.
 *
 * @internal
 */
export function encryptJsonLegacyWithIv(value: PyJsonValue, key: SzcryptKey, iv: Uint8Array): string {
  return encryptLegacyWithIv(pythonJsonDumps(value), key, iv);
}

/**
 * Decrypts a dict sent as the page does, and parses it as Python's
 * `json.loads` would (NaN and Infinity included; see {@link parsePythonJson}).
 *
 * @throws SzcryptError DECRYPT_FAILED also when the decrypted text is not JSON:
 *   telling that apart would tell an attacker something about the plaintext.
 */
export function decryptJsonLegacy(token: string, key: SzcryptKey, options?: ParsePythonJsonOptions): unknown {
  const text = decryptLegacy(token, key);
  try {
    return parsePythonJson(text, options);
  } catch {
    throw decryptFailed();
  }
}
