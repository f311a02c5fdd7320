// Fuzzing with fast-check, bounded per run: over 100,000 arbitrary and mutated
// tokens through decryption (both formats, strings and bytes) and a few
// thousand through the server interceptor over loopback. The only outcomes
// allowed: szcrypt's own error (or INVALID_ARGUMENT on the wire), or for
// legacy-cbc a decryption (CBC is malleable); never a crash, a hang, another
// error type, or a value passed through undecrypted. No mutated szc1 token ever
// decrypts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import {
  createFieldCrypto,
  decryptLegacy,
  decryptLegacyBytes,
  decryptSzc1,
  decryptSzc1Bytes,
  encryptLegacy,
  encryptSzc1,
  encryptSzc1Bytes,
  isSzcryptError,
  Keyring,
  parseKeySpec,
} from "@szcrypt/core";
import { PaymentSchema } from "@szcrypt/example";
import { createClientInterceptor, createServerInterceptor } from "@szcrypt/grpc-js";
import { onlyCardNumber, samplePayment } from "@szcrypt/testing";
import fc from "fast-check";
import "@szcrypt/testing/fast-check-replay";
import { type Running, startServer, unary } from "./harness/grpc.js";

const FIELD = "sz.examples.v1.Payment.card_number";
const legacyKey = parseKeySpec(`hex:${"5a".repeat(16)}`);
const szc1Key = parseKeySpec(`base64:${Buffer.alloc(32, 0x33).toString("base64")}`, { id: "fuzz-1" });
const ring = new Keyring({ keys: [szc1Key], primary: "fuzz-1" });
let tokens = 0;

function onlyOurs(fn: () => unknown): "decrypted" | "refused" {
  tokens++;
  try {
    fn();
    return "decrypted";
  } catch (err) {
    // CONTEXT_REQUIRED: a mutation that sets szc1's context flag is refused before decrypting.
    if (isSzcryptError(err, "DECRYPT_FAILED") || isSzcryptError(err, "MALFORMED") || isSzcryptError(err, "CONTEXT_REQUIRED")) {
      return "refused";
    }
    throw new Error(`decryption threw ${err instanceof Error ? err.name : typeof err}, not szcrypt's error`);
  }
}

/** A valid token with 1-3 bytes or characters changed, inserted or removed. */
function mutate(token: Uint8Array): fc.Arbitrary<Buffer> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), x: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), x: fc.integer({ min: 0, max: 255 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let b = Buffer.from(token);
    for (const e of edits) {
      const at = b.length === 0 ? 0 : e.at % b.length;
      if (e.kind === "flip" && b.length > 0) {
        b[at] = (b[at] as number) ^ e.x;
      } else if (e.kind === "cut") {
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
      } else if (e.kind === "insert") {
        b = Buffer.concat([b.subarray(0, at), Buffer.of(e.x ?? 0), b.subarray(at)]);
      }
    }
    return b;
  });
}

describe("fuzzing decryption", () => {
  it("legacy-cbc: 30,000 arbitrary and mutated strings give szcrypt's error or a decryption", () => {
    const valid = encryptLegacy("4111-1111-1111-1111", legacyKey);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 120 }),
          fc.base64String({ maxLength: 120 }),
          mutate(Buffer.from(valid, "latin1")).map((b) => b.toString("latin1")),
        ),
        (token) => {
          onlyOurs(() => decryptLegacy(token, legacyKey));
        },
      ),
      { numRuns: 30_000 },
    );
  });

  it("legacy-cbc bytes: 20,000 arbitrary and mutated values", () => {
    const valid = Buffer.from(encryptLegacy("a bytes field", legacyKey), "base64");
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutate(valid)), (data) => {
        onlyOurs(() => decryptLegacyBytes(data, legacyKey));
      }),
      { numRuns: 20_000 },
    );
  });

  it("szc1: 30,000 mutated text tokens: not one decrypts", () => {
    const valid = encryptSzc1("4111-1111-1111-1111", szc1Key, { fieldName: FIELD });
    fc.assert(
      fc.property(mutate(Buffer.from(valid, "latin1")), (bytes) => {
        const token = bytes.toString("latin1");
        fc.pre(token !== valid);
        assert.equal(
          onlyOurs(() => decryptSzc1(token, ring, { fieldName: FIELD })),
          "refused",
        );
      }),
      { numRuns: 30_000 },
    );
  });

  it("szc1 bytes: 20,000 mutated and arbitrary values: not one decrypts", () => {
    const valid = encryptSzc1Bytes(Buffer.from("raw token"), szc1Key, { fieldName: FIELD });
    fc.assert(
      fc.property(
        fc.oneof(
          mutate(valid),
          fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.concat([Buffer.from("szc1"), b])),
        ),
        (data) => {
          fc.pre(!Buffer.from(data).equals(valid));
          assert.equal(
            onlyOurs(() => decryptSzc1Bytes(data, ring, { fieldName: FIELD })),
            "refused",
          );
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("field decryption never hands back the input unchanged for a value that is not a token", () => {
    const crypto = createFieldCrypto({ key: legacyKey, format: "legacy-cbc", accept: ["legacy-cbc", "szc1"] });
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), (text) => {
        tokens++;
        try {
          const out = crypto.decryptMessage(PaymentSchema, create(PaymentSchema, { cardNumber: text }));
          assert.notEqual(out.cardNumber, text, "a value was passed through undecrypted");
        } catch (err) {
          assert.ok(isSzcryptError(err, "DECRYPT_FAILED"), String(err));
        }
      }),
      { numRuns: 5_000 },
    );
  });

  after(() => {
    console.log(`fuzzed ${tokens.toLocaleString("en")} tokens through decryption`);
    assert.ok(tokens >= 100_000, `only ${tokens} tokens`);
  });
});

describe("fuzzing the server interceptor over loopback", () => {
  let legacy: Running;
  let szc1: Running;
  before(async () => {
    legacy = await startServer([createServerInterceptor({ key: legacyKey })]);
    szc1 = await startServer([createServerInterceptor({ key: ring, format: "szc1" })]);
  });
  after(async () => {
    await legacy.close();
    await szc1.close();
  });

  for (const [format, server, make] of [
    ["legacy-cbc", () => legacy, () => encryptLegacy("4111-1111-1111-1111", legacyKey)],
    ["szc1", () => szc1, () => encryptSzc1("4111-1111-1111-1111", szc1Key, { fieldName: FIELD })],
  ] as const) {
    it(`${format}: 1,500 fuzzed card numbers get INVALID_ARGUMENT with the one message, or decrypt; never reach a handler as sent`, async () => {
      const s = server();
      const plain = s.client();
      const valid = make();
      const samples = fc.sample(
        fc.oneof(
          fc.string({ maxLength: 100 }),
          mutate(Buffer.from(valid, "latin1")).map((b) => b.toString("latin1")),
        ),
        { numRuns: 1_500, seed: 42 },
      );
      const messages = new Set<string>();
      let refused = 0;
      for (let i = 0; i < samples.length; i += 50) {
        const batch = samples.slice(i, i + 50);
        const before = s.seen.length;
        const results = await Promise.all(batch.map((cardNumber) => unary(plain, onlyCardNumber(cardNumber))));
        for (const [j, r] of results.entries()) {
          if (r.ok) {
            // proto3 does not send "", and szcrypt leaves an empty value empty: nothing to decrypt.
            assert.ok(format === "legacy-cbc" || batch[j] === "", "a mutated szc1 token was accepted");
          } else {
            assert.equal(r.error.code, status.INVALID_ARGUMENT, r.error.details);
            messages.add(r.error.details);
            refused++;
          }
        }
        for (const p of s.seen.slice(before)) {
          assert.ok(!batch.includes(p.cardNumber) || p.cardNumber === "", "a handler saw a value exactly as it was sent");
        }
      }
      assert.ok(refused > 1000);
      assert.deepEqual(
        [...messages],
        ["szcrypt: request sensitive field card_number (sz.examples.v1.Payment.card_number) could not be decrypted"],
      );
      // The server still serves well-formed calls afterwards.
      const good = await unary(
        s.client([createClientInterceptor({ key: format === "szc1" ? ring : legacyKey, format })]),
        samplePayment(2),
      );
      assert.ok(good.ok);
    });
  }
});
