// Response side, fail closed: a handler's response that cannot be encrypted (a
// lone surrogate in a sensitive string) ends the call with INTERNAL and is never
// sent, in clear or at all: unary, server streaming and bidi, with every byte
// between client and server captured.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { credentials, Metadata, type ServerDuplexStream, type ServerWritableStream, type ServiceError, status } from "@grpc/grpc-js";
import { parseKeySpec, type SzcryptError } from "@szcrypt/core";
import { grpcPaymentHandlers, type Payment, PaymentSchema, PaymentService, paymentId, type WatchRequest } from "@szcrypt/example";
import type { PaymentClient } from "@szcrypt/testing";
import { type CapturingProxy, grpcServerFor, type RunningServer, samplePayment, startCapturingProxy } from "@szcrypt/testing";
import { createGrpcClient } from "./client.js";
import { createClientInterceptor } from "./client-interceptor.js";
import { createServerInterceptor } from "./server-interceptor.js";
import { createGrpcServiceDefinition } from "./service-definition.js";

const startPaymentServer = grpcServerFor(createGrpcServiceDefinition(PaymentService));

const KEY = parseKeySpec("hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const CANARY = "RESPONSE-CANARY-7f3a";
const POISON = 666n; // a request with this amount gets an answer that cannot be encrypted
const DETAILS =
  /^szcrypt: response sensitive field cardholder \(sz\.examples\.v1\.Payment\.cardholder\) could not be encrypted, so nothing was sent: /;

/** Authorize's answer, or for a poisoned request one whose cardholder holds a lone surrogate. */
function answer(p: Payment): Payment {
  const ok = { ...p, id: paymentId(p.cardNumber) };
  return p.amountCents === POISON ? { ...ok, cardholder: `${CANARY} \ud800` } : ok;
}

function expected(n: number): Payment {
  const p = create(PaymentSchema, samplePayment(n));
  return { ...p, id: paymentId(p.cardNumber) };
}

for (const format of ["legacy-cbc", "szc1"] as const) {
  describe(`a response szcrypt cannot encrypt (${format})`, () => {
    let server: RunningServer;
    let proxy: CapturingProxy;
    let client: PaymentClient;
    const reports: { error: SzcryptError; side: string }[] = [];

    before(async () => {
      server = await startPaymentServer(
        [createServerInterceptor({ key: KEY, format, onError: (error, c) => reports.push({ error, side: c.side }) })],
        (observe) => ({
          ...grpcPaymentHandlers(observe),
          authorize: (call: { request: Payment }, cb: (e: null, v: Payment) => void) => cb(null, answer(call.request)),
          watch: (call: ServerWritableStream<WatchRequest, Payment>) => {
            const t = call.request.template ?? create(PaymentSchema);
            call.write(answer(t));
            call.write(answer({ ...t, amountCents: POISON }));
            call.write(answer(t));
            call.end();
          },
          exchange: (call: ServerDuplexStream<Payment, Payment>) => {
            call.on("data", (p: Payment) => call.write(answer(p)));
            call.on("end", () => call.end());
            call.on("error", () => {});
          },
        }),
      );
      proxy = await startCapturingProxy(server.port);
      client = createGrpcClient(PaymentService, `127.0.0.1:${proxy.port}`, credentials.createInsecure(), {
        interceptors: [createClientInterceptor({ key: KEY, format })],
      });
    });
    after(async () => {
      client.close();
      await proxy.close();
      await server.close();
    });

    it("unary: INTERNAL, and the answer is not sent", async () => {
      const err = await new Promise<ServiceError | null>((resolve) =>
        client.authorize({ ...samplePayment(1), amountCents: POISON }, new Metadata(), { deadline: Date.now() + 10_000 }, (e) =>
          resolve(e),
        ),
      );
      assert.equal(err?.code, status.INTERNAL);
      assert.match(err?.details ?? "", DETAILS);
      assert.ok(!err?.details.includes(CANARY));
      // The same client and server still serve.
      const ok = await new Promise<Payment | undefined>((resolve) =>
        client.authorize(samplePayment(2), new Metadata(), { deadline: Date.now() + 10_000 }, (_e, v) => resolve(v)),
      );
      assert.deepEqual(ok, expected(2));
    });

    it("server streaming: the message before arrives, then INTERNAL; nothing after is sent", async () => {
      const received: Payment[] = [];
      const err = await new Promise<ServiceError | undefined>((resolve) => {
        const call = client.watch({ count: 3, template: samplePayment(3) }, new Metadata(), { deadline: Date.now() + 10_000 });
        call.on("data", (p: Payment) => received.push(p));
        call.on("error", resolve);
        call.on("end", () => resolve(undefined));
      });
      assert.equal(err?.code, status.INTERNAL);
      assert.match(err?.details ?? "", DETAILS);
      assert.deepEqual(received, [expected(3)]);
    });

    it("bidi: answers before the bad one arrive, then INTERNAL", async () => {
      const received: Payment[] = [];
      const err = await new Promise<ServiceError | undefined>((resolve) => {
        const call = client.exchange(new Metadata(), { deadline: Date.now() + 10_000 });
        call.on("data", (p: Payment) => {
          received.push(p);
          if (received.length === 1) {
            call.write({ ...samplePayment(5), amountCents: POISON });
            call.write(samplePayment(6));
            call.end();
          }
        });
        call.on("error", resolve);
        call.on("end", () => resolve(undefined));
        call.write(samplePayment(4));
      });
      assert.equal(err?.code, status.INTERNAL);
      assert.match(err?.details ?? "", DETAILS);
      assert.deepEqual(received, [expected(4)]);
    });

    it("never put the value on the wire, and reported each failure once, server side", () => {
      const wire = proxy.captured();
      assert.ok(wire.length > 500, "the proxy saw the calls");
      for (const encoding of ["utf8", "utf16le"] as const) {
        assert.equal(wire.indexOf(Buffer.from(CANARY, encoding)), -1, `the refused value crossed the wire (${encoding})`);
      }
      assert.deepEqual(
        reports.map((r) => [r.error.code, r.side]),
        [
          ["INVALID_PLAINTEXT", "server"],
          ["INVALID_PLAINTEXT", "server"],
          ["INVALID_PLAINTEXT", "server"],
        ],
      );
    });
  });
}
