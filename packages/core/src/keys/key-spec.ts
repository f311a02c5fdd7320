import { SzcryptError } from "../errors/szcrypt-error.js";
import { SzcryptKey } from "./key.js";

const HEX_RE = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads a key spec: a key whose text names its encoding.
 *
 * - `hex:<hex digits>`: the bytes the digits spell. `hex:` + 32 digits is AES-128,
 *   the reading of the platform page's key generator.
 * - `utf8:<text>`: the UTF-8 bytes of the text. The platform page's example key
 *   `b'39b96ec8e9f303bfbb14917b232866d5'` is `utf8:39b96ec8…`: 32 bytes, AES-256.
 * - `base64:<standard base64>`: the bytes it decodes to.
 *
 * One trailing newline is ignored (secret files often end with one).
 * A bare value is refused: a 32-character hex string is a valid key under both
 * of the first two readings, and they are different keys.
 *
 * @example
 * ```ts
 * const pageKey = parseKeySpec("utf8:39b96ec8e9f303bfbb14917b232866d5"); // AES-256
 * const rotated = parseKeySpec("hex:000102030405060708090a0b0c0d0e0f", { id: "2026-06" }); // AES-128, for szc1
 * pageKey.fingerprint; // "szfp1:…", safe to log and compare
 * ```
 * @throws SzcryptError KEY_INVALID, naming the problem but never the key.
 */
export function parseKeySpec(spec: string, options: { id?: string } = {}): SzcryptKey {
  if (typeof spec !== "string") {
    throw new TypeError("parseKeySpec: expected a string key spec such as 'hex:…'");
  }
  // One trailing newline is what `echo` and secret files add; it is never part of a key.
  const text = spec.replace(/\r?\n$/, "");
  const colon = text.indexOf(":");
  const prefix = colon < 0 ? "" : text.slice(0, colon);
  const body = colon < 0 ? "" : text.slice(colon + 1);
  let bytes: Uint8Array;
  switch (prefix) {
    case "hex":
      if (!HEX_RE.test(body)) {
        throw new SzcryptError(
          "KEY_INVALID",
          /^[0-9a-fA-F]*$/.test(body)
            ? "a 'hex:' key spec needs an even number of hex digits after the prefix"
            : "a 'hex:' key spec takes only hex digits (0-9, a-f) after the prefix; for a key that is text, use 'utf8:'",
        );
      }
      bytes = decodeOwn(body, "hex");
      break;
    case "utf8":
      bytes = decodeOwn(body, "utf8");
      break;
    case "base64":
      if (!BASE64_RE.test(body)) {
        throw new SzcryptError("KEY_INVALID", "a 'base64:' key spec needs standard base64 (A-Z a-z 0-9 + /, '=' padding) after the prefix");
      }
      bytes = decodeOwn(body, "base64");
      break;
    default:
      throw new SzcryptError("KEY_INVALID", bareValueMessage(text));
  }
  try {
    if (bytes.length !== 16 && bytes.length !== 24 && bytes.length !== 32) {
      throw new SzcryptError(
        "KEY_INVALID",
        `a '${prefix}:' key spec decodes to ${bytes.length} bytes; an AES key must be 16, 24 or 32 bytes`,
      );
    }
    return SzcryptKey.fromBytes(bytes, options);
  } finally {
    bytes.fill(0);
  }
}

// Decodes into an allocation of its own (zeroed once the key has copied it):
// Buffer.from(text, encoding) would leave the key's bytes in Node's shared pool.
function decodeOwn(text: string, encoding: "hex" | "utf8" | "base64"): Buffer {
  const out = Buffer.allocUnsafeSlow(Buffer.byteLength(text, encoding));
  const written = out.write(text, encoding);
  return out.subarray(0, written);
}

function bareValueMessage(text: string): string {
  const looksHex32 = text.length === 32 && HEX_RE.test(text);
  if (!HEX_RE.test(text) && BASE64_RE.test(text) && text.length >= 16) {
    // Describes the shape only: the value itself is never quoted.
    return (
      "the key spec has no encoding prefix and looks like standard base64: " +
      "write it as 'base64:<value>' if it is base64 (16, 24 or 32 bytes once decoded), " +
      "or name its reading with 'hex:' or 'utf8:'"
    );
  }
  const lead = looksHex32
    ? "the key spec is a bare 32-character hex string, which has two readings"
    : "the key spec has no encoding prefix";
  return (
    `${lead}: 'hex:<value>' decodes the digits to 16 bytes (AES-128, as the platform page's generator makes), ` +
    `'utf8:<value>' takes the 32 characters as bytes (AES-256, as the page's example key b'…' is used). ` +
    "Prefix the value with the reading your peers use ('hex:', 'utf8:' or 'base64:')"
  );
}
