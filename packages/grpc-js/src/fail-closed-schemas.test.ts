// Any, proto2 presence and nesting through a real grpc-js client and server.
// The schemas are core's private test fixtures, read from its build (they are
// not part of any package's public surface).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, createRegistry, type DescService, isFieldSet } from "@bufbuild/protobuf";
import { type Any, anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import {
  credentials,
  type Interceptor,
  Metadata,
  Server,
  ServerCredentials,
  type ServerInterceptor,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { decryptLegacy, parseKeySpec } from "@szcrypt/core";
import { type Card, CardSchema, type Envelope, EnvelopeSchema, EnvelopeService } from "../../core/dist/gen/sz/testing/v1/packed_pb.js";
import { type Legacy, LegacySchema, LegacyService } from "../../core/dist/gen/sz/testing/v1/presence_pb.js";
import { StraySchema } from "../../core/dist/gen/sz/testing/v1/stray_pb.js";
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

  it("nesting through Any: 1000 levels cross, 1001 are INVALID_ARGUMENT on both sides", async () => {
    const guarded = caller<Envelope>(EnvelopeService, server.port, [createClientInterceptor({ key: KEY })]);
    const raw = caller<Envelope>(EnvelopeService, server.port, []);
    try {
      const ok = await guarded.call(create(EnvelopeSchema, { payload: nestPacked(999) }));
      assert.equal(ok.code, undefined, ok.details);
      const tooDeep = create(EnvelopeSchema, { payload: nestPacked(1000) });
      const local = await guarded.call(tooDeep);
      assert.equal(local.code, status.INVALID_ARGUMENT, "refused on the client, nothing sent");
      const remote = await raw.call(tooDeep);
      assert.equal(remote.code, status.INVALID_ARGUMENT, "the server refuses the caller's input");
      assert.match(remote.details ?? "", /1000 levels/);
    } finally {
      guarded.close();
      raw.close();
    }
  });
});
