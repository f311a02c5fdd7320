import { isUtf8 } from "node:buffer";
import { SzcryptError } from "../errors/szcrypt-error.js";

/**
 * UTF-8 bytes of a string, refusing lone surrogates: they have no UTF-8 form
 * (Python's `str.encode` raises on them too) and `Buffer.from` would quietly
 * turn them into U+FFFD, changing the value.
 *
 * The bytes get an allocation of their own: `Buffer.from` would put a
 * plaintext in Node's shared pool, where any later pooled Buffer's `.buffer`
 * shows it.
 *
 * @internal
 */
export function encodeUtf8(text: string): Buffer {
  assertWellFormed(text);
  const out = Buffer.allocUnsafeSlow(Buffer.byteLength(text, "utf8"));
  out.write(text, "utf8");
  return out;
}

/**
 * Throws INVALID_PLAINTEXT for a string with a lone UTF-16 surrogate: it has
 * no UTF-8 form (Python's `str.encode` raises on it too), and Node's encoders
 * would quietly turn it into U+FFFD, changing the value.
 *
 * @internal
 */
export function assertWellFormed(text: string): void {
  if (!text.isWellFormed()) {
    throw new SzcryptError("INVALID_PLAINTEXT", "the string has a lone UTF-16 surrogate and no UTF-8 form; fix the value at its source");
  }
}

/**
 * Decodes UTF-8 as Python's `bytes.decode("utf-8")` does: strict, and a
 * leading byte order mark stays part of the text. Returns undefined on
 * invalid UTF-8.
 *
 * @internal
 */
export function decodeUtf8Strict(bytes: Uint8Array): string | undefined {
  if (!isUtf8(bytes)) {
    return undefined;
  }
  return (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString("utf8");
}
