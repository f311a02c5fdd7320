// Strict base64 for tokens. Node's decoder is lenient (it skips characters
// outside the alphabet, takes both alphabets, ignores non-canonical bits), so
// szcrypt decodes by hand: one pass that checks and writes, into a buffer the
// caller chooses (a message's tokens go back to back into one batch buffer).
// The text decoded is a token: ciphertext, public, so indexing a table by it
// leaks nothing.

const STANDARD = alphabetTable("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
const URL_SAFE = alphabetTable("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

// Indexed by a character code's low byte; codes above 255 are caught apart (see decodeBase64Into).
function alphabetTable(alphabet: string): Int32Array {
  const table = new Int32Array(256).fill(-1);
  for (let i = 0; i < alphabet.length; i++) {
    table[alphabet.charCodeAt(i)] = i;
  }
  return table;
}

/** Which base64: standard with `=` padding (RFC 4648 §4), or unpadded base64url (§5). @internal */
export type Base64Alphabet = "base64" | "base64url";

/**
 * How many bytes `text` (from index `from` on) decodes to, judged by its
 * length and padding alone, or -1 when no strict text of that alphabet has
 * that shape. {@link decodeBase64Into} then checks every character.
 *
 * @internal
 */
export function base64DecodedLength(text: string, alphabet: Base64Alphabet, from = 0): number {
  const length = text.length - from;
  if (alphabet === "base64url") {
    return length % 4 === 1 ? -1 : Math.floor((length * 3) / 4);
  }
  if (length % 4 !== 0) {
    return -1;
  }
  const end = text.length;
  const pad = length > 0 && text.charCodeAt(end - 1) === 0x3d ? (text.charCodeAt(end - 2) === 0x3d ? 2 : 1) : 0;
  return (length / 4) * 3 - pad;
}

/**
 * Decodes strict `text` (from index `from` on: a token's prefix need not be
 * sliced off) into `out` at `offset`, which must have room for
 * {@link base64DecodedLength} bytes (checked first by the caller). Returns
 * false, with `out` partly written, when a character is outside the alphabet
 * (`=` anywhere but the padding included) or the unused low bits of the last
 * character are not zero: one token has exactly one text form.
 *
 * @internal
 */
export function decodeBase64Into(text: string, alphabet: Base64Alphabet, out: Uint8Array, offset: number, from = 0): boolean {
  const table = alphabet === "base64" ? STANDARD : URL_SAFE;
  let n = text.length;
  if (alphabet === "base64") {
    while (n > from && n > text.length - 2 && text.charCodeAt(n - 1) === 0x3d) {
      n--;
    }
  }
  // A character outside the alphabet reads as -1 and sets the sign bit of
  // `bad`; `codes` collects every code, so one above 255 (which the table,
  // indexed by the low byte, cannot see) shows at the end.
  let bad = 0;
  let codes = 0;
  let o = offset;
  let i = from;
  for (; i + 4 <= n; i += 4) {
    const ca = text.charCodeAt(i);
    const cb = text.charCodeAt(i + 1);
    const cc = text.charCodeAt(i + 2);
    const cd = text.charCodeAt(i + 3);
    codes |= ca | cb | cc | cd;
    const a = table[ca & 255] as number;
    const b = table[cb & 255] as number;
    const c = table[cc & 255] as number;
    const d = table[cd & 255] as number;
    bad |= a | b | c | d;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = v >> 16;
    out[o + 1] = v >> 8;
    out[o + 2] = v;
    o += 3;
  }
  const rest = n - i;
  if (rest === 1) {
    return false;
  }
  if (rest >= 2) {
    const ca = text.charCodeAt(i);
    const cb = text.charCodeAt(i + 1);
    const cc = rest === 3 ? text.charCodeAt(i + 2) : 0x41;
    codes |= ca | cb | cc;
    const a = table[ca & 255] as number;
    const b = table[cb & 255] as number;
    const c = table[cc & 255] as number;
    bad |= a | b | c;
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o] = v >> 16;
    if (rest === 3) {
      out[o + 1] = v >> 8;
    }
    // Canonical: the bits of the last character that fall outside the bytes are zero.
    bad |= -(v & (rest === 2 ? 0xffff : 0xff));
  }
  return bad >= 0 && codes < 256;
}

/**
 * Decodes strict standard base64 (RFC 4648 §4, `=` padding required), or
 * returns undefined. Unlike Python's `base64.b64decode`, nothing is skipped:
 * a stray character means the text is not what a peer sent.
 *
 * @internal
 */
export function decodeBase64Strict(text: string): Buffer | undefined {
  return decodeStrict(text, "base64");
}

/**
 * Decodes canonical unpadded base64url (RFC 4648 §5), or returns undefined.
 * Canonical: the unused low bits of the last character are zero, so one token
 * has exactly one text form (a changed last character is never the same token).
 *
 * @internal
 */
export function decodeBase64UrlStrict(text: string): Buffer | undefined {
  return decodeStrict(text, "base64url");
}

function decodeStrict(text: string, alphabet: Base64Alphabet): Buffer | undefined {
  const length = base64DecodedLength(text, alphabet);
  if (length < 0) {
    return undefined;
  }
  const bytes = Buffer.allocUnsafe(length);
  return decodeBase64Into(text, alphabet, bytes, 0) ? bytes : undefined;
}

/**
 * Standard base64 with `=` padding of any Uint8Array, read in place (no copy).
 *
 * @internal
 */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}
