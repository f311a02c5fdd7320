import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import fc from "fast-check";
import "../test-support/fast-check-replay.js";
import { SzcryptKey } from "../keys/key.js";
import { readJson, repoRoot, wycheproofDir } from "../test-support/repo.js";
import { GCM_BATCH_MAX_PLAINTEXT, GcmAad, gcmOpenBatch, gcmOpenRecords, gcmSealBatch, gcmSealRecords } from "./gcm-batch.js";

// Expected values come from Wycheproof, NIST's CAVS files and node:crypto's
// own AES-GCM (OpenSSL), never from the batch. Every vector goes through the
// JavaScript path (maxBatched = Infinity), in a batch with other values around
// it, so a value's place in the shared ECB call is exercised too.

const ALL = Number.POSITIVE_INFINITY;
const hex = (s: string): Buffer => Buffer.from(s, "hex");

interface Case {
  readonly key: Buffer;
  readonly iv: Buffer;
  readonly aad: Buffer;
  readonly msg: Buffer;
  readonly ct: Buffer;
  readonly tag: Buffer;
  readonly valid: boolean;
}

/** Decoy values before and after the case, so it sits mid-batch at a varying offset. */
function decoys(n: number): { nonce: Uint8Array; aad: Uint8Array; plaintext: Uint8Array }[] {
  return Array.from({ length: n }, (_, i) => ({ nonce: randomBytes(12), aad: randomBytes(i * 7), plaintext: randomBytes(i * 13) }));
}

function nodeSeal(raw: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = createCipheriv(`aes-${raw.length * 8}-gcm` as "aes-128-gcm", raw, nonce);
  c.setAAD(aad);
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

function nodeOpen(raw: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer {
  const d = createDecipheriv(`aes-${raw.length * 8}-gcm` as "aes-128-gcm", raw, nonce);
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

/** One value for the records functions: its AAD, and its plaintext or its `ciphertext ‖ tag`. */
interface RecordValue {
  readonly nonce: Uint8Array;
  readonly aad: Uint8Array;
  readonly suffix?: Uint8Array | undefined;
  readonly data: Uint8Array;
}

/**
 * Seals (`data` = plaintext) or opens (`data` = ciphertext ‖ tag) values
 * through gcmSealRecords / gcmOpenRecords, laid out at uneven offsets of one
 * buffer with a 0xee filler between them, and `skip` values left out (-1).
 * Returns each value's `ciphertext ‖ tag` (seal) or plaintext (open), or
 * undefined (skipped, or not opened: then its plaintext slot must still be filler).
 */
function viaRecords(
  key: SzcryptKey,
  values: readonly RecordValue[],
  op: "seal" | "open",
  maxBatched: number,
  skip: (i: number) => boolean = () => false,
): (Buffer | undefined)[] {
  const n = values.length;
  const at = new Int32Array(n);
  const plainAt = new Int32Array(n);
  const lengths = new Int32Array(n);
  let b = 3;
  let p = 5;
  values.forEach((v, i) => {
    const length = op === "seal" ? v.data.length : v.data.length - 16;
    at[i] = b;
    plainAt[i] = p;
    lengths[i] = skip(i) ? -1 : length;
    b += 12 + length + 16 + (i % 3);
    p += length + (i % 5);
  });
  const buf = Buffer.alloc(b + 3, 0xee);
  const plain = Buffer.alloc(p + 5, 0xee);
  values.forEach((v, i) => {
    buf.set(v.nonce, at[i] as number);
    if (op === "seal") {
      plain.set(v.data, plainAt[i] as number);
    } else {
      buf.set(v.data, (at[i] as number) + 12);
    }
  });
  const aads = values.map((v) => GcmAad.of(key, v.aad));
  // One suffix for the whole call, as szc1 binds one context per message.
  const aadSuffix = values[0]?.suffix;
  const records = { buf, at, lengths, aads, aadSuffix, plain, plainAt };
  if (op === "seal") {
    gcmSealRecords(key, records, maxBatched);
    return values.map((v, i) =>
      skip(i) ? undefined : Buffer.from(buf.subarray((at[i] as number) + 12, (at[i] as number) + 28 + v.data.length)),
    );
  }
  const opened = new Uint8Array(n);
  gcmOpenRecords(key, records, opened, maxBatched);
  return values.map((_, i) => {
    const slot = plain.subarray(plainAt[i] as number, (plainAt[i] as number) + (lengths[i] as number));
    if (opened[i] === 1) {
      return Buffer.from(slot);
    }
    assert.ok(
      slot.every((x) => x === 0xee),
      "nothing written for a value not opened",
    );
    return undefined;
  });
}

/** Runs one known-answer case through seal (valid ones) and open, as the middle of a batch. */
function checkCase(c: Case, position: number): void {
  const key = SzcryptKey.fromBytes(c.key);
  const around = decoys(3);
  const sealed = Buffer.concat([c.ct, c.tag]);
  if (c.valid) {
    const inputs = [...around.slice(0, position), { nonce: c.iv, aad: c.aad, plaintext: c.msg }, ...around.slice(position)];
    const out = gcmSealBatch(key, inputs, ALL);
    assert.equal(Buffer.from(out[position] as Uint8Array).toString("hex"), sealed.toString("hex"));
    around.forEach((d, i) => {
      const at = i < position ? i : i + 1;
      assert.deepEqual(Buffer.from(out[at] as Uint8Array), nodeSeal(c.key, d.nonce, d.aad, d.plaintext));
    });
  }
  for (const aad of [c.aad, GcmAad.of(key, c.aad)]) {
    const others = around.map((d) => ({ nonce: d.nonce, aad: d.aad, sealed: nodeSeal(c.key, d.nonce, d.aad, d.plaintext) }));
    const inputs = [...others.slice(0, position), { nonce: c.iv, aad, sealed }, ...others.slice(position)];
    const opened = gcmOpenBatch(key, inputs, ALL);
    if (c.valid) {
      assert.equal(opened[position]?.toString("hex"), c.msg.toString("hex"));
    } else {
      assert.equal(opened[position], undefined);
    }
    around.forEach((d, i) => {
      assert.deepEqual(opened[i < position ? i : i + 1], Buffer.from(d.plaintext));
    });
  }
  // The records functions (laid out in one buffer), the same case at the same place.
  const records = around.map((d) => ({ nonce: d.nonce, aad: d.aad, data: d.plaintext }));
  const place = (v: RecordValue, rest: RecordValue[]) => [...rest.slice(0, position), v, ...rest.slice(position)];
  if (c.valid) {
    const out = viaRecords(key, place({ nonce: c.iv, aad: c.aad, data: c.msg }, records), "seal", ALL);
    assert.equal(out[position]?.toString("hex"), sealed.toString("hex"));
  }
  const others = records.map((d) => ({ nonce: d.nonce, aad: d.aad, data: nodeSeal(c.key, d.nonce, d.aad, d.data) }));
  const opened = viaRecords(key, place({ nonce: c.iv, aad: c.aad, data: sealed }, others), "open", ALL);
  assert.equal(opened[position]?.toString("hex"), c.valid ? c.msg.toString("hex") : undefined);
  records.forEach((d, i) => {
    assert.deepEqual(opened[i < position ? i : i + 1], Buffer.from(d.data));
  });
}

interface WycheproofGroup {
  ivSize: number;
  tagSize: number;
  tests: { tcId: number; comment: string; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string }[];
}

describe("batched AES-GCM: Wycheproof aes_gcm_test.json, every 96-bit-nonce 128-bit-tag case", () => {
  const doc = readJson(join(wycheproofDir().dir, "aes_gcm_test.json")) as { testGroups: WycheproofGroup[] };
  const groups = doc.testGroups.filter((g) => g.ivSize === 96 && g.tagSize === 128);
  const cases = groups.flatMap((g) => g.tests);
  const all = doc.testGroups.reduce((n, g) => n + g.tests.length, 0);
  console.log(`gcm-batch: ${cases.length} of ${all} Wycheproof AES-GCM cases have a 12-byte IV and a 16-byte tag; all run`);
  it("has them (none skipped)", () => assert.ok(cases.length >= 100, `only ${cases.length}`));
  for (const t of cases) {
    it(`wycheproof/aes-gcm/${t.tcId} [${t.result}] ${t.comment}`, () => {
      checkCase(
        {
          key: hex(t.key),
          iv: hex(t.iv),
          aad: hex(t.aad),
          msg: hex(t.msg),
          ct: hex(t.ct),
          tag: hex(t.tag),
          valid: t.result !== "invalid",
        },
        t.tcId % 4,
      );
    });
  }
});

/** The cases of one CAVS .rsp file: `Key = …` lines up to a blank line; FAIL marks a bad tag. */
function parseRsp(text: string): { count: string; fields: Map<string, string>; fail: boolean }[] {
  const out: { count: string; fields: Map<string, string>; fail: boolean }[] = [];
  let current: { count: string; fields: Map<string, string>; fail: boolean } | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const m = /^(\w+) = ?(.*)$/.exec(line);
    if (m !== null && m[1] === "Count") {
      current = { count: m[2] ?? "", fields: new Map(), fail: false };
      out.push(current);
    } else if (m !== null && current !== undefined) {
      current.fields.set(m[1] as string, m[2] ?? "");
    } else if (line === "FAIL" && current !== undefined) {
      current.fail = true;
    }
  }
  return out;
}

describe("batched AES-GCM: NIST CAVS GCM vectors (conformance/vectors/nist-gcm)", () => {
  const dir = join(repoRoot(), "conformance", "vectors", "nist-gcm");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".rsp"))
    .sort();
  let total = 0;
  for (const file of files) {
    const cases = parseRsp(readFileSync(join(dir, file), "utf8"));
    total += cases.length;
    describe(file, () => {
      it("has its 375 cases", () => assert.equal(cases.length, 375));
      it("every case, through the batch", () => {
        cases.forEach((c, n) => {
          const f = (name: string): Buffer => hex(c.fields.get(name) ?? "");
          const label = `${file} Count ${c.count} (#${n})`;
          assert.ok(c.fields.has("Key") && c.fields.has("IV") && c.fields.has("Tag"), label);
          assert.ok(c.fail || c.fields.has("PT"), label);
          try {
            checkCase({ key: f("Key"), iv: f("IV"), aad: f("AAD"), msg: f("PT"), ct: f("CT"), tag: f("Tag"), valid: !c.fail }, n % 4);
          } catch (error) {
            throw new Error(`${label}: ${String(error)}`);
          }
        });
      });
    });
  }
  console.log(`gcm-batch: ${total} NIST GCM cases in ${files.length} files run`);
  it("reads all six files", () => {
    assert.equal(files.length, 6);
    assert.equal(total, 2250);
  });
});

const keyArb = fc.constantFrom(16, 24, 32).chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
const lengthArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 1, max: 70 }),
  fc.integer({ min: 100, max: 300 }),
  fc.integer({ min: 1000, max: 1100 }),
);
const valueArb = fc.record({
  nonce: fc.uint8Array({ minLength: 12, maxLength: 12 }),
  aad: fc.oneof(fc.constant(new Uint8Array(0)), fc.uint8Array({ maxLength: 80 })),
  // A per-call context after the prepared prefix (szc1's context binding).
  suffix: fc.oneof(fc.constant(undefined), fc.uint8Array({ maxLength: 40 })),
  plaintext: lengthArb.chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  prepared: fc.boolean(),
});

describe("batched AES-GCM against node:crypto's AES-GCM", () => {
  it("seals every value of a random batch as OpenSSL does, and opens OpenSSL's (both paths, any mix)", () => {
    fc.assert(
      fc.property(keyArb, fc.array(valueArb, { maxLength: 12 }), (raw, values) => {
        const key = SzcryptKey.fromBytes(raw);
        type Value = (typeof values)[number];
        const aad = (v: Value) => ({
          aad: v.prepared ? GcmAad.of(key, v.aad) : v.aad,
          ...(v.suffix === undefined ? {} : { aadSuffix: v.suffix }),
        });
        const whole = (v: Value) => Buffer.concat([v.aad, v.suffix ?? new Uint8Array(0)]);
        const sealed = gcmSealBatch(
          key,
          values.map((v) => ({ nonce: v.nonce, ...aad(v), plaintext: v.plaintext })),
        );
        const expected = values.map((v) => nodeSeal(raw, v.nonce, whole(v), v.plaintext));
        sealed.forEach((s, i) => {
          assert.deepEqual(Buffer.from(s), expected[i]);
        });
        const opened = gcmOpenBatch(
          key,
          values.map((v, i) => ({ nonce: v.nonce, ...aad(v), sealed: expected[i] as Buffer })),
        );
        opened.forEach((p, i) => {
          assert.deepEqual(p, Buffer.from((values[i] as Value).plaintext));
        });
      }),
      { numRuns: 300 },
    );
  });

  it("seals and opens values laid out in one buffer (records) as OpenSSL does, skipped ones untouched", () => {
    fc.assert(
      fc.property(
        keyArb,
        fc.array(valueArb, { maxLength: 12 }),
        fc.option(fc.uint8Array({ maxLength: 40 })),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.constantFrom(GCM_BATCH_MAX_PLAINTEXT, ALL, 0),
        (raw, values, suffix, skips, max) => {
          const key = SzcryptKey.fromBytes(raw);
          const skip = (i: number) => skips[i] === true;
          const whole = (aad: Uint8Array) => Buffer.concat([aad, suffix ?? new Uint8Array(0)]);
          const expected = values.map((v) => nodeSeal(raw, v.nonce, whole(v.aad), v.plaintext));
          const common = (v: (typeof values)[number]) => ({ nonce: v.nonce, aad: v.aad, suffix: suffix ?? undefined });
          const sealed = viaRecords(
            key,
            values.map((v) => ({ ...common(v), data: v.plaintext })),
            "seal",
            max,
            skip,
          );
          sealed.forEach((s, i) => {
            assert.deepEqual(s, skip(i) ? undefined : expected[i]);
          });
          const opened = viaRecords(
            key,
            values.map((v, i) => ({ ...common(v), data: expected[i] as Buffer })),
            "open",
            max,
            skip,
          );
          opened.forEach((p, i) => {
            assert.deepEqual(p, skip(i) ? undefined : Buffer.from((values[i] as (typeof values)[number]).plaintext));
          });
          // A flipped tag bit: not opened, nothing written, the others unaffected.
          if (values.length > 0) {
            const bad = expected.map((e, i) => (i === 0 ? Buffer.from(e.map((x, j) => (j === e.length - 1 ? x ^ 1 : x))) : e));
            const again = viaRecords(
              key,
              values.map((v, i) => ({ ...common(v), data: bad[i] as Buffer })),
              "open",
              max,
              skip,
            );
            assert.equal(again[0], undefined);
            assert.deepEqual(again.slice(1), opened.slice(1));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("seals and opens every length up to one past the batch limit, with every AAD form, as OpenSSL does", () => {
    // Deterministic, not sampled: every block count the aggregated GHASH and
    // its context form handle (0 to 6 blocks, and 7 for the fallback), each
    // AAD alignment, with and without a per-call suffix, prepared and raw.
    const raw = randomBytes(32);
    const key = SzcryptKey.fromBytes(raw);
    let cases = 0;
    for (const aadLength of [0, 1, 15, 16, 17, 40]) {
      for (const suffixLength of [undefined, 1, 5, 16, 31]) {
        const aad = randomBytes(aadLength);
        const suffix = suffixLength === undefined ? undefined : randomBytes(suffixLength);
        const whole = Buffer.concat([aad, suffix ?? new Uint8Array(0)]);
        const values = Array.from({ length: GCM_BATCH_MAX_PLAINTEXT + 2 }, (_, n) => ({
          nonce: randomBytes(12),
          plaintext: randomBytes(n),
        }));
        const expected = values.map((v) => nodeSeal(raw, v.nonce, whole, v.plaintext));
        for (const prepared of [true, false]) {
          const form = { aad: prepared ? GcmAad.of(key, aad) : aad, ...(suffix === undefined ? {} : { aadSuffix: suffix }) };
          const sealed = gcmSealBatch(
            key,
            values.map((v) => ({ nonce: v.nonce, ...form, plaintext: v.plaintext })),
          );
          sealed.forEach((x, n) => {
            assert.deepEqual(
              Buffer.from(x),
              expected[n],
              `seal, ${n} bytes, AAD ${aadLength}, suffix ${suffixLength}, prepared ${prepared}`,
            );
          });
          const opened = gcmOpenBatch(
            key,
            values.map((v, n) => ({ nonce: v.nonce, ...form, sealed: expected[n] as Buffer })),
          );
          opened.forEach((x, n) => {
            assert.deepEqual(x, Buffer.from((values[n] as { plaintext: Buffer }).plaintext), `open, ${n} bytes`);
          });
          cases += values.length;
        }
        const common = (v: (typeof values)[number]) => ({ nonce: v.nonce, aad, suffix });
        viaRecords(
          key,
          values.map((v) => ({ ...common(v), data: v.plaintext })),
          "seal",
          GCM_BATCH_MAX_PLAINTEXT,
        ).forEach((x, n) => {
          assert.deepEqual(x, expected[n], `records seal, ${n} bytes, AAD ${aadLength}, suffix ${suffixLength}`);
        });
        viaRecords(
          key,
          values.map((v, n) => ({ ...common(v), data: expected[n] as Buffer })),
          "open",
          GCM_BATCH_MAX_PLAINTEXT,
        ).forEach((x, n) => {
          assert.deepEqual(x, Buffer.from((values[n] as { plaintext: Buffer }).plaintext), `records open, ${n} bytes`);
        });
        cases += values.length;
      }
    }
    assert.equal(cases, 6 * 5 * 3 * (GCM_BATCH_MAX_PLAINTEXT + 2));
  });

  it("continues a prepared prefix with a suffix across every block alignment", () => {
    const raw = randomBytes(32);
    const key = SzcryptKey.fromBytes(raw);
    const plaintext = randomBytes(20);
    for (let p = 0; p <= 33; p++) {
      const prefix = randomBytes(p);
      const prepared = GcmAad.of(key, prefix);
      const inputs = [];
      const expected: Buffer[] = [];
      for (let q = 0; q <= 20; q++) {
        const suffix = randomBytes(q);
        const nonce = randomBytes(12);
        inputs.push({ nonce, aad: prepared, aadSuffix: suffix, plaintext });
        expected.push(nodeSeal(raw, nonce, Buffer.concat([prefix, suffix]), plaintext));
      }
      const sealed = gcmSealBatch(key, inputs);
      sealed.forEach((s, q) => {
        assert.deepEqual(Buffer.from(s), expected[q], `prefix ${p}, suffix ${q}`);
      });
      const opened = gcmOpenBatch(
        key,
        inputs.map((input, q) => ({ nonce: input.nonce, aad: prepared, aadSuffix: input.aadSuffix, sealed: expected[q] as Buffer })),
      );
      assert.deepEqual(opened, new Array(21).fill(plaintext));
      const one = inputs[1] as (typeof inputs)[number];
      const [other] = gcmOpenBatch(key, [
        { nonce: one.nonce, aad: prepared, aadSuffix: one.aadSuffix.map((b) => b ^ 1), sealed: expected[1] as Buffer },
      ]);
      assert.equal(other, undefined, "another suffix");
      const [none] = gcmOpenBatch(key, [{ nonce: one.nonce, aad: prepared, sealed: expected[1] as Buffer }]);
      assert.equal(none, undefined, "the suffix left out");
    }
  });

  it("writes into the caller's buffer at an offset, and returns that buffer", () => {
    const raw = randomBytes(32);
    const key = SzcryptKey.fromBytes(raw);
    const nonce = randomBytes(12);
    const plaintext = randomBytes(32);
    const out = Buffer.alloc(7 + 48 + 5, 0xaa);
    const [got] = gcmSealBatch(key, [{ nonce, aad: Buffer.from("a"), plaintext, out, offset: 7 }]);
    assert.equal(got, out);
    assert.deepEqual(out.subarray(7, 55), nodeSeal(raw, nonce, Buffer.from("a"), plaintext));
    assert.deepEqual([...out.subarray(0, 7), ...out.subarray(55)], new Array(12).fill(0xaa));
    assert.throws(() => gcmSealBatch(key, [{ nonce, aad: new Uint8Array(0), plaintext, out, offset: 20 }]), RangeError);
  });

  it("hands out each plaintext in an allocation of its own", () => {
    const raw = randomBytes(16);
    const key = SzcryptKey.fromBytes(raw);
    const values = [randomBytes(5), randomBytes(40)];
    const nonces = values.map(() => randomBytes(12));
    const opened = gcmOpenBatch(
      key,
      values.map((v, i) => ({
        nonce: nonces[i] as Buffer,
        aad: new Uint8Array(0),
        sealed: nodeSeal(raw, nonces[i] as Buffer, new Uint8Array(0), v),
      })),
    );
    for (const p of opened) {
      assert.ok(p !== undefined && p.byteOffset === 0 && p.buffer.byteLength === p.length);
    }
  });

  it("refuses a nonce that is not 12 bytes, and a prepared AAD of another key", () => {
    const key = SzcryptKey.fromBytes(randomBytes(32));
    const other = SzcryptKey.fromBytes(randomBytes(32));
    assert.throws(() => gcmSealBatch(key, [{ nonce: randomBytes(16), aad: new Uint8Array(0), plaintext: new Uint8Array(1) }]), RangeError);
    assert.throws(() => gcmOpenBatch(key, [{ nonce: randomBytes(8), aad: new Uint8Array(0), sealed: new Uint8Array(20) }]), RangeError);
    const aad = GcmAad.of(other, Buffer.from("szc1"));
    assert.throws(() => gcmSealBatch(key, [{ nonce: randomBytes(12), aad, plaintext: new Uint8Array(1) }]), RangeError);
  });

  it("a prepared AAD shows neither its state nor anything but its length", () => {
    const aad = GcmAad.of(SzcryptKey.fromBytes(randomBytes(32)), Buffer.from("szc1\0k1\0pkg.Msg.field"));
    for (const text of [String(aad), JSON.stringify(aad), inspect(aad, { showHidden: true, depth: 5 })]) {
      assert.equal(text.replaceAll('"', ""), "GcmAad(21 bytes)");
    }
  });

  it(`sends values up to ${GCM_BATCH_MAX_PLAINTEXT} bytes through the batch and longer ones through OpenSSL, alike`, () => {
    const raw = randomBytes(32);
    const key = SzcryptKey.fromBytes(raw);
    for (const n of [GCM_BATCH_MAX_PLAINTEXT - 1, GCM_BATCH_MAX_PLAINTEXT, GCM_BATCH_MAX_PLAINTEXT + 1, 70_000]) {
      const nonce = randomBytes(12);
      const plaintext = randomBytes(n);
      const [s] = gcmSealBatch(key, [{ nonce, aad: Buffer.from("x"), plaintext }]);
      assert.deepEqual(Buffer.from(s as Uint8Array), nodeSeal(raw, nonce, Buffer.from("x"), plaintext));
      assert.deepEqual(nodeOpen(raw, nonce, Buffer.from("x"), s as Uint8Array), plaintext);
    }
  });
});

describe("batched AES-GCM rejects every tampered bit", () => {
  const raw = randomBytes(32);
  const key = SzcryptKey.fromBytes(raw);
  const nonce = randomBytes(12);
  const aad = Buffer.from("szc1\0k1\0pkg.Msg.field");
  const plaintext = randomBytes(33);
  const sealed = nodeSeal(raw, nonce, aad, plaintext);
  const good = { nonce: randomBytes(12), aad: Buffer.from("other"), plaintext: randomBytes(20) };
  const goodSealed = nodeSeal(raw, good.nonce, good.aad, good.plaintext);

  function open(n: Uint8Array, a: Uint8Array | GcmAad, s: Uint8Array): (Buffer | undefined)[] {
    return gcmOpenBatch(key, [
      { nonce: good.nonce, aad: good.aad, sealed: goodSealed },
      { nonce: n, aad: a, sealed: s },
      { nonce: good.nonce, aad: good.aad, sealed: goodSealed },
    ]);
  }

  function flip(b: Uint8Array, bit: number): Buffer {
    const copy = Buffer.from(b);
    copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
    return copy;
  }

  it("opens the untouched value (the control)", () => {
    assert.deepEqual(open(nonce, aad, sealed)[1], plaintext);
  });

  it("every bit of the ciphertext and of the tag", () => {
    for (let bit = 0; bit < sealed.length * 8; bit++) {
      const got = open(nonce, aad, flip(sealed, bit));
      assert.equal(got[1], undefined, `bit ${bit}`);
      assert.deepEqual(got[0], good.plaintext);
      assert.deepEqual(got[2], good.plaintext);
    }
  });

  it("every bit of the associated data, raw and prepared", () => {
    for (let bit = 0; bit < aad.length * 8; bit++) {
      const changed = flip(aad, bit);
      assert.equal(open(nonce, changed, sealed)[1], undefined, `bit ${bit}`);
      assert.equal(open(nonce, GcmAad.of(key, changed), sealed)[1], undefined, `bit ${bit}, prepared`);
    }
  });

  it("every bit of the nonce, a truncated or extended value, and another key", () => {
    for (let bit = 0; bit < 96; bit++) {
      assert.equal(open(flip(nonce, bit), aad, sealed)[1], undefined, `bit ${bit}`);
    }
    for (const s of [
      sealed.subarray(0, sealed.length - 1),
      sealed.subarray(1),
      sealed.subarray(0, 15),
      new Uint8Array(0),
      Buffer.concat([sealed, Buffer.alloc(1)]),
    ]) {
      assert.equal(open(nonce, aad, s)[1], undefined);
    }
    const wrong = SzcryptKey.fromBytes(randomBytes(32));
    assert.deepEqual(gcmOpenBatch(wrong, [{ nonce, aad, sealed }]), [undefined]);
  });
});
