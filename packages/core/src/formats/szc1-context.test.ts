import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { describe, it } from "node:test";
import { DECRYPT_FAILED_MESSAGE, isSzcryptError } from "../errors/szcrypt-error.js";
import { SzcryptKey } from "../keys/key.js";
import { failureReason } from "../observe/failure-reason.js";
import { decryptFailure } from "../transport/failure.js";
import {
  decryptSzc1,
  decryptSzc1Bytes,
  encryptSzc1,
  encryptSzc1Bytes,
  encryptSzc1BytesWithNonce,
  encryptSzc1WithNonce,
  isContextUnboundRefusal,
  parseSzc1Body,
  type Szc1Context,
} from "./szc1.js";

// Expected tokens are computed here with node's AES-GCM from the associated
// data the design (conformance/SPEC.md, #19) writes out, byte by byte.
const FIELD = "sz.examples.v1.Payment.card_number";
const RAW = Buffer.alloc(32, 3);
const key = SzcryptKey.fromBytes(RAW, { id: "k1" });
const NONCE = Buffer.alloc(12, 9);

function specToken(plaintext: Buffer, context: Buffer[] | undefined, raw = RAW, id = "k1", field = FIELD): Buffer {
  const head = [Buffer.from("szc1"), Buffer.of(0), Buffer.from(id), Buffer.of(0), Buffer.from(field)];
  const bound =
    context === undefined
      ? []
      : [
          Buffer.of(0, context.length),
          ...context.flatMap((p) => {
            const len = Buffer.alloc(2);
            len.writeUInt16BE(p.length);
            return [len, p];
          }),
        ];
  const c = createCipheriv(raw.length === 16 ? "aes-128-gcm" : "aes-256-gcm", raw, NONCE);
  c.setAAD(Buffer.concat([...head, ...bound]));
  const ct = Buffer.concat([c.update(plaintext), c.final()]);
  const h = id.length | (context === undefined ? 0 : 0x80);
  return Buffer.concat([Buffer.from("szc1"), Buffer.of(h), Buffer.from(id), NONCE, ct, c.getAuthTag()]);
}

const text = (raw: Uint8Array) => `szc1:${Buffer.from(raw).subarray(4).toString("base64url")}`;
const isDecryptFailed = (err: unknown) => isSzcryptError(err, "DECRYPT_FAILED") && err.rawMessage === DECRYPT_FAILED_MESSAGE;
const isConfig = (limit: RegExp) => (err: unknown) => isSzcryptError(err, "CONFIG_INVALID") && limit.test(err.message);

describe("szc1 context binding: the layout", () => {
  it("writes H = 0x80 | len(ID) and seals under the bound associated data, strings and bytes", () => {
    const ctx = ["tenant-a", "réc-1"];
    const expected = specToken(
      Buffer.from("4111"),
      ctx.map((p) => Buffer.from(p, "utf8")),
    );
    const bytes = encryptSzc1BytesWithNonce(Buffer.from("4111"), key, { fieldName: FIELD, context: ctx }, NONCE);
    assert.equal(Buffer.from(bytes).toString("hex"), expected.toString("hex"));
    assert.equal(bytes[4], 0x82);
    assert.equal(encryptSzc1WithNonce("4111", key, { fieldName: FIELD, context: ctx }, NONCE), text(expected));
    // The same token from the Python reference (wip/python szcrypt_ref.szc1.encrypt_text, this key and nonce).
    assert.equal(text(expected), "szc1:gmsxCQkJCQkJCQkJCQkJMDlc6q3OeYCZ59AEJT_677mZV8c");
    assert.equal(decryptSzc1(text(expected), key, { fieldName: FIELD, context: ctx }), "4111");
    assert.equal(Buffer.from(decryptSzc1Bytes(expected, key, { fieldName: FIELD, context: ctx })).toString(), "4111");
  });

  it("makes the worked example of SPEC.md's 'Context binding' (wip/python), bound and unbound", () => {
    const k = SzcryptKey.fromBytes(
      Uint8Array.from({ length: 32 }, (_, i) => i),
      { id: "k1" },
    );
    const nonce = Uint8Array.from({ length: 12 }, (_, i) => 0xa0 + i);
    const opts = { fieldName: FIELD, context: ["tenant-a", "pay_0001"] };
    const out = encryptSzc1BytesWithNonce(Buffer.from("4111-1111-1111-1111"), k, opts, nonce);
    assert.equal(
      Buffer.from(out).toString("hex"),
      "737a6331826b31a0a1a2a3a4a5a6a7a8a9aaabd2294d1c68fa338e5348b6e2364bedef419d6822931447a58b7b2467d58c14017782c0",
    );
    const unbound = Buffer.from(encryptSzc1BytesWithNonce(Buffer.from("4111-1111-1111-1111"), k, { fieldName: FIELD }, nonce));
    assert.equal(unbound[4], 0x02);
    assert.equal(unbound.subarray(-16).toString("hex"), "170a95a331d05d3e2641cfb9161e6ba7");
  });

  it("agrees with the Python reference on a 16-byte key and one empty part", () => {
    const k16 = SzcryptKey.fromBytes(Buffer.alloc(16, 5), { id: "k-16" });
    const out = encryptSzc1BytesWithNonce(Buffer.of(0, 1, 2), k16, { fieldName: "f", context: [new Uint8Array(0)] }, Buffer.alloc(12, 1));
    assert.equal(Buffer.from(out).toString("hex"), "737a6331846b2d313601010101010101010101010124102c28fca98890a4e160bad00569ae3b70af");
  });

  it("reads text parts as their UTF-8 bytes: a string and its bytes are one context", () => {
    const token = encryptSzc1("x", key, { fieldName: FIELD, context: ["é", "t"] });
    assert.equal(decryptSzc1(token, key, { fieldName: FIELD, context: [Buffer.from("é"), new Uint8Array([0x74])] }), "x");
  });

  it("unbound tokens stay byte for byte what they were", () => {
    const out = encryptSzc1BytesWithNonce(Buffer.from("4111"), key, { fieldName: FIELD }, NONCE);
    assert.equal(Buffer.from(out).toString("hex"), specToken(Buffer.from("4111"), undefined).toString("hex"));
    assert.equal(parseSzc1Body(out.subarray(4))?.contextBound, false);
    assert.equal(
      parseSzc1Body(encryptSzc1Bytes(Buffer.from("x"), key, { fieldName: FIELD, context: ["t"] }).subarray(4))?.contextBound,
      true,
    );
  });
});

describe("szc1 context binding: decryption rules", () => {
  const ctx: Szc1Context = ["tenant-a", "record-1"];
  const bound = text(
    specToken(
      Buffer.from("4111"),
      ctx.map((p) => Buffer.from(p as string)),
    ),
  );
  const unbound = text(specToken(Buffer.from("4111"), undefined));

  it("rule 2: a bound token without a context is CONTEXT_REQUIRED, naming the field, quoting nothing of the token", () => {
    for (const run of [
      () => decryptSzc1(bound, key, { fieldName: FIELD }),
      () =>
        decryptSzc1Bytes(Buffer.from(`szc1${Buffer.from(bound.slice(5), "base64url").toString("latin1")}`, "latin1"), key, {
          fieldName: FIELD,
        }),
      // acceptUnbound without a context changes nothing.
      () => decryptSzc1(bound, key, { fieldName: FIELD, acceptUnbound: true }),
    ]) {
      assert.throws(run, (err: unknown) => {
        assert.ok(isSzcryptError(err, "CONTEXT_REQUIRED"));
        assert.match(
          err.message,
          /context-bound szc1 value arrived.*no `context` configured for field "sz\.examples\.v1\.Payment\.card_number"/,
        );
        assert.ok(!err.message.includes(bound.slice(5, 20)));
        return true;
      });
    }
  });

  it("rule 2 at the transports: FAILED_PRECONDITION for a request at the server, INTERNAL for a response at the client", () => {
    const err = (() => {
      try {
        decryptSzc1(bound, key, { fieldName: FIELD });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.equal(decryptFailure(err, "request").kind, "failed_precondition");
    assert.equal(decryptFailure(err, "response").kind, "internal");
    assert.match(decryptFailure(err, "response").message, /configure the same context function/);
  });

  it("rule 3: an unbound token where a context is given is the uniform failure (reason context_unbound); acceptUnbound lets it through", () => {
    assert.throws(
      () => decryptSzc1(unbound, key, { fieldName: FIELD, context: ctx }),
      (err: unknown) => isDecryptFailed(err) && isContextUnboundRefusal(err) && failureReason("decrypt", err) === "context_unbound",
    );
    assert.throws(() => decryptSzc1(unbound, key, { fieldName: FIELD, context: ctx, acceptUnbound: false }), isDecryptFailed);
    assert.equal(decryptSzc1(unbound, key, { fieldName: FIELD, context: ctx, acceptUnbound: true }), "4111");
    // acceptUnbound never lets a bound token skip its context.
    assert.throws(
      () => decryptSzc1(bound, key, { fieldName: FIELD, context: ["tenant-b", "record-1"], acceptUnbound: true }),
      isDecryptFailed,
    );
  });

  it("rule 4: another context, parts shifted, added or dropped, another field: the uniform failure", () => {
    assert.equal(decryptSzc1(bound, key, { fieldName: FIELD, context: ctx }), "4111");
    const others: Szc1Context[] = [
      ["tenant-b", "record-1"],
      ["tenant-a", "record-2"],
      ["tenant-arecord-1"],
      ["tenant-", "arecord-1"],
      ["tenant-a", "record-1", ""],
      ["tenant-a"],
      ["record-1", "tenant-a"],
    ];
    for (const other of others) {
      assert.throws(
        () => decryptSzc1(bound, key, { fieldName: FIELD, context: other }),
        (err: unknown) => isDecryptFailed(err) && !isContextUnboundRefusal(err),
      );
    }
    assert.throws(() => decryptSzc1(bound, key, { fieldName: `${FIELD}x`, context: ctx }), isDecryptFailed);
    const shifted = encryptSzc1("v", key, { fieldName: FIELD, context: ["a", "bc"] });
    assert.throws(() => decryptSzc1(shifted, key, { fieldName: FIELD, context: ["ab", "c"] }), isDecryptFailed);
    assert.equal(decryptSzc1(shifted, key, { fieldName: FIELD, context: ["a", "bc"] }), "v");
  });

  it("the flag is authenticated: flipping bit 7 never decrypts", () => {
    const raw = specToken(
      Buffer.from("4111"),
      ctx.map((p) => Buffer.from(p as string)),
    );
    const cleared = Buffer.from(raw);
    cleared[4] = (cleared[4] as number) & 0x7f;
    // Cleared: refused by rule 3, and with acceptUnbound by the tag (the unbound AAD is another).
    assert.throws(() => decryptSzc1Bytes(cleared, key, { fieldName: FIELD, context: ctx }), isDecryptFailed);
    assert.throws(() => decryptSzc1Bytes(cleared, key, { fieldName: FIELD, context: ctx, acceptUnbound: true }), isDecryptFailed);
    assert.throws(() => decryptSzc1Bytes(cleared, key, { fieldName: FIELD }), isDecryptFailed);
    const set = specToken(Buffer.from("4111"), undefined);
    set[4] = (set[4] as number) | 0x80;
    assert.throws(() => decryptSzc1Bytes(set, key, { fieldName: FIELD, context: ctx }), isDecryptFailed);
    assert.throws(
      () => decryptSzc1Bytes(set, key, { fieldName: FIELD }),
      (err: unknown) => isSzcryptError(err, "CONTEXT_REQUIRED"),
    );
  });

  it("a header whose low 7 bits are 0 or over 64 is malformed, flag or not", () => {
    for (const h of [0x80, 0x80 | 65, 0xff, 65, 127]) {
      const raw = specToken(Buffer.from("4111"), undefined);
      raw[4] = h;
      assert.throws(
        () => decryptSzc1Bytes(raw, key, { fieldName: FIELD, context: ctx }),
        (err: unknown) => isSzcryptError(err, "MALFORMED"),
      );
      assert.equal(parseSzc1Body(raw.subarray(4)), undefined);
    }
  });
});

describe("szc1 context binding: limits are configuration errors, on both sides", () => {
  const secret = "s3cr3t-part";
  const cases: [string, unknown, RegExp][] = [
    ["no parts", [], /1 to 16 parts, got 0/],
    ["17 parts", Array.from({ length: 17 }, () => "t"), /1 to 16 parts, got 17/],
    ["a 1025-byte part", ["t", new Uint8Array(1025)], /part 1 .* 1025 bytes; a part is at most 1024 bytes/],
    ["a text part of 1026 UTF-8 bytes", ["é".repeat(513)], /part 0 .* 1026 bytes; a part is at most 1024 bytes/],
    ["a part that is a number", ["t", 7], /part 1 .*number; a part is a string or a Uint8Array/],
    ["a lone surrogate", [`${secret}\ud800`], /part 0 .*lone UTF-16 surrogate/],
    ["a string, not an array", secret, /array of 1 to 16 parts/],
    ["null", null, /array of 1 to 16 parts/],
  ];
  for (const [what, context, limit] of cases) {
    it(`refuses ${what}, quoting no part`, () => {
      const options = { fieldName: FIELD, context: context as Szc1Context };
      const check = (err: unknown) => isConfig(limit)(err) && !(err as Error).message.includes(secret);
      assert.throws(() => encryptSzc1("4111", key, options), check);
      assert.throws(() => encryptSzc1Bytes(Buffer.from("4111"), key, options), check);
      // On decryption too, before looking at the value: a bound and an unbound token alike.
      const token = encryptSzc1("4111", key, { fieldName: FIELD, context: ["t"] });
      assert.throws(() => decryptSzc1(token, key, options), check);
      assert.throws(() => decryptSzc1(encryptSzc1("4111", key, { fieldName: FIELD }), key, options), check);
      assert.throws(() => decryptSzc1("szc1:@", key, options), check);
    });
  }

  it("takes exactly 16 parts, 1024-byte parts and empty parts", () => {
    for (const context of [
      Array.from({ length: 16 }, (_, i) => `p${i}`),
      [new Uint8Array(1024).fill(0xab)],
      ["é".repeat(512)],
      [""],
      [new Uint8Array(0), ""],
    ]) {
      const token = encryptSzc1("4111", key, { fieldName: FIELD, context });
      assert.equal(decryptSzc1(token, key, { fieldName: FIELD, context }), "4111");
    }
    const parts = Array.from({ length: 16 }, (_, i) => Buffer.alloc(1024, i));
    const expected = specToken(Buffer.from("v"), parts);
    assert.equal(
      Buffer.from(encryptSzc1BytesWithNonce(Buffer.from("v"), key, { fieldName: FIELD, context: parts }, NONCE)).toString("hex"),
      expected.toString("hex"),
    );
  });

  it("refuses a field name with a zero byte when bound: it would make the associated data ambiguous", () => {
    assert.throws(() => encryptSzc1("4111", key, { fieldName: "f\0x", context: ["t"] }), isConfig(/zero byte/));
  });

  it("copies the context: changing a part after encrypting does not change the token's binding", () => {
    const part = Buffer.from("tenant-a");
    const token = encryptSzc1("4111", key, { fieldName: FIELD, context: [part] });
    part.fill(0);
    assert.equal(decryptSzc1(token, key, { fieldName: FIELD, context: ["tenant-a"] }), "4111");
  });
});
