import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { DECRYPT_FAILED_MESSAGE, isSzcryptError } from "../errors/szcrypt-error.js";
import { createFieldCrypto } from "../fields/field-crypto.js";
import { createFieldPolicy } from "../fields/field-policy.js";
import { NodeService, ShapesSchema } from "../gen/sz/testing/v1/shapes_pb.js";
import { keyMaterial, SzcryptKey } from "../keys/key.js";
import { halfSipHash16 } from "./keyed-hash.js";
import {
  createOracleGuard,
  isOracleGuardRefusal,
  ORACLE_GUARD_DEFAULTS,
  ORACLE_GUARD_MEMORY_BYTES,
  type OracleGuardOptions,
} from "./oracle-guard.js";

const MINUTE = 60_000;

function clocked(options: OracleGuardOptions = {}) {
  const clock = { t: 1_000_000 };
  return { clock, guard: createOracleGuard({ ...options, now: () => clock.t }) };
}

/** A value of `blocks` ciphertext blocks after a 16-byte IV, all random. */
const value = (blocks = 1) => randomBytes(16 * (blocks + 1));

describe("halfSipHash16", () => {
  it("matches HalfSipHash-2-4-64's reference vector for a 16-byte message", () => {
    // veorq/SipHash vectors.h, vectors_hsip64[16]: key 00..07, message 00..0f.
    const out = new Uint32Array(2);
    const data = Buffer.from([0xaa, ...Array.from({ length: 16 }, (_, i) => i)]);
    halfSipHash16({ k0: 0x03020100, k1: 0x07060504 }, data, 1, out);
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(out[0] as number, 0);
    bytes.writeUInt32LE(out[1] as number, 4);
    assert.equal(bytes.toString("hex"), "7336aad25f7bf3b5");
  });
});

describe("oracle guard", () => {
  it("refuses a block once it has failed `threshold` times, and nothing else", () => {
    const { guard } = clocked();
    const attacked = value(1);
    assert.equal(guard.refuses(attacked), false);
    for (let i = 0; i < ORACLE_GUARD_DEFAULTS.threshold - 1; i++) {
      guard.recordFailure(attacked);
    }
    assert.equal(guard.refuses(attacked), false, "refused before the threshold");
    guard.recordFailure(attacked);
    assert.equal(guard.refuses(attacked), true);
    // Any value ending in the attacked block, whatever comes before it (the forged IV).
    const forged = Buffer.concat([randomBytes(32), attacked.subarray(16)]);
    assert.equal(guard.refuses(forged), true);
    for (let i = 0; i < 1000; i++) {
      assert.equal(guard.refuses(value(1 + (i % 4))), false);
    }
  });

  it("reads a value inside a larger buffer as it reads the value alone", () => {
    // What one entry point records, the other must see, wherever the value sits in its buffer.
    const guard = createOracleGuard({ threshold: 1 });
    const embed = (raw: Uint8Array, at: number) => {
      const big = randomBytes(at + raw.length + 7);
      big.set(raw, at);
      return big;
    };
    for (let i = 0; i < 50; i++) {
      const blocks = 2 + (i % 5);
      const raw = randomBytes(16 * blocks);
      const other = randomBytes(16 * blocks);
      const at = (i * 13) % 37;
      if (i % 2 === 0) {
        guard.recordFailureRange(embed(raw, at), at, at + raw.length);
      } else {
        guard.recordFailure(raw);
      }
      assert.equal(guard.refuses(raw), true);
      assert.equal(guard.refusesRange(embed(raw, at + 3), at + 3, at + 3 + raw.length), true);
      // Another value sharing only the last block (the one the padding check reads) is refused too.
      const sameLast = Buffer.concat([randomBytes(raw.length - 16), raw.subarray(raw.length - 16)]);
      assert.equal(guard.refuses(sameLast), true);
      assert.equal(guard.refusesRange(embed(sameLast, at + 5), at + 5, at + 5 + raw.length), true);
      assert.equal(guard.refuses(other), false);
      assert.equal(guard.refusesRange(embed(other, at), at, at + other.length), false);
    }
  });

  it("counts the first ciphertext block too (the UTF-8 oracle steers it with the IV)", () => {
    const { guard } = clocked();
    const head = randomBytes(16);
    for (let i = 0; i < ORACLE_GUARD_DEFAULTS.threshold; i++) {
      guard.recordFailure(Buffer.concat([randomBytes(16), head, randomBytes(32)]));
    }
    assert.equal(guard.refuses(Buffer.concat([randomBytes(16), head, randomBytes(16)])), true);
  });

  it("forgets failures after the window and lifts a refusal after refuseMs", () => {
    const { clock, guard } = clocked({ threshold: 3, windowMs: 10 * MINUTE, refuseMs: 60 * MINUTE });
    const v = value(2);
    // Three failures 25 minutes apart never meet within a window.
    for (let i = 0; i < 3; i++) {
      guard.recordFailure(v);
      clock.t += 25 * MINUTE;
    }
    assert.equal(guard.refuses(v), false);
    guard.recordFailure(v);
    guard.recordFailure(v);
    clock.t += 5 * MINUTE;
    guard.recordFailure(v);
    assert.equal(guard.refuses(v), true);
    clock.t += 59 * MINUTE;
    assert.equal(guard.refuses(v), true, "refusal lifted early");
    clock.t += 2 * MINUTE;
    assert.equal(guard.refuses(v), false, "refusal never lifted");
  });

  it("holds bounded memory, allocated on the first failure", () => {
    const { guard } = clocked();
    for (let i = 0; i < 1000; i++) {
      assert.equal(guard.refuses(value()), false);
    }
    assert.equal(guard.memoryBytes, 0);
    guard.recordFailure(value());
    assert.equal(guard.memoryBytes, ORACLE_GUARD_MEMORY_BYTES);
    assert.ok(ORACLE_GUARD_MEMORY_BYTES < 1.5 * 2 ** 20);
    const junk = Buffer.alloc(32);
    const before = process.memoryUsage();
    for (let i = 0; i < 300_000; i++) {
      junk.writeUInt32LE(i, 16);
      guard.recordFailure(junk);
      guard.recordFailure(junk);
    }
    const grew = process.memoryUsage().arrayBuffers - before.arrayBuffers;
    assert.equal(guard.memoryBytes, ORACLE_GUARD_MEMORY_BYTES);
    assert.ok(grew < 1 << 20, `array buffers grew by ${grew} bytes`);
  });

  it("a junk flood does not evict a block that is still being probed", () => {
    const { clock, guard } = clocked();
    const attacked = value(1);
    const junk = Buffer.alloc(32);
    let decrypted = 0;
    // 400,000 junk failures, each junk block failing twice so that it is
    // refused too and takes a table entry, with a probe of the attacked block
    // between every 100: a probe that is not refused is a decryption that fails.
    for (let i = 0; i < 200_000; i++) {
      junk.writeUInt32LE(i, 16);
      guard.recordFailure(junk);
      guard.recordFailure(junk);
      if (i % 50 === 0) {
        if (!guard.refuses(attacked)) {
          decrypted++;
          guard.recordFailure(attacked);
        }
        clock.t += 1;
      }
    }
    assert.equal(decrypted, ORACLE_GUARD_DEFAULTS.threshold);
  });

  it("a flood evicts a block only with junk that outnumbers it, one decryption per table's worth", () => {
    const { clock, guard } = clocked();
    const attacked = value(1);
    guard.recordFailure(attacked);
    guard.recordFailure(attacked);
    const junk = Buffer.alloc(32);
    let decrypted = 0;
    let junkFailures = 0;
    // Each round gives 60,000 new junk blocks one failure more than the
    // attacked block has had, enough to fill every bucket, then probes it once.
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 60_000; i++) {
        junk.writeUInt32LE(round, 16);
        junk.writeUInt32LE(i, 20);
        for (let r = 0; r < ORACLE_GUARD_DEFAULTS.threshold + round; r++) {
          guard.recordFailure(junk);
          junkFailures++;
        }
      }
      if (!guard.refuses(attacked)) {
        decrypted++;
        guard.recordFailure(attacked);
      }
      clock.t += 1;
    }
    assert.ok(decrypted >= 1, "the flood never evicted the attacked block: this test does not test eviction");
    // At most one per round, each round 60,000 junk blocks for 32,768 table entries.
    assert.ok(decrypted <= 3, `${decrypted} decryptions for ${junkFailures} junk failures`);
  });

  it("never refuses an honest value, even under a flood of junk failures", () => {
    const { guard } = clocked();
    const junk = randomBytes(32);
    for (let i = 0; i < 400_000; i++) {
      junk.writeUInt32LE(i, 16);
      guard.recordFailure(junk);
    }
    for (let i = 0; i < 20_000; i++) {
      assert.equal(guard.refuses(value(1 + (i % 3))), false);
    }
  });

  it("refuses out-of-range options", () => {
    for (const bad of [{ threshold: 0 }, { threshold: 1.5 }, { threshold: 32 }, { windowMs: 0 }, { refuseMs: Number.NaN }]) {
      assert.throws(
        () => createOracleGuard(bad),
        (e: unknown) => isSzcryptError(e, "CONFIG_INVALID"),
      );
    }
  });
});

describe("oracle guard in FieldCrypto", () => {
  const key = SzcryptKey.fromBytes(Buffer.alloc(16, 7));
  // An independent token: node's AES-CBC with PKCS#7, not the code under test.
  function token(text: string): Buffer {
    const iv = randomBytes(16);
    const c = createCipheriv("aes-128-cbc", keyMaterial(key), iv);
    return Buffer.concat([iv, c.update(text, "utf8"), c.final()]);
  }
  const tampered = (raw: Buffer, i: number) => {
    const t = Buffer.from(raw);
    t[15] = (t[15] as number) ^ (0x80 | i); // the IV's last byte: always bad padding for a 1-block token of 15 bytes
    return t;
  };
  const attempt = (crypto: ReturnType<typeof createFieldCrypto>, raw: Buffer): unknown => {
    try {
      return crypto.decryptMessage(ShapesSchema, create(ShapesSchema, { secret: raw.toString("base64") }));
    } catch (err) {
      return err;
    }
  };

  it("is on by default and refuses with exactly the failure any value gets", () => {
    const crypto = createFieldCrypto({ key });
    const good = token("4111-1111-11111");
    const plain = attempt(crypto, good) as { secret: string };
    assert.equal(plain.secret, "4111-1111-11111");
    const failures = [1, 2].map((i) => attempt(crypto, tampered(good, i)));
    const refused = attempt(crypto, good);
    for (const err of [...failures, refused]) {
      assert.ok(isSzcryptError(err, "DECRYPT_FAILED"));
      assert.equal(err.rawMessage, DECRYPT_FAILED_MESSAGE);
      assert.equal(err.message, (failures[0] as Error).message);
      assert.equal(err.fieldPath, "secret");
    }
    assert.equal(isOracleGuardRefusal(failures[0]), false);
    assert.equal(isOracleGuardRefusal(refused), true, "the valid token was decrypted after its block failed twice");
    assert.ok(isSzcryptError((refused as Error).cause, "DECRYPT_REFUSED"));
  });

  it("guards bytes values whose forged IV starts with szc1's magic (the fallback path)", () => {
    const crypto = createFieldCrypto({ key, format: "szc1", accept: ["szc1", "legacy-cbc"] });
    const iv = Buffer.concat([Buffer.from("szc1"), randomBytes(12)]);
    const c = createCipheriv("aes-128-cbc", keyMaterial(key), iv);
    const good = Buffer.concat([iv, c.update(Buffer.from("tok_live_123")), c.final()]);
    const open = (raw: Buffer): unknown => {
      try {
        return crypto.decryptMessage(ShapesSchema, create(ShapesSchema, { blob: raw }));
      } catch (err) {
        return err;
      }
    };
    assert.deepEqual(Buffer.from((open(good) as { blob: Uint8Array }).blob), Buffer.from("tok_live_123"));
    for (const i of [1, 2]) {
      const forged = Buffer.from(good);
      forged[15] = (forged[15] as number) ^ (0x40 | i); // padding 4 becomes > 16: bad padding
      assert.ok(isSzcryptError(open(forged), "DECRYPT_FAILED"));
    }
    const refused = open(good);
    assert.ok(isOracleGuardRefusal(refused), "the token was decrypted after its block failed twice");
    assert.equal((refused as Error).message, (open(Buffer.alloc(32)) as Error).message);
  });

  it("is shared by every method of a policy, and between policies given one guard", () => {
    const good = token("4111-1111-11111");
    const other = "/sz.testing.v1.NodeService/Echo";
    const policy = createFieldPolicy({ key, services: [NodeService], methods: { [other]: { accept: ["legacy-cbc", "szc1"] } } });
    assert.notEqual(policy.cryptoFor(other), policy.cryptoFor("/s.S/Base"));
    attempt(policy.cryptoFor("/s.S/Base"), tampered(good, 1));
    attempt(policy.cryptoFor(other), tampered(good, 2));
    assert.ok(isOracleGuardRefusal(attempt(policy.cryptoFor("/s.S/Base"), good)));

    const shared = createOracleGuard();
    const server = createFieldPolicy({ key, oracleGuard: shared }).cryptoFor("/s.S/M");
    const client = createFieldPolicy({ key, oracleGuard: shared }).cryptoFor("/s.S/M");
    attempt(server, tampered(good, 3));
    attempt(client, tampered(good, 4));
    assert.ok(isOracleGuardRefusal(attempt(server, good)));
    assert.equal((attempt(createFieldPolicy({ key }).cryptoFor("/s.S/M"), good) as { secret: string }).secret, "4111-1111-11111");
  });

  it("is off only when switched off", () => {
    const crypto = createFieldCrypto({ key, oracleGuard: false });
    const good = token("4111-1111-11111");
    for (let i = 0; i < 20; i++) {
      attempt(crypto, tampered(good, i));
    }
    assert.equal((attempt(crypto, good) as { secret: string }).secret, "4111-1111-11111");
  });
});
