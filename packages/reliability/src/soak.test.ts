// Soak on loopback: many concurrent calls and long bidi streams through both
// interceptors, valid and tampered messages mixed. Every valid message arrives
// once, in order, intact; every tampered one fails as specified; and the heap
// comes back near where it started.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { create } from "@bufbuild/protobuf";
import { Metadata, type ServiceError, status } from "@grpc/grpc-js";
import { createFieldCrypto, parseKeySpec } from "@szcrypt/core";
import { type Payment, PaymentSchema, paymentId } from "@szcrypt/example";
import { createClientInterceptor, createServerInterceptor } from "@szcrypt/grpc-js";
import { samplePayment } from "@szcrypt/testing";
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

  it("20 concurrent bidi streams, each broken at a random message: exactly the valid prefix, on both sides, then INVALID_ARGUMENT", async () => {
    // Each stream marks its messages in a clear field, amount = stream × 1,000,000 + index,
    // so that what the handler saw can be told apart per stream.
    const tag = (s: number, i: number) => BigInt(s * 1_000_000 + i);
    const streams = Array.from({ length: 20 }, (_, s) => {
      const length = 150;
      const bad = 10 + ((s * 37) % 120);
      const messages = Array.from({ length }, (_, i) => {
        const m = i === bad ? tampered(i) : crypto.encryptMessage(PaymentSchema, create(PaymentSchema, samplePayment(i)));
        return { ...m, amountCents: tag(s, i) };
      });
      return { bad, messages };
    });
    const before = server.seen.length;
    const results = await Promise.all(streams.map((s) => bidi(plain, s.messages)));
    const seen = server.seen.slice(before);
    results.forEach((r, s) => {
      const bad = streams[s]?.bad ?? 0;
      const prefix = Array.from({ length: bad }, (_, i) => i);
      assert.equal(r.error?.code, status.INVALID_ARGUMENT, `stream ${s}`);
      // The caller gets responses to the valid prefix only, in order, with no gap, and nothing
      // for the tampered message or after it. Responses the handler wrote after the server
      // failed the stream are dropped with it, so the last few may be missing.
      assert.ok(r.received.length <= bad, `stream ${s}: a response for or after the tampered message`);
      assert.deepEqual(
        r.received.map((p) => Number(p.amountCents) - s * 1_000_000),
        prefix.slice(0, r.received.length),
        `stream ${s}: the responses the client got`,
      );
      r.received.forEach((p, i) => {
        assert.deepEqual(crypto.decryptMessage(PaymentSchema, p), { ...authorized(i), amountCents: tag(s, i) }, `stream ${s} message ${i}`);
      });
      // The handler saw exactly the messages before the tampered one, in order, decrypted.
      const handled = seen.filter((p) => p.amountCents / 1_000_000n === BigInt(s));
      assert.deepEqual(
        handled.map((p) => Number(p.amountCents % 1_000_000n)),
        prefix,
        `stream ${s}: the messages its handler saw`,
      );
      handled.forEach((p, i) => {
        assert.deepEqual(p, create(PaymentSchema, { ...samplePayment(i), amountCents: tag(s, i) }), `stream ${s} handled ${i}`);
      });
    });
    const valid = streams.reduce((n, s) => n + s.bad, 0);
    assert.equal(seen.length, valid, "no other message reached a handler");
    const delivered = results.reduce((n, r) => n + r.received.length, 0);
    console.log(`broken streams: handlers saw ${seen.length} of ${valid} valid messages; callers got ${delivered} responses`);
  });

  it("a stream the caller reads in step: exactly the valid prefix comes back, then INVALID_ARGUMENT", async () => {
    // One message at a time, each sent once the previous response arrived: every response to
    // the valid prefix was delivered before the tampered message left, so none may be missing.
    const bad = 25;
    const call = plain.exchange(new Metadata(), { deadline: Date.now() + 30_000 });
    const received: Payment[] = [];
    const failure = new Promise<ServiceError>((resolve) => call.on("error", resolve));
    let next = () => {};
    call.on("data", (p: Payment) => {
      received.push(p);
      next();
    });
    const before = server.seen.length;
    for (let i = 0; i <= bad; i++) {
      const answered = new Promise<void>((resolve) => {
        next = resolve;
      });
      call.write(i === bad ? tampered(i) : crypto.encryptMessage(PaymentSchema, create(PaymentSchema, samplePayment(i))));
      if (i < bad) {
        await answered;
      }
    }
    const err = await failure;
    assert.equal(err.code, status.INVALID_ARGUMENT);
    assert.deepEqual(
      received.map((p) => crypto.decryptMessage(PaymentSchema, p)),
      Array.from({ length: bad }, (_, i) => authorized(i)),
    );
    assert.deepEqual(
      server.seen.slice(before),
      Array.from({ length: bad }, (_, i) => create(PaymentSchema, samplePayment(i))),
    );
  });

  it("leaves the heap near where it started", () => {
    const grown = heapAfterGc() - heapBefore;
    console.log(`heap after the soak: ${(grown / 2 ** 20).toFixed(1)} MiB above the start`);
    assert.ok(grown < 40 * 2 ** 20, `the heap grew by ${(grown / 2 ** 20).toFixed(1)} MiB`);
  });
});
