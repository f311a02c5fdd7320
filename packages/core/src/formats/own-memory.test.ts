import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { createFieldCrypto } from "../fields/field-crypto.js";
import type { FormatName } from "../fields/format-policy.js";
import { ShapesSchema } from "../gen/sz/testing/v1/shapes_pb.js";
import { keyMaterial, SzcryptKey } from "../keys/key.js";
import { parseKeySpec } from "../keys/key-spec.js";
import { decryptLegacyBytes, encryptLegacyBytes } from "./legacy-cbc.js";
import { decryptSzc1Bytes, encryptSzc1Bytes } from "./szc1.js";

// Node's small Buffers are views of one shared 8 KiB pool: a value handed out
// as such a view carries the whole pool in `.buffer`. Every value szcrypt hands
// out must be the whole of its memory, and key material must never be pooled.

function contains(buffer: ArrayBufferLike, needle: Uint8Array): boolean {
  return Buffer.from(buffer).indexOf(needle) >= 0;
}

function assertOwnMemory(value: Uint8Array, what: string): void {
  assert.equal(value.byteOffset, 0, `${what} starts its own memory`);
  assert.equal(value.buffer.byteLength, value.byteLength, `${what}.buffer holds nothing but itself`);
}

// Distinct random values, long enough never to match by chance.
const secretText = () => `card-${randomBytes(12).toString("hex")}`;

describe("memory handed out holds nothing else", () => {
  it("key material has its own allocation, and parsing a spec leaves no copy in the pool", () => {
    const raw = randomBytes(32); // not pooled, so only a pooled copy made by szcrypt can be found
    const key = parseKeySpec(`hex:${raw.toString("hex")}`);
    assertOwnMemory(keyMaterial(key), "key material");
    // A pooled Buffer made right after shares the pool a pooled decode would have used.
    const probe = Buffer.allocUnsafe(8);
    assert.notEqual(probe.buffer.byteLength, probe.byteLength, "the probe is pooled");
    assert.ok(!contains(probe.buffer, raw), "no key bytes in the shared pool");
    const fromBytes = SzcryptKey.fromBytes(randomBytes(16));
    assertOwnMemory(keyMaterial(fromBytes), "fromBytes key material");
  });

  it("format functions return values that are their own memory", () => {
    const key = SzcryptKey.fromBytes(randomBytes(32), { id: "k" });
    for (const size of [0, 5, 16, 100, 5000]) {
      const plain = randomBytes(size);
      const legacy = encryptLegacyBytes(plain, key);
      assertOwnMemory(legacy, `legacy ciphertext of ${size} bytes`);
      assertOwnMemory(decryptLegacyBytes(legacy, key), `legacy plaintext of ${size} bytes`);
      const szc1 = encryptSzc1Bytes(plain, key, { fieldName: "f" });
      assertOwnMemory(szc1, `szc1 token of ${size} bytes`);
      assertOwnMemory(decryptSzc1Bytes(szc1, key, { fieldName: "f" }), `szc1 plaintext of ${size} bytes`);
    }
  });

  for (const format of ["legacy-cbc", "szc1"] as FormatName[]) {
    it(`${format}: bytes fields of encrypted and decrypted messages show no key and no other plaintext`, () => {
      const raw = randomBytes(32);
      const key = SzcryptKey.fromBytes(raw, { id: "k1" });
      const crypto = createFieldCrypto({ key, format });
      const texts = [secretText(), secretText(), secretText()];
      const blobs = [Buffer.from(secretText()), Buffer.from(secretText())];
      const message = create(ShapesSchema, {
        secret: texts[0] as string,
        secrets: [texts[1] as string, texts[2] as string],
        blob: new Uint8Array(blobs[0] as Buffer),
        blobs: [new Uint8Array(blobs[1] as Buffer)],
      });
      const sealed = crypto.encryptMessage(ShapesSchema, message);
      const outward = [sealed.blob, ...sealed.blobs];
      for (const value of outward) {
        assertOwnMemory(value, "an encrypted bytes field");
        assert.ok(!contains(value.buffer, raw), "no key bytes behind an encrypted bytes field");
        for (const p of [...texts.map((t) => Buffer.from(t)), ...blobs]) {
          assert.ok(!contains(value.buffer, p), "no plaintext behind an encrypted bytes field");
        }
      }
      const opened = crypto.decryptMessage(ShapesSchema, sealed);
      assert.deepEqual([...opened.blob], [...(blobs[0] as Buffer)]);
      const inward = [opened.blob, ...opened.blobs];
      inward.forEach((value, i) => {
        assertOwnMemory(value, "a decrypted bytes field");
        assert.ok(!contains(value.buffer, raw), "no key bytes behind a decrypted bytes field");
        const others = [...texts.map((t) => Buffer.from(t)), ...blobs.filter((_, j) => j !== i)];
        for (const p of others) {
          assert.ok(!contains(value.buffer, p), "no other field's plaintext behind a decrypted bytes field");
        }
      });
    });
  }
});
