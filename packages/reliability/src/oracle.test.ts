// No oracle: for each format, every way a value can fail to decrypt looks the
// same to the client: code, details and trailing metadata, compared whole.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status } from "@grpc/grpc-js";
import {
  decryptLegacy,
  decryptSzc1,
  encryptLegacy,
  encryptLegacyBytes,
  encryptSzc1,
  encryptSzc1Bytes,
  isSzcryptError,
  Keyring,
  parseKeySpec,
} from "@szcrypt/core";
import { createServerInterceptor } from "@szcrypt/grpc-js";
import { type Observed, type PaymentInit, type Running, startServer, unary } from "./harness/grpc.js";

const key = parseKeySpec(`hex:${"a7".repeat(32)}`, { id: "k1" });
const otherKey = parseKeySpec(`hex:${"b8".repeat(32)}`, { id: "k1" });
const ring = new Keyring({ keys: [key], primary: "k1" });
const CARD = "sz.examples.v1.Payment.card_number";

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const UNIFORM = `szcrypt: request sensitive field card_number (${CARD}) could not be decrypted`;
/** szc1 text from the raw form, as SPEC.md writes it: "szc1:" + unpadded base64url of all but the magic. */
const szc1Text = (raw: Uint8Array) => `szc1:${Buffer.from(raw).subarray(4).toString("base64url")}`;
/** A szc1 token with one bit of the middle of its 16-byte tag changed: always a bad tag, never a malformed token. */
function badTag(token: string): string {
  const body = Buffer.from(token.slice("szc1:".length), "base64url"); // ends with the tag
  body[body.length - 8] = (body[body.length - 8] ?? 0) ^ 0x01;
  return `szc1:${body.toString("base64url")}`;
}
function flipLast(token: string): string {
  const raw = Buffer.from(token, "base64");
  raw[raw.length - 17] = (raw[raw.length - 17] ?? 0) ^ 0x80; // previous block: breaks the padding every time
  return raw.toString("base64");
}
function wrongKeyLegacy(): string {
  // 1 in ~256 wrong-key tokens unpad cleanly: take one that does not.
  for (;;) {
    const t = encryptLegacy("4111", otherKey);
    try {
      decryptLegacy(t, key);
    } catch {
      return t;
    }
  }
}

async function observeAll(server: Running, cards: Record<string, PaymentInit>): Promise<Map<string, Observed>> {
  const client = server.client();
  const out = new Map<string, Observed>();
  for (const [cause, payment] of Object.entries(cards)) {
    const r = await unary(client, payment);
    assert.ok(!r.ok, `${cause} was accepted`);
    // The HTTP date header is the response's wall-clock second, the same for every cause
    // but not across a second boundary: checked to be a date, then compared as a placeholder.
    const { date, ...metadata } = r.error.metadata as { date?: unknown[] };
    if (date !== undefined) {
      assert.ok(date.length === 1 && !Number.isNaN(Date.parse(String(date[0]))), `${cause}: date header ${String(date)}`);
    }
    out.set(cause, { ...r.error, metadata: date === undefined ? metadata : { ...metadata, date: ["<date>"] } });
  }
  return out;
}

function assertAllSame(observed: Map<string, Observed>): Observed {
  const [first, ...rest] = [...observed.entries()];
  assert.ok(first);
  for (const [cause, o] of rest) {
    assert.deepEqual(o, first[1], `${cause} looks different from ${first[0]}`);
  }
  return first[1];
}

describe("no oracle: legacy-cbc", () => {
  let server: Running;
  before(async () => {
    server = await startServer([createServerInterceptor({ key })]);
  });
  after(() => server.close());

  it("bad padding, wrong key, bad UTF-8, a format not accepted, a plaintext and malformed base64 look identical", async () => {
    const seen = await observeAll(server, {
      "bad padding": { cardNumber: flipLast(encryptLegacy("4111-1111", key)) },
      "wrong key": { cardNumber: wrongKeyLegacy() },
      "bad UTF-8": { cardNumber: b64(encryptLegacyBytes(Buffer.from([0xed, 0xa0, 0x80]), key)) },
      "szc1 token (format not accepted)": { cardNumber: encryptSzc1("4111", key, { fieldName: CARD }) },
      "plaintext value": { cardNumber: "4111-1111-1111-1111" },
      "not base64": { cardNumber: "!!!!" },
      "IV only": { cardNumber: b64(Buffer.alloc(16)) },
    });
    const o = assertAllSame(seen);
    assert.equal(o.code, status.INVALID_ARGUMENT);
    assert.equal(o.details, UNIFORM);
  });

  it("the same for a bytes field", async () => {
    const good = encryptLegacyBytes(Buffer.from("tok"), key);
    const bad = Buffer.from(good);
    bad[bad.length - 17] = (bad[bad.length - 17] ?? 0) ^ 0x80;
    const seen = await observeAll(server, {
      "bad padding": { token: bad },
      "wrong length": { token: good.subarray(0, 24) },
      "plaintext bytes": { token: Buffer.from("raw token in the clear") },
    });
    assert.match(assertAllSame(seen).details, /sensitive field token \(sz\.examples\.v1\.Payment\.token\)/);
  });
});

describe("no oracle: szc1", () => {
  let server: Running;
  before(async () => {
    server = await startServer([createServerInterceptor({ key: ring, format: "szc1" })]);
  });
  after(() => server.close());

  it("bad tag, unknown key id, wrong key, bad UTF-8, another field, a legacy token, a plaintext and truncation look identical", async () => {
    const good = encryptSzc1("4111", key, { fieldName: CARD });
    const seen = await observeAll(server, {
      "bad tag": { cardNumber: badTag(good) },
      "unknown key id": { cardNumber: encryptSzc1("4111", key.withId("k9"), { fieldName: CARD }) },
      "wrong key": { cardNumber: encryptSzc1("4111", otherKey, { fieldName: CARD }) },
      "bad UTF-8": { cardNumber: szc1Text(encryptSzc1Bytes(Buffer.from([0xed, 0xa0, 0x80]), key, { fieldName: CARD })) },
      "moved from another field": { cardNumber: encryptSzc1("4111", key, { fieldName: "sz.examples.v1.Payment.cardholder" }) },
      "legacy token (format not accepted)": { cardNumber: encryptLegacy("4111", key) },
      "plaintext value": { cardNumber: "4111-1111-1111-1111" },
      truncated: { cardNumber: good.slice(0, 20) },
      "bytes form in a string field": {
        cardNumber: Buffer.from(encryptSzc1Bytes(Buffer.from("x"), key, { fieldName: CARD })).toString("latin1"),
      },
    });
    const o = assertAllSame(seen);
    assert.equal(o.code, status.INVALID_ARGUMENT);
    assert.equal(o.details, UNIFORM);
  });

  it("the bad tag and bad UTF-8 cases fail as decryption failures, not as malformed tokens", () => {
    const good = encryptSzc1("4111", key, { fieldName: CARD });
    // The round trip through base64url that badTag does, without the change, decrypts.
    const isDecryptFailed = (err: unknown) => isSzcryptError(err, "DECRYPT_FAILED");
    for (let i = 0; i < 64; i++) {
      assert.throws(() => decryptSzc1(badTag(encryptSzc1("4111", key, { fieldName: CARD })), ring, { fieldName: CARD }), isDecryptFailed);
    }
    assert.equal(decryptSzc1(`szc1:${Buffer.from(good.slice(5), "base64url").toString("base64url")}`, ring, { fieldName: CARD }), "4111");
    const badUtf8 = szc1Text(encryptSzc1Bytes(Buffer.from([0xed, 0xa0, 0x80]), key, { fieldName: CARD }));
    assert.throws(() => decryptSzc1(badUtf8, ring, { fieldName: CARD }), isDecryptFailed);
  });
});
