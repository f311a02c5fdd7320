// The one transport scenario (connect-es `transport.spec.ts`): the same cases
// over every transport szcrypt supports, each against a real server on port 0
// behind a capturing proxy. A transport's tests describe how to start its
// server and clients; the cases and their expectations are written once here.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type Payment, PaymentSchema, type PaymentSummary } from "@szcrypt/example";
import type { PaymentInit, WatchRequestInit } from "./calls.js";
import { type CapturingProxy, startCapturingProxy } from "./proxy.js";
import { authorized, clearSampleValues, SENSITIVE_MARK, samplePayment } from "./samples.js";
import type { RunningServer } from "./servers.js";

export type ScenarioFormat = "legacy-cbc" | "szc1";

/** The four PaymentService calls, as any client makes them; each rejects with the transport's own error. */
export interface ScenarioCalls {
  authorize(request: PaymentInit): Promise<Payment>;
  upload(requests: readonly PaymentInit[]): Promise<PaymentSummary>;
  watch(request: WatchRequestInit): Promise<Payment[]>;
  exchange(requests: readonly PaymentInit[]): Promise<Payment[]>;
}

/** What the scenario needs of one transport (client side and server side). */
export interface TransportUnderTest {
  /**
   * PaymentService with szcrypt's server interceptor in `format`; without any
   * szcrypt when `format` is undefined. With `answer`, Authorize replies that
   * message whatever it received.
   */
  startServer(format: ScenarioFormat | undefined, answer?: PaymentInit): Promise<RunningServer>;
  /** Clients of 127.0.0.1:`port`: `szcrypt` with the client interceptor in `format`, `plain` with none. */
  clients(port: number, format: ScenarioFormat): { readonly szcrypt: ScenarioCalls; readonly plain: ScenarioCalls; close(): void };
  /** A failed call's status: the gRPC code (Connect's `Code` has the same numbers) and message. */
  status(err: unknown): { readonly code: number; readonly message: string };
}

const INVALID_ARGUMENT = 3;
const INTERNAL = 13;
const UNDECRYPTABLE_REQUEST = "szcrypt: request sensitive field card_number (sz.examples.v1.Payment.card_number) could not be decrypted";

async function failure(transport: TransportUnderTest, call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (err) {
    return transport.status(err);
  }
  assert.fail("the call should have failed");
}

/** Registers the scenario's cases (node:test) for `transport`, once per format. */
export function runTransportScenario(
  name: string,
  transport: TransportUnderTest,
  formats: readonly ScenarioFormat[] = ["legacy-cbc", "szc1"],
): void {
  for (const format of formats) {
    describe(`${name}, ${format}`, () => {
      let server: RunningServer;
      let proxy: CapturingProxy;
      let clients: ReturnType<TransportUnderTest["clients"]>;
      before(async () => {
        server = await transport.startServer(format);
        proxy = await startCapturingProxy(server.port);
        clients = transport.clients(proxy.port, format);
      });
      after(async () => {
        clients.close();
        await proxy.close();
        await server.close();
      });

      it("round trip, unary: the handler sees plaintext, the caller gets it back", async () => {
        assert.deepEqual(await clients.szcrypt.authorize(samplePayment(0)), authorized(samplePayment(0)));
        assert.deepEqual(server.seen.at(-1), create(PaymentSchema, samplePayment(0)));
      });

      it("round trip, client streaming: the handler sees every payment in plaintext", async () => {
        const sent = [1, 2, 3].map(samplePayment);
        const summary = await clients.szcrypt.upload(sent);
        assert.equal(summary.count, 3);
        assert.deepEqual(
          summary.ids,
          sent.map((p) => authorized(p).id),
        );
        assert.deepEqual(
          server.seen.slice(-3),
          sent.map((p) => create(PaymentSchema, p)),
        );
      });

      it("round trip, server streaming", async () => {
        const got = await clients.szcrypt.watch({ count: 3, template: samplePayment(4) });
        assert.deepEqual(
          got,
          Array.from({ length: 3 }, () => authorized(samplePayment(4))),
        );
      });

      it("round trip, bidi streaming, in order", async () => {
        const sent = [5, 6, 7, 8].map(samplePayment);
        assert.deepEqual(await clients.szcrypt.exchange(sent), sent.map(authorized));
      });

      it("ciphertext on the wire: no sensitive value in the clear, clear fields readable", () => {
        const wire = proxy.captured().toString("latin1");
        assert.ok(wire.length > 1000, "the proxy saw the calls");
        assert.equal(wire.indexOf(SENSITIVE_MARK), -1, "a sensitive value crossed the wire in plaintext");
        assert.ok(!wire.includes("Ångström") && !wire.includes(Buffer.from("Zoë").toString("latin1")));
        for (const clear of clearSampleValues(0)) {
          assert.ok(wire.includes(clear), `clear value ${clear} should be on the wire`);
        }
        if (format === "szc1") {
          assert.ok(wire.includes("szc1:"), "string fields carry szc1 text");
        }
      });

      it("fail closed: a request the server cannot decrypt is INVALID_ARGUMENT with the uniform message, handler not called", async () => {
        const before = server.seen.length;
        const status = await failure(transport, clients.plain.authorize({ cardNumber: "4111 in the clear" }));
        assert.equal(status.code, INVALID_ARGUMENT);
        assert.equal(status.message, UNDECRYPTABLE_REQUEST);
        assert.equal(server.seen.length, before);
      });

      it("fail closed: a request that cannot be encrypted is INVALID_ARGUMENT, nothing is sent, the value is not quoted", async () => {
        const before = server.seen.length;
        const status = await failure(transport, clients.szcrypt.authorize({ ...samplePayment(1), cardholder: "CANARY-7731 \ud800" }));
        assert.equal(status.code, INVALID_ARGUMENT);
        assert.match(status.message, /request sensitive field cardholder .* could not be encrypted, so nothing was sent/);
        assert.ok(!status.message.includes("CANARY-7731"));
        assert.equal(server.seen.length, before, "a message reached the handler");
        // The same client still works afterwards.
        assert.deepEqual(await clients.szcrypt.authorize(samplePayment(3)), authorized(samplePayment(3)));
      });
    });

    describe(`${name}, ${format}: a response the client cannot decrypt`, () => {
      it("fails with INTERNAL, and the value is never handed over", async () => {
        // A server without szcrypt whose Authorize answers a card number in the clear.
        const server = await transport.startServer(undefined, { cardNumber: "4111 in the clear" });
        const clients = transport.clients(server.port, format);
        try {
          const status = await failure(transport, clients.szcrypt.authorize(samplePayment(1)));
          assert.equal(status.code, INTERNAL);
          assert.match(status.message, /response sensitive field card_number .* could not be decrypted/);
          assert.ok(!status.message.includes("4111"));
        } finally {
          clients.close();
          await server.close();
        }
      });
    });
  }
}
