import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { SzcryptKey } from "../keys/key.js";
import { encryptLegacy, encryptLegacyBytes } from "./legacy-cbc.js";
import { encryptSzc1, encryptSzc1Bytes } from "./szc1.js";
import { describeToken } from "./token-info.js";

const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(8), { id: "k-1" });
const malformed = (err: unknown) => isSzcryptError(err, "MALFORMED");

describe("describeToken", () => {
  it("reads both formats in both forms, with sizes from the SPEC layouts", () => {
    assert.deepEqual(describeToken(encryptLegacy("x".repeat(20), key)), {
      format: "legacy-cbc",
      form: "text",
      bytes: 48,
      ivBytes: 16,
      ciphertextBytes: 32,
      plaintextBytes: [16, 31],
    });
    assert.equal(describeToken(encryptLegacyBytes(new Uint8Array(3), key)).form, "bytes");
    const text = describeToken(encryptSzc1("4111", key, { fieldName: "f" }));
    assert.deepEqual(text, {
      format: "szc1",
      form: "text",
      bytes: 4 + 1 + 3 + 12 + 4 + 16,
      keyId: "k-1",
      contextBound: false,
      headerBytes: 4 + 1 + 3,
      nonceBytes: 12,
      ciphertextBytes: 4,
      tagBytes: 16,
      plaintextBytes: 4,
    });
    assert.deepEqual(describeToken(encryptSzc1Bytes(Buffer.from("4111"), key, { fieldName: "f" })), { ...text, form: "bytes" });
  });

  it("reads bytes that start with 'szc1' but are no szc1 token as legacy-cbc, as decryption falls back", () => {
    const raw = Buffer.alloc(48, 0xff);
    raw.write("szc1", 0, "ascii");
    assert.equal(describeToken(raw).format, "legacy-cbc");
    assert.throws(() => describeToken(raw.subarray(0, 40)), malformed);
  });

  it("refuses what is no token, without quoting it", () => {
    for (const bad of ["szc1:", "szc1:@@", "szc1:AAAA", "not base64!", "AAAA", `szc1:${"A".repeat(5)}`]) {
      assert.throws(
        () => describeToken(bad),
        (err: unknown) => malformed(err) && !(err as Error).message.includes(bad.slice(5) || "\0"),
      );
    }
    assert.throws(() => describeToken(new Uint8Array(17)), malformed);
    assert.throws(() => describeToken(7 as unknown as string), TypeError);
  });
});
