// Connect beyond the happy path, for the gRPC and Connect protocols, with every
// byte between client and server captured: responses the server cannot encrypt,
// streams with a bad message on either side, per-method policy, onError (and a
// hook that throws), and calls that fail locally sending nothing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { createFieldCrypto, parseKeySpec, type SzcryptError } from "@szcrypt/core";
import { type Payment, PaymentSchema, PaymentService, paymentId } from "@szcrypt/example";
import {
  type CapturingProxy,
  connectPaymentHandlers,
  type RunningServer,
  samplePayment,
  startCapturingProxy,
  startConnectServer,
} from "@szcrypt/testing";
import { createConnectClientInterceptor, createConnectServerInterceptor, type SzcryptConnectOptions } from "./interceptors.js";

const KEY = parseKeySpec("base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
const CANARY = "CONNECT-CANARY-51c9";
const POISON = 666n; // a request with this amount gets an answer that cannot be encrypted
const AUTHORIZE = "/sz.examples.v1.PaymentService/Authorize";
const CANNOT_ENCRYPT =
  /^szcrypt: response sensitive field cardholder \(sz\.examples\.v1\.Payment\.cardholder\) could not be encrypted, so nothing was sent: /;
const CANNOT_DECRYPT_REQUEST = "szcrypt: request sensitive field card_number (sz.examples.v1.Payment.card_number) could not be decrypted";

type Protocol = "grpc" | "connect";
type PaymentInit = MessageInitShape<typeof PaymentSchema>;
type Report = { code: string; method: string; side: string };

function transport(protocol: Protocol, port: number, interceptors: Interceptor[]): Transport {
  const options = { baseUrl: `http://127.0.0.1:${port}`, httpVersion: "2" as const, interceptors };
  return protocol === "grpc" ? createGrpcTransport(options) : createConnectTransport(options);
}

function expected(n: number, amountCents?: bigint): Payment {
  const p = create(PaymentSchema, { ...samplePayment(n), ...(amountCents === undefined ? {} : { amountCents }) });
  return { ...p, id: paymentId(p.cardNumber) };
}

/** Authorize's answer, or for a poisoned request one whose cardholder holds a lone surrogate. */
function answer(p: Payment): Payment {
  const ok = { ...p, id: paymentId(p.cardNumber) };
  return p.amountCents === POISON ? { ...ok, cardholder: `${CANARY} \ud800` } : ok;
}

async function* items<T>(values: T[]): AsyncIterable<T> {
  yield* values;
}

/** The messages a stream delivered before it ended, and how it ended. */
async function drain<T>(stream: AsyncIterable<T>): Promise<{ received: T[]; error?: ConnectError }> {
  const received: T[] = [];
  try {
    for await (const m of stream) {
      received.push(m);
    }
    return { received };
  } catch (err) {
    return { received, error: ConnectError.from(err) };
  }
}

async function failure(call: Promise<unknown>): Promise<ConnectError> {
  try {
    await call;
  } catch (err) {
    return ConnectError.from(err);
  }
  assert.fail("the call should have failed");
}

function assertNotOnWire(proxy: CapturingProxy, value: string): void {
  const wire = proxy.captured();
  for (const encoding of ["utf8", "utf16le"] as const) {
    assert.equal(wire.indexOf(Buffer.from(value, encoding)), -1, `a refused value crossed the wire (${encoding})`);
  }
}

for (const protocol of ["grpc", "connect"] as const) {
  describe(`Connect (${protocol} protocol): failure paths`, () => {
    let server: RunningServer;
    let proxy: CapturingProxy;
    let client: Client<typeof PaymentService>;
    let plain: Client<typeof PaymentService>;
    const reports: Report[] = [];
    const onError: SzcryptConnectOptions["onError"] = (error: SzcryptError, c) =>
      reports.push({ code: error.code, method: c.method, side: c.side });

    before(async () => {
      server = await startConnectServer([createConnectServerInterceptor({ key: KEY, onError })], (seen) => ({
        ...connectPaymentHandlers(seen),
        authorize(p) {
          seen.push(p);
          return answer(p);
        },
        async *watch(request) {
          const t = request.template ?? create(PaymentSchema);
          yield answer(t);
          yield answer({ ...t, amountCents: POISON });
          yield answer(t);
        },
        async *exchange(payments) {
          for await (const p of payments) {
            seen.push(p);
            yield answer(p);
          }
        },
      }));
      proxy = await startCapturingProxy(server.port);
      client = createClient(PaymentService, transport(protocol, proxy.port, [createConnectClientInterceptor({ key: KEY, onError })]));
      plain = createClient(PaymentService, transport(protocol, proxy.port, []));
    });
    after(async () => {
      await proxy.close();
      await server.close();
    });

    it("a unary response that cannot be encrypted: Internal, not sent, and the server still serves", async () => {
      const e = await failure(client.authorize({ ...samplePayment(1), amountCents: POISON }, { timeoutMs: 10_000 }));
      assert.equal(e.code, Code.Internal);
      assert.match(e.rawMessage, CANNOT_ENCRYPT);
      assert.ok(!e.rawMessage.includes(CANARY));
      assert.deepEqual(await client.authorize(samplePayment(2), { timeoutMs: 10_000 }), expected(2));
    });

    it("a server stream whose second response cannot be encrypted: the first arrives, then Internal", async () => {
      const r = await drain(client.watch({ count: 3, template: samplePayment(3) }, { timeoutMs: 10_000 }));
      assert.equal(r.error?.code, Code.Internal);
      assert.match(r.error?.rawMessage ?? "", CANNOT_ENCRYPT);
      assert.deepEqual(r.received, [expected(3)]);
    });

    it("a bidi stream whose second response cannot be encrypted: the first arrives, then Internal", async () => {
      const r = await drain(
        client.exchange(items([samplePayment(4), { ...samplePayment(5), amountCents: POISON }, samplePayment(6)]), { timeoutMs: 10_000 }),
      );
      assert.equal(r.error?.code, Code.Internal);
      assert.match(r.error?.rawMessage ?? "", CANNOT_ENCRYPT);
      assert.deepEqual(r.received, [expected(4)]);
    });

    it("a client stream with a message the server cannot decrypt: InvalidArgument, the handler saw only the ones before", async () => {
      const crypto = createFieldCrypto({ key: KEY });
      const good = (n: number) => crypto.encryptMessage(PaymentSchema, create(PaymentSchema, samplePayment(n)));
      const before = server.seen.length;
      const e = await failure(
        plain.upload(items<PaymentInit>([good(7), { cardNumber: "4111 in the clear" }, good(8)]), { timeoutMs: 10_000 }),
      );
      assert.equal(e.code, Code.InvalidArgument);
      assert.equal(e.rawMessage, CANNOT_DECRYPT_REQUEST);
      assert.deepEqual(server.seen.slice(before), [create(PaymentSchema, samplePayment(7))]);
    });

    it("a bidi stream with a message the server cannot decrypt: answers to the ones before, then InvalidArgument", async () => {
      const crypto = createFieldCrypto({ key: KEY });
      const good = (n: number) => crypto.encryptMessage(PaymentSchema, create(PaymentSchema, samplePayment(n)));
      const before = server.seen.length;
      const r = await drain(
        plain.exchange(items<PaymentInit>([good(9), { cardNumber: "4111 in the clear" }, good(10)]), { timeoutMs: 10_000 }),
      );
      assert.equal(r.error?.code, Code.InvalidArgument);
      assert.equal(r.error?.rawMessage, CANNOT_DECRYPT_REQUEST);
      assert.deepEqual(server.seen.slice(before), [create(PaymentSchema, samplePayment(9))]);
      assert.ok(r.received.length <= 1);
      for (const p of r.received) {
        assert.deepEqual(crypto.decryptMessage(PaymentSchema, p), expected(9));
      }
    });

    it("a request that cannot be encrypted fails locally and sends nothing: unary", async () => {
      const sentBefore = proxy.captured().length;
      const before = server.seen.length;
      const e = await failure(client.authorize({ ...samplePayment(11), cardholder: `${CANARY} \ud800` }, { timeoutMs: 10_000 }));
      assert.equal(e.code, Code.InvalidArgument);
      assert.match(e.rawMessage, /^szcrypt: request sensitive field cardholder .* could not be encrypted, so nothing was sent/);
      assert.ok(!e.rawMessage.includes(CANARY));
      assert.equal(proxy.captured().length, sentBefore, "bytes crossed the wire for a call that failed locally");
      assert.equal(server.seen.length, before);
    });

    it("a request that cannot be encrypted fails locally: streaming, the bad message is not sent", async () => {
      const before = server.seen.length;
      const e = await failure(
        client.upload(items([samplePayment(12), { ...samplePayment(13), cardholder: `${CANARY} \ud800` }, samplePayment(14)]), {
          timeoutMs: 10_000,
        }),
      );
      assert.equal(e.code, Code.InvalidArgument);
      assert.match(e.rawMessage, /^szcrypt: request sensitive field cardholder .* could not be encrypted, so nothing was sent/);
      const after = server.seen.slice(before);
      assert.ok(after.length <= 1 && after.every((p) => p.cardNumber === create(PaymentSchema, samplePayment(12)).cardNumber));
    });

    it("never put a refused value on the wire, and reported every failure to onError with its method and side", () => {
      assertNotOnWire(proxy, CANARY);
      assert.deepEqual(reports, [
        { code: "INVALID_PLAINTEXT", method: AUTHORIZE, side: "server" },
        { code: "INVALID_PLAINTEXT", method: "/sz.examples.v1.PaymentService/Watch", side: "server" },
        { code: "INVALID_PLAINTEXT", method: "/sz.examples.v1.PaymentService/Exchange", side: "server" },
        { code: "DECRYPT_FAILED", method: "/sz.examples.v1.PaymentService/Upload", side: "server" },
        { code: "DECRYPT_FAILED", method: "/sz.examples.v1.PaymentService/Exchange", side: "server" },
        { code: "INVALID_PLAINTEXT", method: AUTHORIZE, side: "client" },
        { code: "INVALID_PLAINTEXT", method: "/sz.examples.v1.PaymentService/Upload", side: "client" },
      ]);
    });
  });
}

describe("Connect: a response the client cannot decrypt, in a stream", () => {
  it("the messages before arrive, then Internal, and the clear value is never handed over", async () => {
    const good = createFieldCrypto({ key: KEY }).encryptMessage(PaymentSchema, expected(1));
    // A server without szcrypt: its stream carries a card number in the clear second.
    const server = await startConnectServer([], (seen) => ({
      ...connectPaymentHandlers(seen),
      async *watch() {
        yield good;
        yield create(PaymentSchema, { cardNumber: `${CANARY} in the clear` });
        yield good;
      },
    }));
    try {
      const client = createClient(PaymentService, transport("grpc", server.port, [createConnectClientInterceptor({ key: KEY })]));
      const r = await drain(client.watch({ count: 3 }, { timeoutMs: 10_000 }));
      assert.equal(r.error?.code, Code.Internal);
      assert.match(r.error?.rawMessage ?? "", /^szcrypt: response sensitive field card_number .* could not be decrypted$/);
      assert.deepEqual(r.received, [expected(1)]);
    } finally {
      await server.close();
    }
  });
});

describe("Connect: per-method policy and onError hooks", () => {
  it("a method's own format applies to it alone; others keep the service-wide one", async () => {
    const methods = { [AUTHORIZE]: { format: "szc1" as const } };
    const services = [PaymentService]; // what the per-method paths are checked against
    const server = await startConnectServer([createConnectServerInterceptor({ key: KEY, services, methods })]);
    try {
      const both = createClient(
        PaymentService,
        transport("connect", server.port, [createConnectClientInterceptor({ key: KEY, services, methods })]),
      );
      const legacy = createClient(PaymentService, transport("connect", server.port, [createConnectClientInterceptor({ key: KEY })]));
      assert.deepEqual(await both.authorize(samplePayment(1), { timeoutMs: 10_000 }), expected(1));
      assert.match(server.seen.at(-1)?.cardNumber ?? "", /^SZSECRET-/);
      assert.equal((await both.upload(items([samplePayment(2)]), { timeoutMs: 10_000 })).count, 1);
      const refused = await failure(legacy.authorize(samplePayment(3), { timeoutMs: 10_000 }));
      assert.equal(refused.code, Code.InvalidArgument, "Authorize takes only szc1");
      assert.equal((await legacy.upload(items([samplePayment(4)]), { timeoutMs: 10_000 })).count, 1, "Upload takes legacy-cbc");
    } finally {
      await server.close();
    }
  });

  it("an onError hook that throws does not change the call's outcome", async () => {
    let calls = 0;
    const throwing = () => {
      calls++;
      throw new Error("logging is down");
    };
    const server = await startConnectServer([createConnectServerInterceptor({ key: KEY, onError: throwing })]);
    try {
      const plain = createClient(PaymentService, transport("grpc", server.port, []));
      const e = await failure(plain.authorize({ cardNumber: "4111 in the clear" }, { timeoutMs: 10_000 }));
      assert.equal(e.code, Code.InvalidArgument);
      assert.equal(e.rawMessage, CANNOT_DECRYPT_REQUEST);
      const client = createClient(
        PaymentService,
        transport("grpc", server.port, [createConnectClientInterceptor({ key: KEY, onError: throwing })]),
      );
      const local = await failure(client.authorize({ cardholder: "\ud800" }, { timeoutMs: 10_000 }));
      assert.equal(local.code, Code.InvalidArgument);
      assert.match(local.rawMessage, /could not be encrypted, so nothing was sent/);
      assert.equal(calls, 2);
      assert.deepEqual(await client.authorize(samplePayment(5), { timeoutMs: 10_000 }), expected(5));
    } finally {
      await server.close();
    }
  });
});
