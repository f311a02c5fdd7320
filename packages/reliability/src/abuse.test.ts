// Abuse: very large fields, deep nesting, huge repeated and map counts. Memory
// stays bounded, and where grpc-js's limits apply the caller gets a clear
// status, not a hang or a crash.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { create, toBinary } from "@bufbuild/protobuf";
import { credentials, Metadata, Server, ServerCredentials, status } from "@grpc/grpc-js";
import { createFieldCrypto, isSzcryptError, parseKeySpec } from "@szcrypt/core";
import { type Folder, FolderSchema, FolderService } from "@szcrypt/example";
import { createClientInterceptor, createGrpcClient, createGrpcServiceDefinition, createServerInterceptor } from "@szcrypt/grpc-js";
import { samplePayment } from "@szcrypt/testing";
import { type PaymentClient, startServer, unary } from "./harness/grpc.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const key = parseKeySpec(`hex:${"3c".repeat(16)}`);
const MiB = 2 ** 20;

/** Memory once garbage has been collected (several passes: weak callbacks free external memory late). */
function settled(): NodeJS.MemoryUsage {
  for (let i = 0; i < 4; i++) {
    gc();
  }
  return process.memoryUsage();
}

/** A 16 MiB string and a 16 MiB bytes field through both interceptors; nothing of it outlives the call. */
async function roundTrip16MiB(client: PaymentClient): Promise<void> {
  const big = "é".repeat(8 * MiB); // 16 MiB of UTF-8
  const r = await unary(client, { ...samplePayment(1), cardholder: big, token: new Uint8Array(16 * MiB).fill(7) }, 60_000);
  assert.ok(r.ok, r.ok ? "" : r.error.details);
  assert.equal(r.value.cardholder, big);
  assert.equal(r.value.token.length, 16 * MiB);
  assert.ok(r.value.token.every((b) => b === 7));
}

describe("abuse", () => {
  it("a 16 MiB field over default grpc-js limits: RESOURCE_EXHAUSTED, promptly", async () => {
    const server = await startServer([createServerInterceptor({ key })]);
    try {
      const client = server.client([createClientInterceptor({ key })]);
      const r = await unary(client, { ...samplePayment(1), cardholder: "x".repeat(16 * MiB) }, 30_000);
      assert.ok(!r.ok);
      assert.equal(r.error.code, status.RESOURCE_EXHAUSTED, r.error.details);
      assert.match(r.error.details, /larger than max/);
      assert.deepEqual(await unary(client, samplePayment(2)).then((x) => x.ok), true, "the server still serves");
    } finally {
      await server.close();
    }
  });

  it("a 16 MiB field with raised limits round-trips, and memory comes back once it is released", async () => {
    const limits = { "grpc.max_receive_message_length": 64 * MiB, "grpc.max_send_message_length": 64 * MiB };
    const server = await startServer([createServerInterceptor({ key })], limits);
    try {
      const client = server.client([createClientInterceptor({ key })], limits);
      await unary(client, samplePayment(0)); // warm up the channel before measuring
      const before = settled();
      await roundTrip16MiB(client);
      // The harness keeps what handlers saw: drop it, or it is what stays.
      server.seen.splice(0);
      server.calls.splice(0);
      // Everything of the call is out of scope now. The token and the wire
      // buffers are off-heap: arrayBuffers sees them, heapUsed never would.
      // grpc-js lets go of its HTTP/2 buffers a moment after the call: wait up to 5 s for it.
      let after = settled();
      const grown = (k: keyof NodeJS.MemoryUsage) => (after[k] - before[k]) / MiB;
      for (let i = 0; i < 100 && (grown("arrayBuffers") >= 8 || grown("heapUsed") >= 8); i++) {
        await sleep(50);
        after = settled();
      }
      console.log(
        `after a released 16 MiB call: arrayBuffers ${grown("arrayBuffers").toFixed(1)} MiB, heapUsed ${grown("heapUsed").toFixed(1)} MiB, rss ${grown("rss").toFixed(1)} MiB above the start`,
      );
      assert.ok(grown("arrayBuffers") < 8, `arrayBuffers kept ${grown("arrayBuffers").toFixed(1)} MiB after the call`);
      assert.ok(grown("heapUsed") < 8, `the heap kept ${grown("heapUsed").toFixed(1)} MiB after the call`);
    } finally {
      await server.close();
    }
  });

  it("100,000 repeated notes and 50,000 map entries round-trip through both interceptors", async () => {
    const limits = { "grpc.max_receive_message_length": 64 * MiB, "grpc.max_send_message_length": 64 * MiB };
    const server = await startServer([createServerInterceptor({ key })], limits);
    try {
      const client = server.client([createClientInterceptor({ key })], limits);
      const notes = Array.from({ length: 100_000 }, (_, i) => `note ${i}`);
      const attributes = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, `v${i}`]));
      const r = await unary(client, { ...samplePayment(1), notes, attributes }, 60_000);
      assert.ok(r.ok, r.ok ? "" : r.error.details);
      assert.deepEqual(r.value.notes, notes);
      assert.deepEqual(r.value.attributes, attributes);
    } finally {
      await server.close();
    }
  });

  it("deep nesting: round-trips within protobuf's limits; deeper is refused with a status, not a crash", async () => {
    const crypto = createFieldCrypto({ key });
    const nest = (depth: number): Folder => {
      let f = create(FolderSchema, { name: "leaf" });
      for (let i = 0; i < depth; i++) {
        f = create(FolderSchema, { name: `level ${i}`, children: [f] });
      }
      return f;
    };
    // In memory, szcrypt walks 1,000 levels below the root and refuses 1,001 with its own error.
    // Compared as bytes: assert.deepEqual itself overflows the stack at this depth.
    const same = (a: Folder | undefined, b: Folder) =>
      a !== undefined && Buffer.from(toBinary(FolderSchema, a)).equals(Buffer.from(toBinary(FolderSchema, b)));
    assert.ok(same(crypto.decryptMessage(FolderSchema, crypto.encryptMessage(FolderSchema, nest(1000))), nest(1000)));
    for (const depth of [1001, 20_000]) {
      assert.throws(
        () => crypto.encryptMessage(FolderSchema, nest(depth)),
        (err: unknown) => isSzcryptError(err, "UNSUPPORTED_MESSAGE") && /1000 levels/.test(err.message),
        `${depth} levels`,
      );
    }

    const server = new Server({ interceptors: [createServerInterceptor({ key })] });
    server.addService(createGrpcServiceDefinition(FolderService), {
      put: (call: { request: Folder }, cb: (e: null, v: Folder) => void) => cb(null, call.request),
    });
    const port = await new Promise<number>((res, rej) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
    );
    const client = createGrpcClient(FolderService, `127.0.0.1:${port}`, credentials.createInsecure(), {
      interceptors: [createClientInterceptor({ key })],
    });
    const put = (f: Folder) =>
      new Promise<{ code?: number; details?: string; value?: Folder }>((resolve) =>
        client.put(f, new Metadata(), { deadline: Date.now() + 20_000 }, (e, v) =>
          resolve(e ? { code: e.code, details: e.details } : { value: v as Folder }),
        ),
      );
    try {
      assert.ok(same((await put(nest(99))).value, nest(99)));
      // protobuf-es decodes 100 levels of nesting: the server cannot read a deeper
      // message, and grpc-js answers that with INTERNAL (szcrypt never sees it).
      for (const depth of [100, 1000]) {
        const refused = await put(nest(depth));
        assert.equal(refused.code, status.INTERNAL, `${depth} levels`);
        assert.match(refused.details ?? "", /^Error deserializing request/);
      }
      // Deeper than szcrypt walks: refused on the client before anything is sent.
      for (const depth of [1001, 20_000]) {
        const refused = await put(nest(depth));
        assert.equal(refused.code, status.INVALID_ARGUMENT, `${depth} levels`);
        assert.match(refused.details ?? "", /^szcrypt: request refused: the message nests more than 1000 levels deep/);
      }
      assert.ok(same((await put(nest(3))).value, nest(3)), "still serving");
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
