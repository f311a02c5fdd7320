import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import "../test-support/fast-check-replay.js";
import { DECRYPT_FAILED_MESSAGE, isSzcryptError } from "../errors/szcrypt-error.js";
import { keyMaterial, SzcryptKey } from "../keys/key.js";
import { decryptLegacy, decryptLegacyBytes, encryptLegacy, encryptLegacyBytes, encryptLegacyWithIv } from "./legacy-cbc.js";

const keyArb = fc
  .constantFrom(16, 24, 32)
  .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
  .map((b) => SzcryptKey.fromBytes(b));
const textArb = fc.string({ unit: "binary", maxLength: 300 });

// An independent decryption of a token: node's cipher driven directly, with the
// PKCS#7 check written out here rather than taken from the code under test.
function referenceDecrypt(raw: Buffer, key: SzcryptKey): Buffer {
  const d = createDecipheriv(`aes-${key.size * 8}-cbc`, keyMaterial(key), raw.subarray(0, 16));
  d.setAutoPadding(false);
  const padded = Buffer.concat([d.update(raw.subarray(16)), d.final()]);
  const n = padded[padded.length - 1] ?? 0;
  assert.ok(n >= 1 && n <= 16 && padded.subarray(padded.length - n).every((b) => b === n), "PKCS#7 padding");
  return padded.subarray(0, padded.length - n);
}

describe("legacy-cbc", () => {
  it("round-trips any well-formed string under any key size", () => {
    fc.assert(
      fc.property(keyArb, textArb, (key, text) => {
        const token = encryptLegacy(text, key);
        assert.equal(decryptLegacy(token, key), text);
        assert.equal(referenceDecrypt(Buffer.from(token, "base64"), key).toString("utf8"), text);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips any bytes", () => {
    fc.assert(
      fc.property(keyArb, fc.uint8Array({ maxLength: 600 }), (key, data) => {
        const raw = encryptLegacyBytes(data, key);
        assert.equal(raw.length, 16 + (Math.floor(data.length / 16) + 1) * 16);
        assert.deepEqual([...decryptLegacyBytes(raw, key)], [...data]);
      }),
      { numRuns: 500 },
    );
  });

  it("draws a fresh IV for every value", () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(16));
    const ivs = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      ivs.add(Buffer.from(encryptLegacy("same", key), "base64").subarray(0, 16).toString("hex"));
    }
    assert.equal(ivs.size, 2000);
  });

  it("encrypts the empty string to one block of padding, as the snippet does", () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(9));
    const iv = new Uint8Array(16).fill(3);
    const expected = createCipheriv("aes-256-cbc", Buffer.alloc(32, 9), iv).update(Buffer.alloc(16, 16));
    const token = encryptLegacyWithIv("", key, iv);
    assert.equal(token, Buffer.concat([iv, expected]).toString("base64"));
    assert.equal(decryptLegacy(token, key), "");
  });

  it("keeps a leading byte order mark, as Python's decode('utf-8') does", () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(16));
    assert.equal(decryptLegacy(encryptLegacy("\ufeffx", key), key), "\ufeffx");
  });

  it("refuses a string with a lone surrogate instead of changing it", () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(16));
    assert.throws(
      () => encryptLegacy("a\ud800b", key),
      (err: unknown) => isSzcryptError(err, "INVALID_PLAINTEXT") && !err.message.includes("a\ud800b"),
    );
  });

  it("decrypting arbitrary input only ever throws szcrypt's own error", () => {
    fc.assert(
      fc.property(
        keyArb,
        fc.oneof(
          fc.string(),
          fc.base64String(),
          fc.uint8Array({ minLength: 32, maxLength: 96 }).map((b) => Buffer.from(b).toString("base64")),
        ),
        (key, token) => {
          try {
            decryptLegacy(token, key);
          } catch (err) {
            assert.ok(isSzcryptError(err, "DECRYPT_FAILED") || isSzcryptError(err, "MALFORMED"), String(err));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("gives one code and one message for bad padding, wrong key and invalid UTF-8", () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(1));
    const other = SzcryptKey.fromBytes(new Uint8Array(32).fill(2));
    const token = Buffer.from(encryptLegacy("a secret value!", key), "base64");
    const badPadding = Buffer.from(token);
    badPadding[badPadding.length - 1] = (badPadding[badPadding.length - 1] ?? 0) ^ 1;
    const badUtf8 = Buffer.from(encryptLegacyBytes(Buffer.from([0xff, 0xfe]), key)).toString("base64");
    // A wrong key fails the padding check ~255 times in 256; pick a token where it does.
    let wrongKey = encryptLegacy("x", other);
    while (!throws(() => decryptLegacy(wrongKey, key))) {
      wrongKey = encryptLegacy("x", other);
    }
    const seen = new Set<string>();
    for (const t of [badPadding.toString("base64"), badUtf8, wrongKey]) {
      try {
        decryptLegacy(t, key);
        assert.fail("expected a failure");
      } catch (err) {
        assert.ok(isSzcryptError(err, "DECRYPT_FAILED"));
        assert.equal(err.cause, undefined, "DECRYPT_FAILED carries no cause");
        seen.add(JSON.stringify({ code: err.code, message: err.message, fields: Object.entries(err) }));
      }
    }
    assert.equal(seen.size, 1, "every cause must look the same");
    assert.equal(JSON.parse([...seen][0] ?? "{}").message, DECRYPT_FAILED_MESSAGE);
  });

  it("is strict about base64 where Python's b64decode is lenient", () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(16));
    const token = encryptLegacy("padded", key);
    for (const bad of [` ${token}`, `${token}\n`, token.replace("=", ""), `${token.slice(0, 5)}!${token.slice(5)}`]) {
      assert.throws(
        () => decryptLegacy(bad, key),
        (err: unknown) => isSzcryptError(err, "MALFORMED"),
      );
    }
  });

  it("says MALFORMED, with the length, for a token that is not whole blocks", () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(16));
    assert.throws(() => decryptLegacyBytes(new Uint8Array(40), key), /got 40 bytes/);
    assert.throws(
      () => decryptLegacyBytes(new Uint8Array(16), key),
      (err: unknown) => isSzcryptError(err, "MALFORMED"),
    );
  });

  it("returns plain Uint8Arrays, never Buffers, each the whole of its memory, small and large", () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(16).fill(3));
    for (const size of [0, 5, 100, 5000]) {
      const raw = encryptLegacyBytes(new Uint8Array(size).fill(9), key);
      const plain = decryptLegacyBytes(raw, key);
      for (const [what, bytes] of [
        ["ciphertext", raw],
        ["plaintext", plain],
      ] as const) {
        assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype, `${what} of ${size} bytes is a plain Uint8Array`);
        assert.equal(bytes.byteOffset, 0, `${what} of ${size} bytes starts its memory`);
        assert.equal(bytes.buffer.byteLength, bytes.byteLength, `${what} of ${size} bytes is all of its memory`);
      }
      assert.deepEqual(plain, new Uint8Array(size).fill(9));
    }
  });

  it("checks argument types at the boundary", () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(16));
    assert.throws(() => encryptLegacy(new Uint8Array(2) as unknown as string, key), TypeError);
    assert.throws(() => decryptLegacy(7 as unknown as string, key), TypeError);
    assert.throws(() => encryptLegacy("x", "hex:00" as unknown as SzcryptKey), TypeError);
    assert.throws(() => encryptLegacyWithIv("x", key, new Uint8Array(8)), RangeError);
  });
});

function throws(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch {
    return true;
  }
}
