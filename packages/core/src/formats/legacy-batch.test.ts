import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import "../test-support/fast-check-replay.js";
import { SzcryptKey } from "../keys/key.js";
import { decryptLegacyBatch, encryptLegacyBatch } from "./legacy-batch.js";
import { decryptLegacyBytes, encryptLegacyBytes } from "./legacy-cbc.js";

// The single-value codec is checked against PyCryptodome's vectors and Wycheproof;
// the batch must agree with it both ways, for any mix of sizes (small and large).
const keyArb = fc
  .constantFrom(16, 24, 32)
  .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
  .map((b) => SzcryptKey.fromBytes(b));
const valuesArb = fc.array(fc.oneof(fc.uint8Array({ maxLength: 70 }), fc.uint8Array({ minLength: 250, maxLength: 400 })), {
  maxLength: 12,
});

describe("legacy-cbc batches", () => {
  it("encrypt each value as the single-value codec decrypts it, with distinct IVs", () => {
    fc.assert(
      fc.property(keyArb, valuesArb, (key, values) => {
        const sealed = encryptLegacyBatch(values, key);
        assert.equal(sealed.length, values.length);
        sealed.forEach((s, i) => {
          assert.deepEqual([...decryptLegacyBytes(s, key)], [...(values[i] as Uint8Array)]);
        });
        assert.equal(new Set(sealed.map((s) => Buffer.from(s.subarray(0, 16)).toString("hex"))).size, sealed.length);
      }),
      { numRuns: 300 },
    );
  });

  it("decrypt what the single-value codec makes, and mark only the values that do not decrypt", () => {
    fc.assert(
      fc.property(keyArb, valuesArb, fc.nat(), (key, values, pick) => {
        const sealed = values.map((v) => encryptLegacyBytes(v, key));
        const bad = sealed.length === 0 ? -1 : pick % sealed.length;
        if (bad >= 0) {
          const t = sealed[bad] as Buffer;
          // The block before the last (or the IV) XORs straight into the last plaintext block:
          // flipping its last byte turns the padding byte n into n ^ 0xff > 16, never valid.
          t[t.length - 17] = (t[t.length - 17] ?? 0) ^ 0xff;
        }
        decryptLegacyBatch(sealed, key).forEach((plain, i) => {
          if (i === bad) {
            assert.equal(plain, undefined);
          } else {
            assert.deepEqual([...(plain as Buffer)], [...(values[i] as Uint8Array)]);
          }
        });
      }),
      { numRuns: 300 },
    );
  });
});
