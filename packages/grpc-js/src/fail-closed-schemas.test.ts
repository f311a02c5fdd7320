// Any, proto2 presence and nesting limits through a real grpc-js client and server.
// The schemas are core's private test fixtures, read from its build (they are
// not part of any package's public surface).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, createRegistry, type DescService, fromBinary, isFieldSet, toBinary } from "@bufbuild/protobuf";
import { type Any, anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import {
  credentials,
  type Interceptor,
  Metadata,
  makeGenericClientConstructor,
  Server,
  ServerCredentials,
  type ServerInterceptor,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { decryptLegacy, parseKeySpec } from "@szcrypt/core";
import { type Card, CardSchema, type Envelope, EnvelopeSchema, EnvelopeService } from "@szcrypt/testing/gen/sz/testing/v1/packed_pb.js";
import { type Legacy, LegacySchema, LegacyService } from "@szcrypt/testing/gen/sz/testing/v1/presence_pb.js";
import { type Node, NodeSchema, NodeService } from "@szcrypt/testing/gen/sz/testing/v1/shapes_pb.js";
import { StraySchema } from "@szcrypt/testing/gen/sz/testing/v1/stray_pb.js";
import { createGrpcClient } from "./client.js";
import { createClientInterceptor } from "./client-interceptor.js";
import { createServerInterceptor } from "./server-interceptor.js";
import { createGrpcServiceDefinition } from "./service-definition.js";

const KEY = parseKeySpec("hex:2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40");

interface Echo<T> {
  readonly port: number;
  /** What the handler received, in order. */
  readonly seen: T[];
  /** Set to replace what the handler answers. */
  answer: ((request: T) => T) | undefined;
  close(): void;
}

async function startEcho<T>(service: DescService, interceptors: ServerInterceptor[]): Promise<Echo<T>> {
  const server = new Server({ interceptors });
  const echo: Echo<T> = { port: 0, seen: [], answer: undefined, close: () => server.forceShutdown() };
  server.addService(createGrpcServiceDefinition(service), {
    echo: (call: { request: T }, cb: (e: null, v: T) => void) => {
      echo.seen.push(call.request);
      cb(null, echo.answer === undefined ? call.request : echo.answer(call.request));
    },
  });
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  return Object.assign(echo, { port });
}

function caller<T>(service: DescService, port: number, interceptors: Interceptor[]) {
  const client = createGrpcClient(service, `127.0.0.1:${port}`, credentials.createInsecure(), { interceptors }) as unknown as {
    echo(r: T, m: Metadata, o: object, cb: (e: ServiceError | null, v?: T) => void): void;
    close(): void;
  };
  const call = (request: T) =>
    new Promise<{ value?: T; code?: number; details?: string }>((resolve) =>
      client.echo(request, new Metadata(), { deadline: Date.now() + 20_000 }, (e, v) =>
        resolve(e ? { code: e.code, details: e.details } : { value: v as T }),
      ),
    );
  return { call, close: () => client.close() };
}

const secretField = LegacySchema.fields.find((f) => f.name === "secret");

describe("proto2 defaults through grpc-js", () => {
  let server: Echo<Legacy>;
  before(async () => {
    server = await startEcho<Legacy>(LegacyService, [createServerInterceptor({ key: KEY })]);
  });
  after(() => server.close());

  it("an unset sensitive field with a default stays unset on both sides, from a szcrypt client or not", async () => {
    assert.ok(secretField !== undefined);
    for (const interceptors of [[createClientInterceptor({ key: KEY })], []]) {
      const { call, close } = caller<Legacy>(LegacyService, server.port, interceptors);
      const r = await call(create(LegacySchema, { plain: "hello" }));
      close();
      assert.equal(r.code, undefined, r.details);
      const seen = server.seen.at(-1);
      assert.ok(seen !== undefined && !isFieldSet(seen, secretField), "the handler sees it unset");
      assert.equal(seen.secret, "abc", "and reads the declared default");
      assert.ok(r.value !== undefined && !isFieldSet(r.value, secretField), "the caller gets it back unset");
    }
  });

  it("a set one crosses encrypted and arrives as sent", async () => {
    const { call, close } = caller<Legacy>(LegacyService, server.port, [createClientInterceptor({ key: KEY })]);
    const r = await call(create(LegacySchema, { secret: "abc", plain: "p" }));
    close();
    assert.equal(r.value?.secret, "abc");
    assert.ok(r.value !== undefined && secretField !== undefined && isFieldSet(r.value, secretField));
  });
});

describe("google.protobuf.Any through grpc-js", () => {
  const card = (number: string, extra?: Any): Card => create(CardSchema, { number, ...(extra === undefined ? {} : { extra }) });
  const packedNumber = (e: Envelope | undefined) => (e?.payload === undefined ? undefined : anyUnpack(e.payload, CardSchema)?.number);
  /** A Card packing a Card … `levels` times, so the Envelope's deepest message is `levels + 1` below it. */
  const nestPacked = (levels: number): Any => {
    let any = anyPack(CardSchema, card("deepest"));
    for (let i = 0; i < levels; i++) {
      any = anyPack(CardSchema, card("", any));
    }
    return any;
  };
  let plainServer: Echo<Envelope>;
  let server: Echo<Envelope>;
  before(async () => {
    plainServer = await startEcho<Envelope>(EnvelopeService, []);
    server = await startEcho<Envelope>(EnvelopeService, [createServerInterceptor({ key: KEY })]);
  });
  after(() => {
    plainServer.close();
    server.close();
  });

  it("a packed sensitive field crosses encrypted and reaches the handler decrypted", async () => {
    const toPlain = caller<Envelope>(EnvelopeService, plainServer.port, [createClientInterceptor({ key: KEY })]);
    await toPlain.call(create(EnvelopeSchema, { payload: anyPack(CardSchema, card("4111-1111")) }));
    toPlain.close();
    const onWire = packedNumber(plainServer.seen.at(-1));
    assert.ok(onWire !== undefined && onWire !== "4111-1111", "not in plaintext on the wire");
    assert.equal(decryptLegacy(onWire, KEY), "4111-1111");

    const { call, close } = caller<Envelope>(EnvelopeService, server.port, [createClientInterceptor({ key: KEY })]);
    const r = await call(create(EnvelopeSchema, { payload: anyPack(CardSchema, card("4111-2222")) }));
    close();
    assert.equal(packedNumber(server.seen.at(-1)), "4111-2222");
    assert.equal(packedNumber(r.value), "4111-2222");
  });

  it("an unknown packed type: refused before sending, INVALID_ARGUMENT from a server, INTERNAL from a response", async () => {
    const stray = create(EnvelopeSchema, { payload: anyPack(StraySchema, create(StraySchema, { secret: "stray-secret" })) });
    const before = server.seen.length;
    const guarded = caller<Envelope>(EnvelopeService, server.port, [createClientInterceptor({ key: KEY })]);
    const local = await guarded.call(stray);
    assert.equal(local.code, status.INVALID_ARGUMENT);
    assert.match(local.details ?? "", /payload/);

    const raw = caller<Envelope>(EnvelopeService, server.port, []);
    const remote = await raw.call(stray);
    raw.close();
    assert.equal(remote.code, status.INVALID_ARGUMENT);
    assert.match(remote.details ?? "", /payload.*sz\.testing\.v1\.Stray|sz\.testing\.v1\.Stray.*payload/);
    assert.ok(!(remote.details ?? "").includes("stray-secret"));
    assert.equal(server.seen.length, before, "the handler was never called");

    server.answer = () => stray;
    try {
      const response = await guarded.call(create(EnvelopeSchema, { label: "x" }));
      assert.equal(response.code, status.INTERNAL);
      assert.match(response.details ?? "", /payload/);
    } finally {
      server.answer = undefined;
      guarded.close();
    }
  });

  it("the interceptor options reach the walk: allowUnknownAny and registry", async () => {
    const stray = create(EnvelopeSchema, { payload: anyPack(StraySchema, create(StraySchema, { secret: "stray-secret" })) });
    const lenient = caller<Envelope>(EnvelopeService, plainServer.port, [
      createClientInterceptor({ key: KEY, allowUnknownAny: ["sz.testing.v1.Stray"] }),
    ]);
    assert.equal((await lenient.call(stray)).code, undefined, "allowed explicitly: passes untouched");
    lenient.close();
    assert.equal(plainServer.seen.at(-1)?.payload?.value.length, stray.payload?.value.length);

    const registry = createRegistry(EnvelopeSchema.file, StraySchema.file, ...EnvelopeSchema.file.dependencies);
    const knowing = caller<Envelope>(EnvelopeService, plainServer.port, [createClientInterceptor({ key: KEY, registry })]);
    assert.equal((await knowing.call(stray)).code, undefined);
    knowing.close();
    const seen = plainServer.seen.at(-1)?.payload;
    const secret = seen === undefined ? undefined : anyUnpack(seen, StraySchema)?.secret;
    assert.equal(decryptLegacy(secret ?? "", KEY), "stray-secret", "known through the registry: encrypted");
  });

  it("Any in Any: 16 levels cross, 17 are INVALID_ARGUMENT at the server", async () => {
    const guarded = caller<Envelope>(EnvelopeService, server.port, [createClientInterceptor({ key: KEY })]);
    const raw = caller<Envelope>(EnvelopeService, server.port, []);
    try {
      // The Envelope's payload is the first level: a chain of 15 more below it.
      const ok = await guarded.call(create(EnvelopeSchema, { payload: nestPacked(15) }));
      assert.equal(ok.code, undefined, ok.details);
      const remote = await raw.call(create(EnvelopeSchema, { payload: nestPacked(16) }));
      assert.equal(remote.code, status.INVALID_ARGUMENT, "the server refuses the caller's input");
      assert.match(remote.details ?? "", /Any values nest more than 16/);
    } finally {
      guarded.close();
      raw.close();
    }
  });
});

describe("nesting over the limit through grpc-js", () => {
  // protobuf-es decodes 100 levels by default: this service decodes deeper, so
  // that szcrypt's own limit is what a server meets.
  const definition = createGrpcServiceDefinition(NodeService);
  const deep = (bytes: Buffer) => fromBinary(NodeSchema, bytes, { recursionLimit: 5000 });
  for (const method of Object.values(definition)) {
    Object.assign(method, { requestDeserialize: deep, responseDeserialize: deep });
  }
  const nest = (levels: number): Node => {
    let node = create(NodeSchema, { secret: "deepest" });
    for (let i = 0; i < levels; i++) {
      node = create(NodeSchema, { children: [node] });
    }
    return node;
  };
  let server: Server;
  let port = 0;
  const seen: Node[] = [];
  before(async () => {
    // Found by path through `services`: this definition's serializers carry no schema.
    server = new Server({ interceptors: [createServerInterceptor({ key: KEY, services: [NodeService] })] });
    server.addService(definition, {
      echo: (call: { request: Node }, cb: (e: null, v: Node) => void) => {
        seen.push(call.request);
        cb(null, call.request);
      },
    });
    port = await new Promise<number>((res, rej) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
    );
  });
  after(() => server.forceShutdown());

  const call = (interceptors: Interceptor[], node: Node) => {
    const Ctor = makeGenericClientConstructor(definition, "NodeService");
    const client = new Ctor(`127.0.0.1:${port}`, credentials.createInsecure(), { interceptors }) as unknown as {
      echo(r: Node, o: object, cb: (e: ServiceError | null, v?: Node) => void): void;
      close(): void;
    };
    return new Promise<{ value?: Node; code?: number; details?: string }>((resolve) =>
      client.echo(node, { deadline: Date.now() + 20_000 }, (e, v) => {
        client.close();
        resolve(e ? { code: e.code, details: e.details } : { value: v as Node });
      }),
    );
  };
  const guarded = () => [createClientInterceptor({ key: KEY, services: [NodeService] })];
  // assert.deepEqual overflows the stack at this depth: compare bytes.
  const bytes = (n: Node | undefined) => Buffer.from(n === undefined ? [] : toBinary(NodeSchema, n));

  it("1000 levels cross both ways", async () => {
    const r = await call(guarded(), nest(1000));
    assert.equal(r.code, undefined, r.details);
    assert.ok(bytes(r.value).equals(bytes(nest(1000))));
  });

  it("1001 levels: refused on the client, and INVALID_ARGUMENT from a server (was FAILED_PRECONDITION)", async () => {
    const local = await call(guarded(), nest(1001));
    assert.equal(local.code, status.INVALID_ARGUMENT, "refused before sending");
    const before = seen.length;
    const remote = await call([], nest(1001));
    assert.equal(remote.code, status.INVALID_ARGUMENT);
    assert.match(remote.details ?? "", /more than 1000 levels/);
    assert.equal(seen.length, before, "the handler was never called");
  });
});
