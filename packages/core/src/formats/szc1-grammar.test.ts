import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { describe, it } from "node:test";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { SzcryptKey } from "../keys/key.js";
import { Keyring } from "../keys/keyring.js";
import { decryptSzc1, decryptSzc1Bytes, parseSzc1Body } from "./szc1.js";

// conformance/SPEC.md: a key id is 1 to 64 characters of A-Z a-z 0-9 . _ -.
// Tokens are built here from the SPEC's layout with node's AES-GCM, so each is
// a well-sealed token whose only fault is its key id.
const RAW = Buffer.alloc(32, 0x42);
const FIELD = "sz.testing.v1.Shapes.secret";

function token(id: Uint8Array): Buffer {
  const nonce = Buffer.alloc(12, 7);
  const c = createCipheriv("aes-256-gcm", RAW, nonce);
  c.setAAD(Buffer.concat([Buffer.from("szc1\0"), id, Buffer.from(`\0${FIELD}`)]));
  const ct = Buffer.concat([c.update("4111111111111111"), c.final()]);
  return Buffer.concat([Buffer.from("szc1"), Buffer.of(id.length), id, nonce, ct, c.getAuthTag()]);
}

const malformed = (err: unknown) => isSzcryptError(err, "MALFORMED") && !/\x1b/.test(err.message);

describe("szc1 key ids outside the SPEC grammar are malformed", () => {
  const bad: [string, Buffer][] = [
    ["65 characters", Buffer.from("a".repeat(65))],
    ["200 characters", Buffer.from("b".repeat(200))],
    ["255 characters", Buffer.from("c".repeat(255))],
    ["a terminal escape", Buffer.from("\x1b]0;pwned\x07k1")],
    ["a space", Buffer.from("k 1")],
    ["a colon", Buffer.from("k:1")],
    ["a zero byte", Buffer.from("k\u00001")],
    ["a byte above 0x7f", Buffer.from([0x6b, 0xe9, 0x31])],
    ["a slash", Buffer.from("k/1")],
  ];
  for (const [what, id] of bad) {
    it(`refuses a key id with ${what}`, () => {
      const raw = token(id);
      assert.equal(parseSzc1Body(raw.subarray(4)), undefined);
      const ring = Keyring.of(SzcryptKey.fromBytes(RAW, { id: "k1" }));
      assert.throws(() => decryptSzc1Bytes(raw, ring, { fieldName: FIELD }), malformed);
      assert.throws(() => decryptSzc1(`szc1:${raw.subarray(4).toString("base64url")}`, ring, { fieldName: FIELD }), malformed);
    });
  }

  it("accepts the longest and every kind of character the grammar allows", () => {
    const id = `Az09._-${"x".repeat(57)}`;
    assert.equal(id.length, 64);
    const ring = Keyring.of(SzcryptKey.fromBytes(RAW, { id }));
    const raw = token(Buffer.from(id));
    assert.equal(parseSzc1Body(raw.subarray(4))?.keyId, id);
    assert.equal(Buffer.from(decryptSzc1Bytes(raw, ring, { fieldName: FIELD })).toString(), "4111111111111111");
  });
});
