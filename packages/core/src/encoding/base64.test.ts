import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import "../test-support/fast-check-replay.js";
import { base64DecodedLength, decodeBase64Into, decodeBase64Strict, decodeBase64UrlStrict } from "./base64.js";

// The oracle is Node's own codec: text is strict exactly when decoding it
// leniently and encoding the bytes again gives the same text back.
function nodeStrict(text: string, alphabet: "base64" | "base64url"): Buffer | undefined {
  const bytes = Buffer.from(text, alphabet);
  return bytes.toString(alphabet) === text ? bytes : undefined;
}

const STANDARD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// Texts near valid ones: alphabet characters, both alphabets' extras, padding, and a few strangers
// (U+0141 and U+012B have a low byte in the alphabet).
const nearText = fc
  .array(fc.constantFrom(...`${STANDARD}-_=`.split(""), " ", "\n", "é", "\0", "*", "\u0141", "\u012b"), { maxLength: 40 })
  .map((chars) => chars.join(""));

describe("strict base64 decoding by hand", () => {
  it("decodes what Node encodes, in both alphabets, at any offset", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(20), (bytes, offset) => {
        for (const alphabet of ["base64", "base64url"] as const) {
          const text = Buffer.from(bytes).toString(alphabet);
          assert.equal(base64DecodedLength(text, alphabet), bytes.length);
          const out = new Uint8Array(offset + bytes.length);
          assert.equal(decodeBase64Into(text, alphabet, out, offset), true);
          assert.deepEqual(out.subarray(offset), bytes);
        }
      }),
    );
  });

  it("accepts exactly the texts Node's codec gives back unchanged", () => {
    fc.assert(
      fc.property(nearText, (text) => {
        assert.deepEqual(decodeBase64Strict(text), nodeStrict(text, "base64"));
        assert.deepEqual(decodeBase64UrlStrict(text), nodeStrict(text, "base64url"));
      }),
      { numRuns: 5000 },
    );
  });

  it("reads from an index on as it reads the rest alone", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 6 }), nearText, (prefix, text) => {
        for (const alphabet of ["base64", "base64url"] as const) {
          const length = base64DecodedLength(text, alphabet);
          assert.equal(base64DecodedLength(prefix + text, alphabet, prefix.length), length);
          if (length >= 0) {
            const alone = new Uint8Array(length);
            const after = new Uint8Array(length);
            assert.equal(decodeBase64Into(prefix + text, alphabet, after, 0, prefix.length), decodeBase64Into(text, alphabet, alone, 0));
            assert.deepEqual(after, alone);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("refuses the near misses a lenient decoder takes", () => {
    // Each is refused by the re-encoding check; the decoder must agree case by case.
    for (const text of [
      "AB==",
      "AAB=",
      "A===",
      "====",
      "AA=A",
      "AA",
      "AAA",
      "AA==AA==",
      "AA AA",
      "AA-_",
      "A\u00e9A=",
      "\u0141\u0141==",
      "AAA\u0141",
    ]) {
      assert.equal(decodeBase64Strict(text), undefined, JSON.stringify(text));
    }
    for (const text of ["AB", "AAB", "A", "AA==", "AA+/", "AAAAA", "\u0141A", "AAA\u0141"]) {
      assert.equal(decodeBase64UrlStrict(text), undefined, JSON.stringify(text));
    }
    assert.deepEqual(decodeBase64Strict(""), Buffer.alloc(0));
    assert.deepEqual(decodeBase64Strict("AA=="), Buffer.from([0]));
    assert.deepEqual(decodeBase64UrlStrict("_w"), Buffer.from([0xff]));
  });
});
