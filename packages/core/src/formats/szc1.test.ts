import assert from "node:assert/strict";
import { createDecipheriv } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import "../test-support/fast-check-replay.js";
import { DECRYPT_FAILED_MESSAGE, isSzcryptError } from "../errors/szcrypt-error.js";
import { keyMaterial, SzcryptKey } from "../keys/key.js";
import { parseKeySpec } from "../keys/key-spec.js";
import { Keyring } from "../keys/keyring.js";
import {
  decryptSzc1,
  decryptSzc1Bytes,
  encryptSzc1,
  encryptSzc1Bytes,
  encryptSzc1BytesWithNonce,
  encryptSzc1WithNonce,
  szc1ScratchIsClear,
} from "./szc1.js";

const FIELD = "sz.examples.v1.Payment.card_number";
const key32 = SzcryptKey.fromBytes(new Uint8Array(32).fill(3), { id: "k1" });

function isDecryptFailed(err: unknown): boolean {
  return isSzcryptError(err, "DECRYPT_FAILED") && err.rawMessage === DECRYPT_FAILED_MESSAGE && err.cause === undefined;
}

describe("szc1", () => {
  it("lays out magic, key id, nonce, ciphertext and tag as SPEC.md says, decryptable by plain AES-GCM", () => {
    const nonce = new Uint8Array(12).fill(9);
    const raw = Buffer.from(encryptSzc1BytesWithNonce(Buffer.from("4111"), key32, { fieldName: FIELD }, nonce));
    assert.equal(raw.subarray(0, 4).toString("ascii"), "szc1");
    assert.equal(raw[4], 2);
    assert.equal(raw.subarray(5, 7).toString("ascii"), "k1");
    assert.deepEqual([...raw.subarray(7, 19)], [...nonce]);
    assert.equal(raw.length, 4 + 1 + 2 + 12 + 4 + 16);
    // Independent check with node's GCM and the associated data written out here.
    const d = createDecipheriv("aes-256-gcm", keyMaterial(key32), nonce);
    d.setAAD(Buffer.from(`szc1\0k1\0${FIELD}`));
    d.setAuthTag(raw.subarray(raw.length - 16));
    assert.equal(Buffer.concat([d.update(raw.subarray(19, raw.length - 16)), d.final()]).toString(), "4111");
    const text = encryptSzc1WithNonce("4111", key32, { fieldName: FIELD }, nonce);
    assert.equal(text, `szc1:${raw.subarray(4).toString("base64url")}`);
    assert.doesNotMatch(text, /[=+/]/);
  });

  it("round-trips any string and bytes under 16 and 32-byte keys, any field name", () => {
    const keyArb = fc
      .constantFrom(16, 32)
      .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
      .map((b) => SzcryptKey.fromBytes(b, { id: "rt" }));
    fc.assert(
      fc.property(keyArb, fc.string({ unit: "binary" }), fc.string(), (key, text, fieldName) => {
        assert.equal(decryptSzc1(encryptSzc1(text, key, { fieldName }), key, { fieldName }), text);
        const bytes = Buffer.from(text);
        assert.deepEqual(Buffer.from(decryptSzc1Bytes(encryptSzc1Bytes(bytes, key, { fieldName }), key, { fieldName })), bytes);
      }),
      { numRuns: 300 },
    );
  });

  it("never decrypts a token with any one byte changed", () => {
    const raw = encryptSzc1Bytes(Buffer.from("a secret value"), key32, { fieldName: FIELD });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: raw.length - 1 }), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const bad = Buffer.from(raw);
        bad[i] = (bad[i] ?? 0) ^ x;
        assert.throws(
          () => decryptSzc1Bytes(bad, key32, { fieldName: FIELD }),
          // Setting the header's context flag is refused before any decryption (CONTEXT_REQUIRED).
          (err: unknown) =>
            isSzcryptError(err, "DECRYPT_FAILED") || isSzcryptError(err, "MALFORMED") || isSzcryptError(err, "CONTEXT_REQUIRED"),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it("binds the field name: a value moved to another field fails", () => {
    const token = encryptSzc1("4111", key32, { fieldName: FIELD });
    assert.throws(() => decryptSzc1(token, key32, { fieldName: "sz.examples.v1.Payment.cardholder" }), isDecryptFailed);
  });

  it("says DECRYPT_FAILED, the same way, for a bad tag, an unknown key id and a wrong key", () => {
    const token = encryptSzc1("4111", key32, { fieldName: FIELD });
    const other = SzcryptKey.fromBytes(new Uint8Array(32).fill(4), { id: "k1" });
    const unknown = SzcryptKey.fromBytes(new Uint8Array(32).fill(3), { id: "k9" });
    const tampered = `${token.slice(0, -2)}${token.at(-2) === "A" ? "B" : "A"}${token.at(-1)}`;
    assert.throws(() => decryptSzc1(tampered, key32, { fieldName: FIELD }), isDecryptFailed);
    assert.throws(() => decryptSzc1(token, unknown, { fieldName: FIELD }), isDecryptFailed);
    assert.throws(() => decryptSzc1(token, other, { fieldName: FIELD }), isDecryptFailed);
  });

  it("accepts only the canonical text form: a last character differing in unused bits is refused", () => {
    // 4 plaintext bytes + 35-byte body: 35 mod 3 = 2, so the last character carries 2 unused bits.
    const token = encryptSzc1("4111", key32, { fieldName: FIELD });
    const last = token.at(-1) as string;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string; // same data bits, one unused bit set
    assert.deepEqual(
      Buffer.from(`${token.slice(5, -1)}${sibling}`, "base64url"),
      Buffer.from(token.slice(5), "base64url"),
      "Node decodes both to the same bytes",
    );
    assert.throws(
      () => decryptSzc1(`${token.slice(0, -1)}${sibling}`, key32, { fieldName: FIELD }),
      (err: unknown) => isSzcryptError(err, "MALFORMED"),
    );
  });

  it("refuses 24-byte keys and keys without an id", () => {
    assert.throws(() => encryptSzc1("x", SzcryptKey.fromBytes(new Uint8Array(24), { id: "a" }), { fieldName: "" }), /16 or 32-byte keys/);
    assert.throws(() => encryptSzc1("x", SzcryptKey.fromBytes(new Uint8Array(16)), { fieldName: "" }), /key id/);
  });
});

describe("Keyring", () => {
  const spec = (n: number) => `hex:${Buffer.alloc(32, n).toString("hex")}`;

  it("parses its JSON form and a lone key spec, naming the key at fault but never its material", () => {
    const ring = Keyring.parse(JSON.stringify({ primary: "b", legacy: "a", keys: { a: spec(1), b: spec(2) } }));
    assert.equal(ring.primary.id, "b");
    assert.equal(ring.legacy.id, "a");
    assert.deepEqual(ring.ids, ["a", "b"]);
    assert.equal(Keyring.parse(spec(1)).primary.id, "default");
    assert.throws(
      () => Keyring.parse(JSON.stringify({ primary: "c", keys: { a: spec(1) } })),
      /primary key 'c' is not among its keys \(a\)/,
    );
    assert.throws(
      () => Keyring.parse(JSON.stringify({ primary: "a", keys: { a: "hex:0102" } })),
      (err: unknown) => isSzcryptError(err, "KEY_INVALID") && /keyring key 'a'/.test(err.message) && !err.message.includes("0102"),
    );
    assert.throws(() => Keyring.parse("{not json"), /not valid JSON/);
    assert.ok(!JSON.stringify(ring).includes(Buffer.alloc(32, 2).toString("hex")));
    assert.match(String(ring), /Keyring\(primary=b, legacy=a, keys=\[a, b\]\)/);
  });

  it("walks a rotation: add, promote, retire", () => {
    const k1 = parseKeySpec(spec(1), { id: "2025" });
    const k2 = parseKeySpec(spec(2), { id: "2026" });
    const before = new Keyring({ keys: [k1], primary: "2025" });
    const oldToken = encryptSzc1("card", before.primary, { fieldName: FIELD });
    // 1. add k2 everywhere, not yet primary: old tokens decrypt, new ones still use k1.
    const added = new Keyring({ keys: [k1, k2], primary: "2025" });
    assert.equal(decryptSzc1(oldToken, added, { fieldName: FIELD }), "card");
    // 2. promote k2: new tokens carry its id, old ones still decrypt.
    const promoted = new Keyring({ keys: [k1, k2], primary: "2026" });
    const newToken = encryptSzc1("card", promoted.primary, { fieldName: FIELD });
    assert.equal(decryptSzc1(newToken, added, { fieldName: FIELD }), "card", "a service still on step 1 reads the new tokens");
    assert.equal(decryptSzc1(oldToken, promoted, { fieldName: FIELD }), "card");
    // 3. retire k1: its tokens fail like any other undecryptable value.
    const retired = new Keyring({ keys: [k2], primary: "2026" });
    assert.equal(decryptSzc1(newToken, retired, { fieldName: FIELD }), "card");
    assert.throws(() => decryptSzc1(oldToken, retired, { fieldName: FIELD }), isDecryptFailed);
  });
});

describe("szc1 one value: the plaintext scratch", () => {
  it("is all zeros after every call, sealed, opened or refused (long values and other keys included)", () => {
    const ring = Keyring.of(key32);
    const bad = Buffer.from(encryptSzc1Bytes(new Uint8Array([0xff, 0xfe]), key32, { fieldName: FIELD })).subarray(4);
    const calls: (() => unknown)[] = [
      () => encryptSzc1("a secret value", key32, { fieldName: FIELD }),
      () => encryptSzc1("x".repeat(300), key32, { fieldName: FIELD }),
      () => encryptSzc1("bound", key32, { fieldName: FIELD, context: ["t1"] }),
      () => encryptSzc1Bytes(new Uint8Array(40).fill(7), key32, { fieldName: FIELD }),
      () => decryptSzc1(encryptSzc1("a secret value", key32, { fieldName: FIELD }), ring, { fieldName: FIELD }),
      () => decryptSzc1(encryptSzc1("y".repeat(300), key32, { fieldName: FIELD }), ring, { fieldName: FIELD }),
      () => decryptSzc1Bytes(encryptSzc1Bytes(new Uint8Array(40).fill(7), key32, { fieldName: FIELD }), ring, { fieldName: FIELD }),
      // A tag that verifies over bytes that are not UTF-8: refused after opening.
      () => decryptSzc1(`szc1:${bad.toString("base64url")}`, ring, { fieldName: FIELD }),
      () => decryptSzc1(encryptSzc1("other field", key32, { fieldName: FIELD }), ring, { fieldName: "other" }),
    ];
    for (const [i, call] of calls.entries()) {
      try {
        call();
      } catch {
        // Refusals are this test's cases too.
      }
      assert.ok(szc1ScratchIsClear(), `call ${i}`);
    }
  });

  it("opens values over the 64 KiB of scratch it keeps, and leaves the scratch zeroed", () => {
    const ring = Keyring.of(key32);
    const text = "é".repeat(40_000);
    assert.equal(decryptSzc1(encryptSzc1(text, key32, { fieldName: FIELD }), ring, { fieldName: FIELD }), text);
    assert.ok(szc1ScratchIsClear());
    const big = new Uint8Array(70_000).fill(3);
    assert.deepEqual(decryptSzc1Bytes(encryptSzc1Bytes(big, key32, { fieldName: FIELD }), ring, { fieldName: FIELD }), big);
    assert.ok(szc1ScratchIsClear());
    assert.equal(decryptSzc1(encryptSzc1("small after", key32, { fieldName: FIELD }), ring, { fieldName: FIELD }), "small after");
  });
});
