// Per-method policy and how the interceptors find a method's schema: `accept`-
// only overrides and what an override inherits from the service-wide policy,
// the `services` option for definitions szcrypt did not make, and the no-hooks
// path for methods with nothing sensitive.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createFileRegistry, type DescMessage, type DescService, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, file_google_protobuf_wrappers } from "@bufbuild/protobuf/wkt";
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { createFieldCrypto, Keyring, parseKeySpec } from "@szcrypt/core";
import { grpcPaymentHandlers, type Payment, PaymentSchema, PaymentService, paymentId } from "@szcrypt/example";
import { clientStream, grpcServerFor, type RunningServer, SENSITIVE_MARK, samplePayment, unary } from "@szcrypt/testing";
import { createGrpcClient } from "./client.js";
import { createClientInterceptor } from "./client-interceptor.js";
import type { SzcryptGrpcOptions } from "./options.js";
import { createServerInterceptor } from "./server-interceptor.js";
import { createGrpcServiceDefinition } from "./service-definition.js";

const startPaymentServer = grpcServerFor(createGrpcServiceDefinition(PaymentService));

const KEYS = new Keyring({ keys: [parseKeySpec(`hex:${"5e".repeat(32)}`, { id: "k1" })], primary: "k1" });
const AUTHORIZE = "/sz.examples.v1.PaymentService/Authorize";
const legacy = createFieldCrypto({ key: KEYS, format: "legacy-cbc" });
const szc1 = createFieldCrypto({ key: KEYS, format: "szc1" });

function expected(n: number): Payment {
  const p = create(PaymentSchema, samplePayment(n));
  return { ...p, id: paymentId(p.cardNumber) };
}

async function code(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    return (err as ServiceError).code;
  }
}

/** Sends an already encrypted payment with no interceptor: the raw answer, still encrypted. */
async function raw(server: RunningServer, payment: Payment, method: "authorize" | "upload" = "authorize"): Promise<Payment | number> {
  const c = createGrpcClient(PaymentService, `127.0.0.1:${server.port}`, credentials.createInsecure());
  try {
    const call = method === "authorize" ? unary(c, payment) : clientStream(c, [payment]);
    return await (call as Promise<Payment>).catch((err: ServiceError) => err.code);
  } finally {
    c.close();
  }
}

describe("per-method policy through the interceptors", () => {
  const plain = (n: number) => create(PaymentSchema, samplePayment(n));

  it("an accept-only override widens what one method takes and keeps the service's format", async () => {
    const options: SzcryptGrpcOptions = {
      key: KEYS,
      format: "szc1",
      services: [PaymentService],
      methods: { [AUTHORIZE]: { accept: ["szc1", "legacy-cbc"] } },
    };
    const server = await startPaymentServer([createServerInterceptor(options)]);
    try {
      const answer = await raw(server, legacy.encryptMessage(PaymentSchema, plain(1)));
      assert.ok(typeof answer !== "number", `Authorize refused a legacy token: ${String(answer)}`);
      assert.match(answer.cardNumber, /^szc1:/, "the answer is written in the inherited format, szc1");
      assert.deepEqual(szc1.decryptMessage(PaymentSchema, answer), expected(1));
      assert.equal(
        await raw(server, legacy.encryptMessage(PaymentSchema, plain(2)), "upload"),
        status.INVALID_ARGUMENT,
        "Upload: szc1 only",
      );
      assert.ok(typeof (await raw(server, szc1.encryptMessage(PaymentSchema, plain(3)), "upload")) !== "number");
    } finally {
      await server.close();
    }
  });

  it("an override that names a format accepts only it, not the service's accept list", async () => {
    const options: SzcryptGrpcOptions = {
      key: KEYS,
      format: "szc1",
      accept: ["szc1", "legacy-cbc"],
      services: [PaymentService],
      methods: { [AUTHORIZE]: { format: "legacy-cbc" } },
    };
    const server = await startPaymentServer([createServerInterceptor(options)]);
    try {
      assert.equal(await raw(server, szc1.encryptMessage(PaymentSchema, plain(1))), status.INVALID_ARGUMENT, "Authorize: legacy-cbc only");
      const answer = await raw(server, legacy.encryptMessage(PaymentSchema, plain(2)));
      assert.ok(typeof answer !== "number");
      assert.doesNotMatch(answer.cardNumber, /^szc1:/, "Authorize answers in legacy-cbc");
      assert.deepEqual(legacy.decryptMessage(PaymentSchema, answer), expected(2));
      // The other methods keep the service-wide migration policy: both formats in.
      for (const crypto of [legacy, szc1]) {
        assert.ok(typeof (await raw(server, crypto.encryptMessage(PaymentSchema, plain(3)), "upload")) !== "number");
      }
    } finally {
      await server.close();
    }
  });

  it("an override that names both format and accept uses exactly those", async () => {
    const options: SzcryptGrpcOptions = {
      key: KEYS,
      services: [PaymentService],
      methods: { [AUTHORIZE]: { format: "szc1", accept: ["legacy-cbc", "szc1"] } },
    };
    const server = await startPaymentServer([createServerInterceptor(options)]);
    try {
      for (const crypto of [legacy, szc1]) {
        const answer = await raw(server, crypto.encryptMessage(PaymentSchema, plain(4)));
        assert.ok(typeof answer !== "number");
        assert.match(answer.cardNumber, /^szc1:/);
      }
      assert.equal(
        await raw(server, szc1.encryptMessage(PaymentSchema, plain(5)), "upload"),
        status.INVALID_ARGUMENT,
        "Upload: the default, legacy-cbc",
      );
    } finally {
      await server.close();
    }
  });
});

/** A method definition as another code generator makes it: not tagged by szcrypt, recording what it (de)serializes. */
function foreignDefinition(service: DescService, serialized: unknown[]): ServiceDefinition {
  const definition: Record<string, ServiceDefinition[string]> = {};
  const ser = (schema: DescMessage) => (value: unknown) => {
    serialized.push(value);
    const message = (value as { $typeName?: string }).$typeName === undefined ? create(schema, value as never) : value;
    return Buffer.from(toBinary(schema, message as never));
  };
  const de = (schema: DescMessage) => (bytes: Buffer) => fromBinary(schema, bytes);
  for (const m of service.methods) {
    definition[m.localName] = {
      path: `/${service.typeName}/${m.name}`,
      requestStream: m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming",
      responseStream: m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming",
      requestSerialize: ser(m.input),
      requestDeserialize: de(m.input),
      responseSerialize: ser(m.output),
      responseDeserialize: de(m.output),
    };
  }
  return definition;
}

async function serve(definition: ServiceDefinition, implementation: object, options: SzcryptGrpcOptions) {
  const server = new Server({ interceptors: [createServerInterceptor(options)] });
  server.addService(definition, implementation as never);
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  const Client = makeGenericClientConstructor(definition, "Foreign");
  const client = (o: SzcryptGrpcOptions) =>
    new Client(`127.0.0.1:${port}`, credentials.createInsecure(), { interceptors: [createClientInterceptor(o)] }) as unknown as Record<
      string,
      (r: unknown, m: Metadata, o: object, cb: (e: ServiceError | null, v?: unknown) => void) => void
    > & { close(): void };
  const call = (c: ReturnType<typeof client>, method: string, request: unknown) =>
    new Promise<unknown>((resolve, reject) =>
      c[method]?.(request, new Metadata(), { deadline: Date.now() + 10_000 }, (e, v) => (e ? reject(e) : resolve(v))),
    );
  return { server, client, call };
}

describe("the services option: definitions szcrypt did not make", () => {
  it("without it the method is refused; with it, found by path and protected both ways", async () => {
    const serialized: unknown[] = [];
    const seen: Payment[] = [];
    const handlers = grpcPaymentHandlers((_m, r) => seen.push(r as Payment));
    const strict = await serve(foreignDefinition(PaymentService, serialized), handlers, { key: KEYS });
    try {
      const unknown = strict.client({ key: KEYS });
      assert.equal(await code(strict.call(unknown, "authorize", samplePayment(1))), status.FAILED_PRECONDITION);
      unknown.close();
    } finally {
      strict.server.forceShutdown();
    }

    const s = await serve(foreignDefinition(PaymentService, serialized), handlers, { key: KEYS, services: [PaymentService] });
    const c = s.client({ key: KEYS, services: [PaymentService] });
    try {
      serialized.length = 0;
      assert.deepEqual(await s.call(c, "authorize", samplePayment(2)), expected(2));
      assert.deepEqual(seen.at(-1), create(PaymentSchema, samplePayment(2)), "the handler saw plaintext");
      // What went through the serializers, both ways, was encrypted.
      assert.equal(serialized.length, 2);
      for (const m of serialized) {
        assert.ok(!(m as Payment).cardNumber.includes(SENSITIVE_MARK), "a sensitive value was serialized in the clear");
      }
    } finally {
      c.close();
      s.server.forceShutdown();
    }
  });
});

describe("methods with nothing sensitive get no hooks", () => {
  // google.protobuf.StringValue in and out: no field szcrypt would touch.
  const registry = createFileRegistry(
    create(FileDescriptorProtoSchema, {
      name: "szcrypt/test/v1/clear.proto",
      package: "szcrypt.test.v1",
      syntax: "proto3",
      dependency: [file_google_protobuf_wrappers.proto.name],
      service: [
        {
          name: "Clear",
          method: [{ name: "Echo", inputType: ".google.protobuf.StringValue", outputType: ".google.protobuf.StringValue" }],
        },
      ],
    }),
    (name) => (name === file_google_protobuf_wrappers.proto.name ? file_google_protobuf_wrappers : undefined),
  );
  const ClearService = registry.getService("szcrypt.test.v1.Clear");

  it("the caller's request object goes to the serializer untouched, and the call works", async () => {
    assert.ok(ClearService);
    const serialized: unknown[] = [];
    const echo = {
      echo: (call: { request: { value: string } }, cb: (e: null, v: unknown) => void) => cb(null, { value: call.request.value }),
    };
    const s = await serve(foreignDefinition(ClearService, serialized), echo, { key: KEYS, services: [ClearService] });
    const c = s.client({ key: KEYS, services: [ClearService] });
    try {
      const request = { value: "nothing secret" };
      const answer = (await s.call(c, "echo", request)) as { value: string };
      assert.equal(answer.value, "nothing secret");
      // With hooks, the interceptor would have made a protobuf message of the plain object first.
      assert.equal(serialized[0], request, "the client interceptor handled a message it had nothing to do with");
    } finally {
      c.close();
      s.server.forceShutdown();
    }
  });
});
