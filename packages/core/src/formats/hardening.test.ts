import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { describe, it } from "node:test";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import * as fixedIvApi from "../fixed-iv.js";
import * as publicApi from "../index.js";
import { SzcryptKey } from "../keys/key.js";
import { parseKeySpec } from "../keys/key-spec.js";
import { ecbFor } from "./aes-ecb.js";
import { encryptLegacy, encryptLegacyBytes } from "./legacy-cbc.js";
import { NonceBudget, szc1NonceBudget } from "./nonce-budget.js";
import { encryptSzc1, encryptSzc1Bytes, encryptSzc1WithNonce } from "./szc1.js";

describe("shared AES-ECB ciphers", () => {
  it("refuse a partial block, and stay in step for every later value under the key", () => {
    const raw = Buffer.alloc(16, 0x24);
    const key = SzcryptKey.fromBytes(raw);
    const ecb = ecbFor(key);
    assert.throws(() => ecb.encrypt(new Uint8Array(15)), RangeError);
    assert.throws(() => ecb.decrypt(new Uint8Array(17)), RangeError);
    // node's own ECB, fresh: what a block must encrypt to.
    const ref = createCipheriv("aes-128-ecb", raw, null).setAutoPadding(false);
    const block = Buffer.alloc(16, 0x61);
    assert.deepEqual(ecb.encrypt(block), ref.update(block));
    assert.deepEqual(ecb.decrypt(ref.update(block)), block);
  });
});

describe("no chosen IV or nonce on the public API", () => {
  it("the public entry point has no fixed-IV or fixed-nonce function; only the test-only fixed-iv entry does", () => {
    for (const name of Object.keys(publicApi)) {
      assert.doesNotMatch(name, /WithIv|WithNonce/);
    }
    assert.equal(typeof fixedIvApi.encryptLegacyWithIv, "function");
    assert.equal(typeof fixedIvApi.encryptSzc1BytesWithNonce, "function");
  });

  it("an iv or nonce option slipped into the public functions is not used", () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(5), { id: "k" });
    const iv = new Uint8Array(16);
    const nonce = new Uint8Array(12);
    const legacy = encryptLegacy as (p: string, k: SzcryptKey, o: unknown) => string;
    const legacyBytes = encryptLegacyBytes as (p: Uint8Array, k: SzcryptKey, o: unknown) => Uint8Array;
    assert.notEqual(legacy("x", key, { iv }), legacy("x", key, { iv }));
    assert.notDeepEqual(legacyBytes(Buffer.from("x"), key, { iv }).subarray(0, 16), iv);
    const opts = { fieldName: "f", nonce } as { fieldName: string };
    assert.notEqual(encryptSzc1("x", key, opts), encryptSzc1("x", key, opts));
    assert.notDeepEqual(Buffer.from(encryptSzc1Bytes(Buffer.from("x"), key, opts).subarray(6, 18)), Buffer.from(nonce));
  });
});

describe("random-nonce budget per key", () => {
  it("warns once at the warning mark and refuses at the limit, showing only the fingerprint", async () => {
    const spec = `hex:${"7e".repeat(32)}`;
    const key = parseKeySpec(spec, { id: "a" });
    const again = parseKeySpec(spec, { id: "b" }); // the same key, parsed anew: the same budget
    const budget = new NonceBudget(4, 2);
    const warnings: (Error & { code?: string })[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      budget.spend(key);
      budget.spend(again);
      budget.spend(key);
      budget.spend(again);
      assert.equal(budget.spent(key), 4);
      assert.throws(
        () => budget.spend(key),
        (err: unknown) => isSzcryptError(err, "KEY_UNAVAILABLE") && err.message.includes(key.fingerprint) && !err.message.includes("7e7e"),
      );
      assert.equal(budget.spent(key), 4, "a refused encryption spends nothing");
      await new Promise((resolve) => setImmediate(resolve));
      const ours = warnings.filter((w) => w.code === "SZCRYPT_NONCE_BUDGET");
      assert.equal(ours.length, 1);
      assert.ok((ours[0] as Error).message.includes(key.fingerprint));
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("szc1 encryption spends one nonce per value from the process budget; vector nonces spend none", () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(0x3c), { id: "budget" });
    const before = szc1NonceBudget.spent(key);
    encryptSzc1("a", key, { fieldName: "f" });
    encryptSzc1Bytes(Buffer.from("b"), key, { fieldName: "f" });
    encryptSzc1WithNonce("c", key, { fieldName: "f" }, new Uint8Array(12));
    assert.equal(szc1NonceBudget.spent(key) - before, 2);
  });
});
