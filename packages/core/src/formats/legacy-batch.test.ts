import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import fc from "fast-check";
import "../test-support/fast-check-replay.js";
import { createOracleGuard } from "../defence/oracle-guard.js";
import { SzcryptKey } from "../keys/key.js";
import { LEGACY_FAILED, LEGACY_MALFORMED, LEGACY_REFUSED, type LegacyGuard, openLegacyValues, sealLegacyValues } from "./legacy-batch.js";
import { encryptLegacyBytes } from "./legacy-cbc.js";

// The oracle is node:crypto's own AES-CBC with PKCS#7, one value at a time:
// the batch must make tokens it opens and open tokens it makes, for any mix of
// sizes (small, around the batch's limit, large), text and bytes.
const keyArb = fc
  .constantFrom(16, 24, 32)
  .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
  .map((b) => ({ raw: b, key: SzcryptKey.fromBytes(b) }));
const valueArb = fc.oneof(
  fc.uint8Array({ maxLength: 70 }),
  fc.uint8Array({ minLength: 4070, maxLength: 4120 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 30 }).filter((s) => s.isWellFormed()),
  fc.string({ unit: "grapheme-ascii", minLength: 4080, maxLength: 4110 }),
);
const valuesArb = fc.array(valueArb, { maxLength: 12 });

const algorithm = (raw: Uint8Array) => `aes-${raw.length * 8}-cbc`;

function nodeDecrypt(raw: Uint8Array, token: string | Uint8Array): Buffer {
  const bytes = typeof token === "string" ? Buffer.from(token, "base64") : Buffer.from(token);
  const d = createDecipheriv(algorithm(raw), raw, bytes.subarray(0, 16));
  return Buffer.concat([d.update(bytes.subarray(16)), d.final()]);
}

function nodeEncrypt(raw: Uint8Array, value: string | Uint8Array): Buffer {
  const iv = Buffer.alloc(16, 7);
  const c = createCipheriv(algorithm(raw), raw, iv);
  return Buffer.concat([iv, c.update(typeof value === "string" ? Buffer.from(value, "utf8") : value), c.final()]);
}

describe("legacy-cbc batches", () => {
  it("seal each value as AES-CBC with its own IV, text as canonical base64", () => {
    fc.assert(
      fc.property(keyArb, valuesArb, ({ raw, key }, values) => {
        // Twice: the key's cipher chains across calls, and the second batch must not depend on the first.
        for (let round = 0; round < 2; round++) {
          const sealed = sealLegacyValues(values, key);
          assert.equal(sealed.length, values.length);
          sealed.forEach((token, i) => {
            const value = values[i] as string | Uint8Array;
            assert.equal(typeof token, typeof value === "string" ? "string" : "object");
            if (typeof token === "string") {
              assert.equal(Buffer.from(token, "base64").toString("base64"), token);
              assert.equal(nodeDecrypt(raw, token).toString("utf8"), value);
            } else {
              assert.ok(token instanceof Uint8Array && token.byteOffset === 0 && token.byteLength === token.buffer.byteLength);
              assert.deepEqual(nodeDecrypt(raw, token), Buffer.from(value as Uint8Array));
            }
          });
          const ivs = sealed.map((t) =>
            (typeof t === "string" ? Buffer.from(t, "base64") : Buffer.from(t)).subarray(0, 16).toString("hex"),
          );
          assert.equal(new Set(ivs).size, ivs.length);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("open what node:crypto seals, and mark the values that do not open", () => {
    fc.assert(
      fc.property(keyArb, valuesArb, fc.nat(), ({ raw, key }, values, pick) => {
        const tokens: (string | Uint8Array)[] = values.map((v) => {
          const t = nodeEncrypt(raw, v);
          return typeof v === "string" ? t.toString("base64") : new Uint8Array(t);
        });
        const bad = tokens.length === 0 ? -1 : pick % tokens.length;
        if (bad >= 0) {
          // The block before the last XORs straight into the last plaintext block:
          // flipping its last byte turns the padding byte n into n ^ 0xff > 16, never valid.
          const t = tokens[bad] as string | Uint8Array;
          const b = typeof t === "string" ? Buffer.from(t, "base64") : Buffer.from(t);
          b[b.length - 17] = (b[b.length - 17] as number) ^ 0xff;
          tokens[bad] = typeof t === "string" ? b.toString("base64") : new Uint8Array(b);
        }
        openLegacyValues(tokens, key, undefined).forEach((plain, i) => {
          if (i === bad) {
            assert.equal(plain, LEGACY_FAILED);
          } else if (typeof plain === "string") {
            assert.equal(plain, values[i]);
          } else {
            assert.ok(plain instanceof Uint8Array);
            assert.deepEqual(Buffer.from(plain), Buffer.from(values[i] as Uint8Array));
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it("tells malformed tokens, bad UTF-8 and refused values apart, and reports failures to the guard", () => {
    const raw = new Uint8Array(16).fill(3);
    const key = SzcryptKey.fromBytes(raw);
    const good = nodeEncrypt(raw, "fine").toString("base64");
    const badUtf8 = nodeEncrypt(raw, Buffer.from([0xc3, 0x28])).toString("base64");
    const refusedToken = nodeEncrypt(raw, "refused").toString("base64");
    const recorded: string[] = [];
    const guard: LegacyGuard = {
      refusesRange: (b, start, end) => Buffer.from(b.subarray(start, end)).toString("base64") === refusedToken,
      recordFailureRange: (b, start, end) => {
        recorded.push(Buffer.from(b.subarray(start, end)).toString("base64"));
      },
    };
    const out = openLegacyValues([good, `${good.slice(0, -2)}B=`, good.slice(4), "@@@@", badUtf8, refusedToken], key, guard);
    assert.deepEqual(out, ["fine", LEGACY_MALFORMED, LEGACY_MALFORMED, LEGACY_MALFORMED, LEGACY_FAILED, LEGACY_REFUSED]);
    assert.deepEqual(recorded, [badUtf8]);
  });

  it("open strict UTF-8 only, a leading BOM kept, as Python's bytes.decode", () => {
    const raw = new Uint8Array(16).fill(5);
    const key = SzcryptKey.fromBytes(raw);
    // RFC 3629: a lone continuation byte, an encoded surrogate, an overlong NUL, a truncated sequence.
    const invalid = [[0x80], [0x41, 0x80], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0xe2, 0x82]];
    const tokens = invalid.map((b) => nodeEncrypt(raw, Buffer.from(b)).toString("base64"));
    tokens.push(nodeEncrypt(raw, Buffer.from([0xef, 0xbb, 0xbf, 0x61])).toString("base64"));
    tokens.push(nodeEncrypt(raw, Buffer.from("a\u0000é€😀", "utf8")).toString("base64"));
    assert.deepEqual(openLegacyValues(tokens, key, undefined), [...invalid.map(() => LEGACY_FAILED), "\ufeffa", "a\u0000é€😀"]);
  });

  it("seal multi-byte text at the batch's size limit and across it", () => {
    const raw = new Uint8Array(32).fill(6);
    const key = SzcryptKey.fromBytes(raw);
    // 4095, 4098, 4096 and 4100 UTF-8 bytes: room for 3 bytes per UTF-16 unit must hold.
    const values = ["€".repeat(1365), "€".repeat(1366), "😀".repeat(1024), "😀".repeat(1025), "x"];
    const sealed = sealLegacyValues(values, key);
    sealed.forEach((token, i) => {
      assert.equal(nodeDecrypt(raw, token).toString("utf8"), values[i]);
    });
  });

  it("give every value a fresh random R, the block whose ciphertext is its IV", () => {
    // R = D(K, IV) ⊕ the block CBC chained it to, recovered with node:crypto's AES-ECB.
    const ecbDecrypt = (raw: Uint8Array, block: Uint8Array) => {
      const d = createDecipheriv(`aes-${raw.length * 8}-ecb`, raw, null);
      d.setAutoPadding(false);
      return d.update(block);
    };
    const xor = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.map((x, i) => x ^ (b[i] as number))).toString("hex");
    const zero = "0".repeat(32);
    // A new key object starts a new chain from a zero block: D(K, IV) is R itself.
    const raw = randomBytes(16);
    const fresh = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const token = sealLegacyValues([new Uint8Array([1, 2, 3])], SzcryptKey.fromBytes(raw))[0] as Uint8Array;
      fresh.add(xor(ecbDecrypt(raw, token.subarray(0, 16)), new Uint8Array(16)));
    }
    assert.equal(fresh.size, 100);
    assert.ok(!fresh.has(zero));
    // One value after another: each chained to the last block of the one before.
    const raw2 = randomBytes(32);
    const key = SzcryptKey.fromBytes(raw2);
    const inSequence = new Set<string>();
    let previous: Uint8Array | undefined;
    for (let i = 0; i < 100; i++) {
      const token = encryptLegacyBytes(new Uint8Array(i % 40), key);
      if (previous !== undefined) {
        inSequence.add(xor(ecbDecrypt(raw2, token.subarray(0, 16)), previous.subarray(previous.length - 16)));
      }
      previous = token;
    }
    assert.equal(inSequence.size, 99);
    assert.ok(!inSequence.has(zero));
    // In a batch, 20-byte values (3 blocks with the IV) need no filler between them.
    const inBatch = new Set<string>();
    for (let round = 0; round < 10; round++) {
      const tokens = sealLegacyValues(
        Array.from({ length: 10 }, () => new Uint8Array(20)),
        key,
      ) as Uint8Array[];
      for (let b = 1; b < tokens.length; b++) {
        inBatch.add(xor(ecbDecrypt(raw2, (tokens[b] as Uint8Array).subarray(0, 16)), (tokens[b - 1] as Uint8Array).subarray(32)));
      }
    }
    assert.equal(inBatch.size, 90);
    assert.ok(!inBatch.has(zero));
  });

  it("record failures of values over the batch's limit with the guard", () => {
    const raw = new Uint8Array(16).fill(8);
    const key = SzcryptKey.fromBytes(raw);
    const guard = createOracleGuard({ threshold: 1 });
    const large = nodeEncrypt(raw, Buffer.alloc(5000, 0x61));
    large[large.length - 17] = (large[large.length - 17] as number) ^ 0xff;
    const badUtf8 = nodeEncrypt(raw, Buffer.alloc(5000, 0xff)).toString("base64");
    const tokens = [new Uint8Array(large), badUtf8];
    assert.deepEqual(openLegacyValues(tokens, key, guard), [LEGACY_FAILED, LEGACY_FAILED]);
    assert.deepEqual(openLegacyValues(tokens, key, guard), [LEGACY_REFUSED, LEGACY_REFUSED]);
  });
});
