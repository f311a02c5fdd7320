import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SzcryptKey } from "../keys/key.js";
import { Keyring } from "../keys/keyring.js";
import { decryptLegacyBytes, encryptLegacyBytes } from "./legacy-cbc.js";
import { decryptSzc1Bytes, encryptSzc1Bytes, isSzc1Bytes, parseSzc1Body } from "./szc1.js";

// A string where bytes belong used to be read as an array-like of its length:
// encryptLegacyBytes("secret", key) encrypted six zero bytes without a word.
const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(1), { id: "k" });
const ring = Keyring.of(key);
const notBytes: unknown[] = ["secret", 6, null, undefined, [1, 2, 3], { length: 6 }, new ArrayBuffer(6), new Uint16Array(3)];

describe("functions taking bytes check their argument type", () => {
  const cases: [string, (value: never) => unknown][] = [
    ["encryptLegacyBytes", (v) => encryptLegacyBytes(v, key)],
    ["decryptLegacyBytes", (v) => decryptLegacyBytes(v, key)],
    ["encryptSzc1Bytes", (v) => encryptSzc1Bytes(v, key, { fieldName: "f" })],
    ["decryptSzc1Bytes", (v) => decryptSzc1Bytes(v, ring, { fieldName: "f" })],
    ["isSzc1Bytes", (v) => isSzc1Bytes(v)],
    ["parseSzc1Body", (v) => parseSzc1Body(v)],
    ["SzcryptKey.fromBytes", (v) => SzcryptKey.fromBytes(v)],
  ];
  for (const [name, call] of cases) {
    it(`${name} throws TypeError for anything but a Uint8Array`, () => {
      for (const value of notBytes) {
        assert.throws(() => call(value as never), TypeError, `${name}(${typeof value})`);
      }
    });
  }

  it("szc1 decryption throws TypeError for keys that are neither a Keyring nor a SzcryptKey", () => {
    const raw = encryptSzc1Bytes(Buffer.from("x"), key, { fieldName: "f" });
    for (const keys of ["hex:00", { id: "k" }, null]) {
      assert.throws(() => decryptSzc1Bytes(raw, keys as never, { fieldName: "f" }), TypeError);
    }
  });

  it("takes a Buffer and a plain Uint8Array alike", () => {
    const a = encryptLegacyBytes(Buffer.from("x"), key);
    assert.deepEqual([...decryptLegacyBytes(new Uint8Array(a), key)], [0x78]);
    const b = encryptSzc1Bytes(new Uint8Array([0x78]), key, { fieldName: "f" });
    assert.deepEqual([...decryptSzc1Bytes(new Uint8Array(b), ring, { fieldName: "f" })], [0x78]);
    assert.ok(parseSzc1Body(new Uint8Array(b.subarray(4))) !== undefined);
  });
});
