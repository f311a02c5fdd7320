// Soak on loopback: many concurrent calls and long bidi streams through both
// interceptors, valid and tampered messages mixed. Every valid message arrives
// once, in order, intact; every tampered one fails as specified; and the heap
// comes back near where it started.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { create } from "@bufbuild/protobuf";
import { status } from "@grpc/grpc-js";
import { createFieldCrypto, parseKeySpec } from "@szcrypt/core";
import { type Payment, PaymentSchema, paymentId, samplePayment } from "@szcrypt/example";
import { createClientInterceptor, createServerInterceptor } from "@szcrypt/grpc-js";
import { bidi, type PaymentClient, type Running, startServer, unary } from "./harness/grpc.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const heapAfterGc = () => {
  for (let i = 0; i < 3; i++) {
    gc();
  }
  return process.memoryUsage().heapUsed;
};

const key = parseKeySpec(`base64:${Buffer.alloc(32, 0x42).toString("base64")}`);
const crypto = createFieldCrypto({ key });
const authorized = (n: number): Payment => {
  const p = create(PaymentSchema, samplePayment(n));
  return { ...p, id: paymentId(p.cardNumber) };
};
/** A payment encrypted as szcrypt would send it, with its card number's padding broken. */
function tampered(n: number): Payment {
  const e = crypto.encryptMessage(PaymentSchema, create(PaymentSchema, samplePayment(n)));
  const raw = Buffer.from(e.cardNumber, "base64");
  raw[raw.length - 17] = (raw[raw.length - 17] ?? 0) ^ 0x80;
  return { ...e, cardNumber: raw.toString("base64") };
}

describe("soak", () => {
  let server: Running;
  let client: PaymentClient;
  let plain: PaymentClient;
  let heapBefore = 0;
  before(async () => {
    server = await startServer([createServerInterceptor({ key })]);
    client = server.client([createClientInterceptor({ key })]);
    plain = server.client();
    await unary(client, samplePayment(0)); // warm up before measuring the heap
    heapBefore = heapAfterGc();
  });
  after(() => server.close());

  it("3,000 unary calls, 64 in flight, one in seven tampered", async () => {
    const total = 3000;
    let next = 0;
    let ok = 0;
    let refused = 0;
    const worker = async () => {
      while (next < total) {
        const i = next++;
        if (i % 7 === 3) {
          const r = await unary(plain, tampered(i));
          assert.ok(!r.ok && r.error.code === status.INVALID_ARGUMENT, `call ${i} should have been refused`);
          refused++;
        } else {
          const r = await unary(client, samplePayment(i));
          assert.ok(r.ok, `call ${i} failed: ${r.ok ? "" : r.error.details}`);
          assert.deepEqual(r.value, authorized(i));
          ok++;
        }
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
    assert.equal(ok + refused, total);
    assert.equal(refused, Math.floor((total - 4) / 7) + 1);
  });

  it("a 12,000-message bidi stream arrives whole, once, in order", async () => {
    const n = 12_000;
    const { received, error } = await bidi(
      client,
      Array.from({ length: n }, (_, i) => samplePayment(i)),
    );
    assert.equal(error, undefined);
    assert.equal(received.length, n);
    for (let i = 0; i < n; i++) {
      assert.deepEqual(received[i], authorized(i), `message ${i}`);
    }
  });

  it("20 concurrent bidi streams, each broken at a random message: a prefix arrives intact, then INVALID_ARGUMENT", async () => {
    const streams = Array.from({ length: 20 }, (_, s) => {
      const length = 150;
      const bad = 10 + ((s * 37) % 120);
      const messages = Array.from({ length }, (_, i) =>
        i === bad ? tampered(i) : crypto.encryptMessage(PaymentSchema, create(PaymentSchema, samplePayment(i))),
      );
      return { bad, messages };
    });
    const before = server.seen.length;
    const results = await Promise.all(streams.map((s) => bidi(plain, s.messages)));
    results.forEach((r, s) => {
      const bad = streams[s]?.bad ?? 0;
      assert.equal(r.error?.code, status.INVALID_ARGUMENT, `stream ${s}`);
      assert.ok(r.received.length <= bad, `stream ${s} got a response for or after the tampered message`);
      r.received.forEach((p, i) => {
        assert.deepEqual(crypto.decryptMessage(PaymentSchema, p), authorized(i), `stream ${s} message ${i}`);
      });
    });
    const handled = server.seen.length - before;
    assert.equal(
      handled,
      streams.reduce((n, s) => n + s.bad, 0),
      "handlers saw exactly the messages before each tampered one",
    );
  });

  it("leaves the heap near where it started", () => {
    const grown = heapAfterGc() - heapBefore;
    console.log(`heap after the soak: ${(grown / 2 ** 20).toFixed(1)} MiB above the start`);
    assert.ok(grown < 40 * 2 ** 20, `the heap grew by ${(grown / 2 ** 20).toFixed(1)} MiB`);
  });
});
