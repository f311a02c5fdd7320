import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { credentials, Metadata, ServerInterceptingCall, type ServerInterceptor, status } from "@grpc/grpc-js";
import { createFieldCrypto, decryptLegacyBytes, encryptLegacyBytes, isSzcryptError, Keyring, parseKeySpec } from "@szcrypt/core";
import { grpcPaymentHandlers, type Payment, PaymentSchema, PaymentService, paymentId } from "@szcrypt/example";
import {
  bidi,
  clientStream,
  grpcServerFor,
  onlyCardNumber,
  type PaymentClient,
  type RunningServer,
  samplePayment,
  unary,
} from "@szcrypt/testing";
import { createGrpcClient } from "./client.js";
import { createClientInterceptor } from "./client-interceptor.js";
import { createServerInterceptor } from "./server-interceptor.js";
import { createGrpcServiceDefinition } from "./service-definition.js";

const startPaymentServer = grpcServerFor(createGrpcServiceDefinition(PaymentService));

const KEY = parseKeySpec("hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const OTHER_KEY = parseKeySpec("hex:ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100");

function client(port: number, interceptors = [createClientInterceptor({ key: KEY })]): PaymentClient {
  return createGrpcClient(PaymentService, `127.0.0.1:${port}`, credentials.createInsecure(), { interceptors });
}

/** What Authorize should return for a sample: the sample as sent, with its id set. */
function expectedAuthorized(n: number): Payment {
  const p = create(PaymentSchema, samplePayment(n));
  return { ...p, id: paymentId(p.cardNumber) };
}

async function rejection(promise: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { code: number; details: string };
    assert.notEqual(e.code, status.DEADLINE_EXCEEDED, "the call hung until its deadline");
    return { code: e.code, details: e.details };
  }
  assert.fail("the call should have failed");
}

describe("failures end the call with a status, never hang, never pass a value through", () => {
  let server: RunningServer;
  let plainClient: PaymentClient;
  const received: string[] = [];
  // Outermost interceptor: records every request message that reaches the server at all.
  const counting: ServerInterceptor = (_method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            received.push((message as Payment).cardholder ?? "");
            nextMessage(message);
          },
        }),
    });

  before(async () => {
    server = await startPaymentServer([counting, createServerInterceptor({ key: KEY })]);
    plainClient = client(server.port, []);
  });
  after(async () => {
    plainClient.close();
    await server.close();
  });

  // Each way a card_number can fail to decrypt on the server.
  const token = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
  const cases: [string, () => string][] = [
    ["plaintext where ciphertext belongs", () => "4111-1111-1111-1111"],
    [
      "bad padding",
      () => {
        const raw = encryptLegacyBytes(Buffer.from("4111-1111"), KEY);
        raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 0x55;
        return token(raw);
      },
    ],
    [
      "wrong key",
      () => {
        // A wrong key fails the padding check but for ~1 in 256 IVs; draw until it does.
        for (;;) {
          const raw = encryptLegacyBytes(Buffer.from("4111-1111"), OTHER_KEY);
          try {
            decryptLegacyBytes(raw, KEY);
          } catch {
            return token(raw);
          }
        }
      },
    ],
    ["bad UTF-8", () => token(encryptLegacyBytes(Buffer.from([0xc3, 0x28, 0xff]), KEY))],
    ["truncated", () => token(encryptLegacyBytes(Buffer.from("4111"), KEY)).slice(0, 24)],
  ];

  it("answers INVALID_ARGUMENT naming the field, identical for every cause, and never calls the handler", async () => {
    const seen = new Set<string>();
    const handlerCallsBefore = server.calls.length;
    for (const [label, make] of cases) {
      const bad = onlyCardNumber(make());
      const result = await rejection(unary(plainClient, bad));
      assert.equal(result.code, status.INVALID_ARGUMENT, label);
      seen.add(JSON.stringify(result));
    }
    assert.equal(seen.size, 1, `every cause must look the same: ${[...seen].join(" | ")}`);
    assert.match(
      [...seen][0] ?? "",
      /request sensitive field card_number \(sz\.examples\.v1\.Payment\.card_number\) could not be decrypted/,
    );
    assert.equal(server.calls.length, handlerCallsBefore, "the handler was called");
  });

  it("names nested paths", async () => {
    const bad = create(PaymentSchema, { previous: [{ line1: "" }, { line1: "not a token" }] });
    const result = await rejection(unary(plainClient, bad));
    assert.equal(result.code, status.INVALID_ARGUMENT);
    assert.match(result.details, /previous\[1\]\.line1 \(sz\.examples\.v1\.Address\.line1\)/);
  });

  it("a client with another key gets the same status; the server's handler never runs", async () => {
    const other = client(server.port, [createClientInterceptor({ key: OTHER_KEY })]);
    try {
      const before = server.calls.length;
      const result = await rejection(unary(other, samplePayment(1)));
      assert.equal(result.code, status.INVALID_ARGUMENT);
      assert.equal(server.calls.length, before);
    } finally {
      other.close();
    }
  });

  it("stops a bidi stream at the first bad message; earlier ones were handled", async () => {
    const good = createFieldCrypto({ key: KEY });
    const messages = [samplePayment(1), samplePayment(2)].map((p) => good.encryptMessage(PaymentSchema, create(PaymentSchema, p)));
    const before = server.calls.length;
    const result = await rejection(bidi(plainClient, [...messages, { cardNumber: "plain" }, messages[0] as Payment]));
    assert.equal(result.code, status.INVALID_ARGUMENT);
    assert.equal(server.calls.length, before + 2, "only the two good messages reached the handler");
  });

  it("a request that cannot be encrypted fails locally and sends nothing", async () => {
    const c = client(server.port);
    try {
      const before = received.length;
      const result = await rejection(unary(c, { ...samplePayment(3), cardholder: "CANARY-7731 \ud800" }));
      assert.equal(result.code, status.INVALID_ARGUMENT);
      assert.match(result.details, /request sensitive field cardholder .* could not be encrypted, so nothing was sent/);
      assert.ok(!result.details.includes("CANARY-7731"), "the value is not quoted");
      assert.equal(received.length, before, "a message reached the server");
      // The same client still works afterwards.
      assert.deepEqual(await unary(c, samplePayment(3)), expectedAuthorized(3));
    } finally {
      c.close();
    }
  });

  it("a streaming request that cannot be encrypted fails the stream and sends nothing more", async () => {
    const c = client(server.port);
    try {
      const result = await rejection(clientStream(c, [samplePayment(1), { cardNumber: "\udc00" }, samplePayment(2)]));
      assert.equal(result.code, status.INVALID_ARGUMENT);
    } finally {
      c.close();
    }
  });
});

describe("responses the client cannot decrypt", () => {
  let server: RunningServer;
  before(async () => {
    // No interceptor, and a handler that answers with a card number in the clear.
    server = await startPaymentServer([], () => ({
      ...grpcPaymentHandlers(),
      authorize: (_call: unknown, cb: (e: null, v: Payment) => void) =>
        cb(null, create(PaymentSchema, { cardNumber: "4111 in the clear" })),
    }));
  });
  after(() => server.close());

  it("fail the call with INTERNAL, and the value is never handed to the caller", async () => {
    const c = client(server.port);
    try {
      const result = await rejection(unary(c, samplePayment(2)));
      assert.equal(result.code, status.INTERNAL);
      assert.match(result.details, /response sensitive field card_number .* could not be decrypted/);
      assert.ok(!result.details.includes("4111"));
    } finally {
      c.close();
    }
  });
});

describe("a server stream whose second message the client cannot decrypt", () => {
  it("ends with INTERNAL after the first message, without hanging", async () => {
    const good = createFieldCrypto({ key: KEY }).encryptMessage(PaymentSchema, create(PaymentSchema, samplePayment(1)));
    const server = await startPaymentServer([], () => ({
      ...grpcPaymentHandlers(),
      watch: (call: { write(p: Payment): void; end(): void }) => {
        call.write(good);
        call.write(create(PaymentSchema, { cardNumber: "4111 in the clear" }));
        call.write(good);
        call.end();
      },
    }));
    const c = client(server.port);
    try {
      const received: Payment[] = [];
      const result = await rejection(
        new Promise((resolve, reject) => {
          const stream = c.watch({ count: 3 }, new Metadata(), { deadline: Date.now() + 10_000 });
          stream.on("data", (p: Payment) => received.push(p));
          stream.on("error", reject);
          stream.on("end", resolve);
        }),
      );
      assert.equal(result.code, status.INTERNAL);
      assert.match(result.details, /response sensitive field card_number .* could not be decrypted/);
      assert.deepEqual(received, [create(PaymentSchema, samplePayment(1))], "only the message before the bad one");
    } finally {
      c.close();
      await server.close();
    }
  });
});

describe("configuration", () => {
  it("reads SZCRYPT_KEY by default and refuses to start without a key", () => {
    const saved = process.env["SZCRYPT_KEY"];
    try {
      delete process.env["SZCRYPT_KEY"];
      assert.throws(
        () => createClientInterceptor(),
        (err: unknown) => isSzcryptError(err, "KEY_UNAVAILABLE") && /SZCRYPT_KEY/.test(err.message),
      );
      assert.throws(
        () => createServerInterceptor(),
        (err: unknown) => isSzcryptError(err, "KEY_UNAVAILABLE"),
      );
      process.env["SZCRYPT_KEY"] = "39b96ec8e9f303bfbb14917b232866d5";
      assert.throws(
        () => createServerInterceptor(),
        (err: unknown) => isSzcryptError(err, "KEY_INVALID") && /two readings/.test(err.message),
      );
      process.env["SZCRYPT_KEY"] = "utf8:39b96ec8e9f303bfbb14917b232866d5";
      assert.equal(typeof createServerInterceptor(), "function");
    } finally {
      if (saved === undefined) {
        delete process.env["SZCRYPT_KEY"];
      } else {
        process.env["SZCRYPT_KEY"] = saved;
      }
    }
  });

  it("gives the server's keyForCall the caller's address as `peer`", async () => {
    const peers: (string | undefined)[] = [];
    const server = await startPaymentServer([
      createServerInterceptor({
        keyForCall: (call) => {
          peers.push(call.peer);
          return KEY;
        },
      }),
    ]);
    const c = client(server.port);
    try {
      assert.deepEqual(await unary(c, samplePayment(1)), expectedAuthorized(1));
    } finally {
      c.close();
      await server.close();
    }
    assert.equal(peers.length, 1);
    assert.match(peers[0] ?? "", /^127\.0\.0\.1:\d+$/);
  });

  it("rejects a method it has no schema for, unless its path is listed to pass", async () => {
    const { Server, ServerCredentials, makeGenericClientConstructor } = await import("@grpc/grpc-js");
    const definition = {
      ping: {
        path: "/other.v1.Other/Ping",
        requestStream: false,
        responseStream: false,
        requestSerialize: (v: Buffer) => v,
        requestDeserialize: (v: Buffer) => v,
        responseSerialize: (v: Buffer) => v,
        responseDeserialize: (v: Buffer) => v,
      },
    };
    const start = async (unknownMethods: "reject" | { pass: string[] }) => {
      const server = new Server({ interceptors: [createServerInterceptor({ key: KEY, unknownMethods })] });
      server.addService(definition, { ping: (call: { request: Buffer }, cb: (e: null, v: Buffer) => void) => cb(null, call.request) });
      const port = await new Promise<number>((res, rej) =>
        server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
      );
      const Ctor = makeGenericClientConstructor(definition, "Other");
      const c = new Ctor(`127.0.0.1:${port}`, credentials.createInsecure(), {
        interceptors: [createClientInterceptor({ key: KEY, unknownMethods })],
      });
      const call = () =>
        new Promise<{ code?: number; value?: Buffer }>((res) =>
          (c as unknown as { ping: (r: Buffer, o: object, cb: (e: { code: number } | null, v?: Buffer) => void) => void }).ping(
            Buffer.from("hi"),
            { deadline: Date.now() + 5000 },
            (e, v) => res(e ? { code: e.code } : { value: v as Buffer }),
          ),
        );
      return { server, c, call };
    };
    const strict = await start("reject");
    assert.equal((await strict.call()).code, status.FAILED_PRECONDITION);
    strict.c.close();
    strict.server.forceShutdown();
    const listed = await start({ pass: ["/other.v1.Other/Ping"] });
    assert.equal((await listed.call()).value?.toString(), "hi");
    listed.c.close();
    listed.server.forceShutdown();
    // Passing is per path: a list naming other methods still rejects this one.
    const elsewhere = await start({ pass: ["/grpc.health.v1.Health/Check"] });
    assert.equal((await elsewhere.call()).code, status.FAILED_PRECONDITION);
    elsewhere.c.close();
    elsewhere.server.forceShutdown();
    // The old catch-all is refused at creation, saying what to write instead.
    const catchAll = { key: KEY, unknownMethods: "pass" } as unknown as Parameters<typeof createServerInterceptor>[0];
    assert.throws(
      () => createServerInterceptor(catchAll),
      (err: unknown) => isSzcryptError(err, "CONFIG_INVALID") && /pass: \[/.test(err.message),
    );
    assert.throws(() => createClientInterceptor({ key: KEY, unknownMethods: { pass: ["Ping"] } }), /gRPC path/);
  });
});

describe("szc1 policies through the interceptors", () => {
  const ring = (primary: string, ...ids: string[]) =>
    new Keyring({
      keys: ids.map((id) => parseKeySpec(`hex:${Buffer.alloc(32, id.charCodeAt(0)).toString("hex")}`, { id })),
      primary,
      legacy: ids[0] ?? primary,
    });

  it("a migrating server accepts legacy and szc1 clients; a strict one refuses legacy with the usual status", async () => {
    const keys = ring("a", "a");
    const migrating = await startPaymentServer([createServerInterceptor({ key: keys, format: "szc1", accept: ["szc1", "legacy-cbc"] })]);
    const strict = await startPaymentServer([createServerInterceptor({ key: keys, format: "szc1" })]);
    const legacyClient = (port: number) =>
      client(port, [createClientInterceptor({ key: keys, format: "legacy-cbc", accept: ["legacy-cbc", "szc1"] })]);
    const szc1Client = (port: number) => client(port, [createClientInterceptor({ key: keys, format: "szc1" })]);
    const clients = [legacyClient(migrating.port), szc1Client(migrating.port), legacyClient(strict.port)];
    try {
      assert.deepEqual(await unary(clients[0] as PaymentClient, samplePayment(1)), expectedAuthorized(1));
      assert.deepEqual(await unary(clients[1] as PaymentClient, samplePayment(2)), expectedAuthorized(2));
      const refused = await rejection(unary(clients[2] as PaymentClient, samplePayment(3)));
      assert.equal(refused.code, status.INVALID_ARGUMENT);
      assert.match(refused.details, /request sensitive field card_number .* could not be decrypted/);
    } finally {
      for (const c of clients) {
        c.close();
      }
      await migrating.close();
      await strict.close();
    }
  });

  it("applies a per-method policy over the service-wide one", async () => {
    const keys = ring("a", "a");
    const path = "/sz.examples.v1.PaymentService/Authorize";
    const services = [PaymentService];
    const server = await startPaymentServer([createServerInterceptor({ key: keys, services, methods: { [path]: { format: "szc1" } } })]);
    const both = client(server.port, [createClientInterceptor({ key: keys, services, methods: { [path]: { format: "szc1" } } })]);
    const legacyOnly = client(server.port, [createClientInterceptor({ key: keys })]);
    try {
      assert.deepEqual(await unary(both, samplePayment(1)), expectedAuthorized(1));
      assert.equal((await clientStream(both, [samplePayment(2)])).count, 1);
      assert.equal((await rejection(unary(legacyOnly, samplePayment(3)))).code, status.INVALID_ARGUMENT, "Authorize takes only szc1");
      assert.equal((await clientStream(legacyOnly, [samplePayment(4)])).count, 1, "Upload still takes legacy-cbc");
      assert.throws(
        () => createServerInterceptor({ key: keys, services, methods: { Authorize: { format: "szc1" } } }),
        /keyed by gRPC path/,
      );
      // A typo would leave legacy-cbc accepted where szc1 only was meant: refused at creation.
      assert.throws(
        () => createServerInterceptor({ key: keys, services, methods: { "/sz.examples.v1.PaymentService/Authorise": { format: "szc1" } } }),
        /matches no known method/,
      );
    } finally {
      both.close();
      legacyOnly.close();
      await server.close();
    }
  });

  it("walks a key rotation across a client and a server: add, promote, retire", async () => {
    // Step 0: both sides hold only k1.
    let serverRing = ring("1", "1");
    let clientRing = ring("1", "1");
    const server = await startPaymentServer([createServerInterceptor({ key: () => serverRing, format: "szc1" })]);
    const c = client(server.port, [createClientInterceptor({ key: () => clientRing, format: "szc1" })]);
    try {
      assert.deepEqual(await unary(c, samplePayment(1)), expectedAuthorized(1));
      // 1. add k2 everywhere (k1 still primary).
      serverRing = ring("1", "1", "2");
      clientRing = ring("1", "1", "2");
      assert.deepEqual(await unary(c, samplePayment(2)), expectedAuthorized(2));
      // 2. promote k2 on the client first: the server already holds it.
      clientRing = ring("2", "1", "2");
      assert.deepEqual(await unary(c, samplePayment(3)), expectedAuthorized(3));
      serverRing = ring("2", "1", "2");
      assert.deepEqual(await unary(c, samplePayment(4)), expectedAuthorized(4));
      // 3. retire k1 on the server: a client still writing k1 is refused, one on k2 is served.
      serverRing = ring("2", "2");
      clientRing = ring("1", "1", "2");
      assert.equal((await rejection(unary(c, samplePayment(5)))).code, status.INVALID_ARGUMENT);
      clientRing = ring("2", "2");
      assert.deepEqual(await unary(c, samplePayment(6)), expectedAuthorized(6));
    } finally {
      c.close();
      await server.close();
    }
  });
});
