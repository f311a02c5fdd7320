// One scenario over every transport: Connect clients over the gRPC and Connect
// protocols against a connect-node server, and on the wire against
// @szcrypt/grpc-js (a Connect client against a grpc-js server, and a grpc-js
// client against a connect-node server).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { credentials } from "@grpc/grpc-js";
import { parseKeySpec } from "@szcrypt/core";
import { runAllChecks } from "@szcrypt/demo/checks";
import { type Payment, PaymentSchema, PaymentService, paymentId, samplePayment } from "@szcrypt/example";
import { createClientInterceptor, createGrpcClient, createServerInterceptor } from "@szcrypt/grpc-js";
import { createConnectClientInterceptor, createConnectServerInterceptor } from "./interceptors.js";
import { type Running, startConnectServer, startGrpcJsServer } from "./test-support/servers.js";

const KEY = parseKeySpec("base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
const UNIFORM = "szcrypt: request sensitive field card_number (sz.examples.v1.Payment.card_number) could not be decrypted";

type Protocol = "grpc" | "connect" | "grpc-web";
function transport(protocol: Protocol, port: number, interceptors: Interceptor[]): Transport {
  const options = { baseUrl: `http://127.0.0.1:${port}`, httpVersion: "2" as const, interceptors };
  return protocol === "grpc"
    ? createGrpcTransport(options)
    : protocol === "connect"
      ? createConnectTransport(options)
      : createGrpcWebTransport(options);
}

function authorized(n: number): Payment {
  const p = create(PaymentSchema, samplePayment(n));
  return { ...p, id: paymentId(p.cardNumber) };
}

async function* items<T>(values: T[]): AsyncIterable<T> {
  yield* values;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) {
    out.push(v);
  }
  return out;
}

/** The shared scenario, for any Connect client. */
function scenario(
  name: string,
  setup: () => Promise<{ client: Client<typeof PaymentService>; plain: Client<typeof PaymentService>; server: Running }>,
) {
  describe(name, () => {
    let env: Awaited<ReturnType<typeof setup>>;
    before(async () => {
      env = await setup();
    });
    after(() => env.server.close());

    it("unary: the handler sees plaintext, the caller gets it back", async () => {
      assert.deepEqual(await env.client.authorize(samplePayment(0), { timeoutMs: 10_000 }), authorized(0));
      assert.deepEqual(env.server.seen.at(-1), create(PaymentSchema, samplePayment(0)));
    });

    it("client streaming", async () => {
      const summary = await env.client.upload(items([1, 2, 3].map(samplePayment)), { timeoutMs: 10_000 });
      assert.deepEqual(
        summary.ids,
        [1, 2, 3].map((n) => authorized(n).id),
      );
    });

    it("server streaming", async () => {
      const got = await collect(env.client.watch({ count: 3, template: samplePayment(4) }, { timeoutMs: 10_000 }));
      assert.deepEqual(got, [authorized(4), authorized(4), authorized(4)]);
    });

    it("bidi streaming, in order", async () => {
      const got = await collect(env.client.exchange(items([5, 6, 7].map(samplePayment)), { timeoutMs: 10_000 }));
      assert.deepEqual(got, [5, 6, 7].map(authorized));
    });

    it("a request the server cannot decrypt: InvalidArgument with the uniform message, handler not called", async () => {
      const before = env.server.seen.length;
      await assert.rejects(env.plain.authorize({ cardNumber: "4111 in the clear" }, { timeoutMs: 10_000 }), (err: unknown) => {
        const e = ConnectError.from(err);
        assert.equal(e.code, Code.InvalidArgument);
        assert.equal(e.rawMessage, UNIFORM);
        return true;
      });
      assert.equal(env.server.seen.length, before);
    });

    it("a request that cannot be encrypted fails locally", async () => {
      await assert.rejects(
        env.client.authorize({ ...samplePayment(1), cardholder: "\ud800" }),
        (err: unknown) => ConnectError.from(err).code === Code.InvalidArgument,
      );
    });
  });
}

for (const protocol of ["grpc", "connect", "grpc-web"] as const) {
  scenario(`Connect client (${protocol} protocol) → connect-node server`, async () => {
    const server = await startConnectServer([createConnectServerInterceptor({ key: KEY })]);
    return {
      server,
      client: createClient(PaymentService, transport(protocol, server.port, [createConnectClientInterceptor({ key: KEY })])),
      plain: createClient(PaymentService, transport(protocol, server.port, [])),
    };
  });
}

scenario("Connect client (gRPC protocol) → grpc-js server with @szcrypt/grpc-js", async () => {
  const server = await startGrpcJsServer([createServerInterceptor({ key: KEY })]);
  return {
    server,
    client: createClient(PaymentService, transport("grpc", server.port, [createConnectClientInterceptor({ key: KEY })])),
    plain: createClient(PaymentService, transport("grpc", server.port, [])),
  };
});

scenario("Connect client in szc1 → connect-node server in szc1", async () => {
  const server = await startConnectServer([createConnectServerInterceptor({ key: KEY, format: "szc1" })]);
  return {
    server,
    client: createClient(PaymentService, transport("connect", server.port, [createConnectClientInterceptor({ key: KEY, format: "szc1" })])),
    plain: createClient(PaymentService, transport("connect", server.port, [])),
  };
});

describe("grpc-js client with @szcrypt/grpc-js → connect-node server with @szcrypt/connect", () => {
  let server: Running;
  before(async () => {
    server = await startConnectServer([createConnectServerInterceptor({ key: KEY })]);
  });
  after(() => server.close());

  it("all four call kinds round-trip", async () => {
    const client = createGrpcClient(PaymentService, `127.0.0.1:${server.port}`, credentials.createInsecure(), {
      interceptors: [createClientInterceptor({ key: KEY })],
    });
    try {
      const results = await runAllChecks(client);
      assert.deepEqual(
        results.map((r) => [r.rpc, r.problems]),
        [
          ["Authorize", []],
          ["Upload", []],
          ["Watch", []],
          ["Exchange", []],
        ],
      );
    } finally {
      client.close();
    }
  });
});

describe("responses the Connect client cannot decrypt", () => {
  it("fail with Internal, and the value is never handed over", async () => {
    // A server without szcrypt whose handler answers a card number in the clear.
    const server = await startConnectServer([
      (next) => async (req) => {
        const res = await next(req);
        return res.stream ? res : { ...res, message: create(PaymentSchema, { cardNumber: "4111 in the clear" }) };
      },
    ]);
    try {
      const client = createClient(PaymentService, transport("grpc", server.port, [createConnectClientInterceptor({ key: KEY })]));
      await assert.rejects(client.authorize(samplePayment(1)), (err: unknown) => {
        const e = ConnectError.from(err);
        assert.equal(e.code, Code.Internal);
        assert.match(e.rawMessage, /response sensitive field card_number .* could not be decrypted/);
        assert.ok(!e.rawMessage.includes("4111"));
        return true;
      });
    } finally {
      await server.close();
    }
  });
});
