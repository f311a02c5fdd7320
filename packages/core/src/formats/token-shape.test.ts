import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import "../test-support/fast-check-replay.js";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { SzcryptKey } from "../keys/key.js";
import { encryptLegacyBytes } from "./legacy-cbc.js";
import { decryptSzc1, decryptSzc1Bytes, encryptSzc1, encryptSzc1Bytes, parseSzc1Body, SZC1_MAGIC } from "./szc1.js";
import { describeToken } from "./token-info.js";

const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(4), { id: "shape-1" });
const FIELD = "f";

// What decryption makes of a value's shape: "malformed" or not (a key-dependent failure or success).
function coreShape(token: string | Uint8Array, bound: boolean): "szc1" | "malformed" {
  const options = { fieldName: FIELD, ...(bound ? { context: ["t"] } : {}) };
  try {
    if (typeof token === "string") {
      decryptSzc1(token, key, options);
    } else {
      decryptSzc1Bytes(token, key, options);
    }
  } catch (err) {
    if (isSzcryptError(err, "MALFORMED")) {
      return "malformed";
    }
  }
  return "szc1";
}

function describedAs(token: string | Uint8Array): { format: string; bound: boolean } {
  try {
    const info = describeToken(token);
    return { format: info.format, bound: info.contextBound === true };
  } catch {
    return { format: "none", bound: false };
  }
}

describe("one owner for token shapes: describeToken reads szc1 exactly as decryption does", () => {
  it("agrees on every mutation of valid tokens, text and bytes, bound and unbound", () => {
    const seeds = [
      encryptSzc1Bytes(Buffer.from("4111"), key, { fieldName: FIELD }),
      encryptSzc1Bytes(Buffer.from("4111"), key, { fieldName: FIELD, context: ["t"] }),
      encryptSzc1Bytes(new Uint8Array(0), key, { fieldName: FIELD }),
    ];
    const mutation = fc.record({
      seed: fc.constantFrom(...seeds),
      at: fc.nat(60),
      byte: fc.integer({ min: 0, max: 255 }),
      cut: fc.integer({ min: -40, max: 0 }),
      text: fc.boolean(),
      tail: fc.constantFrom("", "=", "A", "AA", " ", "\n", "+", "/", "-", "_"),
    });
    fc.assert(
      fc.property(mutation, ({ seed, at, byte, cut, text, tail }) => {
        const raw = Buffer.from(seed.subarray(0, seed.length + cut));
        if (raw.length > 0) {
          raw[at % raw.length] = byte;
        }
        const token = text ? `szc1:${raw.subarray(4).toString("base64url")}${tail}` : raw;
        const seen = describedAs(token);
        // Bytes that are no szc1 token may still be legacy-cbc (decryption falls back the same way).
        const described = seen.format === "szc1" ? "szc1" : "malformed";
        assert.equal(described, coreShape(token, seen.bound), `${text ? "text" : "bytes"} described as ${seen.format}`);
      }),
      { numRuns: 3000 },
    );
  });

  it("says whether a token is context-bound", () => {
    assert.equal(describeToken(encryptSzc1("x", key, { fieldName: FIELD, context: ["t"] })).contextBound, true);
    assert.equal(describeToken(encryptSzc1("x", key, { fieldName: FIELD })).contextBound, false);
    assert.equal(describeToken(encryptLegacyBytes(new Uint8Array(3), key)).contextBound, undefined);
  });
});

describe("szc1 hands out Uint8Arrays of their own and no writable constant", () => {
  it("returns plain Uint8Arrays, each the whole of its memory", () => {
    const token = encryptSzc1Bytes(Buffer.from("4111"), key, { fieldName: FIELD });
    const plain = decryptSzc1Bytes(token, key, { fieldName: FIELD });
    const parts = parseSzc1Body(token.subarray(4));
    assert.ok(parts !== undefined);
    for (const [what, bytes] of [
      ["token", token],
      ["plaintext", plain],
      ["nonce", parts.nonce],
      ["sealed", parts.sealed],
    ] as const) {
      assert.equal(Object.getPrototypeOf(bytes), Uint8Array.prototype, what);
      assert.equal(bytes.byteOffset, 0, what);
      assert.equal(bytes.byteLength, bytes.buffer.byteLength, what);
    }
  });

  it("parts are copies: writing to them changes no token", () => {
    const token = encryptSzc1Bytes(Buffer.from("4111"), key, { fieldName: FIELD });
    const parts = parseSzc1Body(token.subarray(4));
    parts?.nonce.fill(0);
    parts?.sealed.fill(0);
    assert.equal(Buffer.from(decryptSzc1Bytes(token, key, { fieldName: FIELD })).toString(), "4111");
  });

  it("the magic cannot be overwritten by a consumer", () => {
    assert.equal(typeof SZC1_MAGIC, "string");
    assert.equal(SZC1_MAGIC, "szc1");
  });
});
