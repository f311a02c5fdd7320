// Any and nesting refusals through Connect, on an in-memory router transport.
// The schemas are core's private test fixtures, read from its build.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { type Any, anyPack } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { parseKeySpec } from "@szcrypt/core";
import { CardSchema, type Envelope, EnvelopeSchema, EnvelopeService } from "@szcrypt/testing/gen/sz/testing/v1/packed_pb.js";
import { type Node, NodeSchema, NodeService } from "@szcrypt/testing/gen/sz/testing/v1/shapes_pb.js";
import { StraySchema } from "@szcrypt/testing/gen/sz/testing/v1/stray_pb.js";
import { createConnectClientInterceptor, createConnectServerInterceptor } from "./interceptors.js";

const KEY = parseKeySpec("hex:4142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f60");

function setup(clientInterceptors: Interceptor[]) {
  const seen: Envelope[] = [];
  const transport = createRouterTransport(
    ({ service }) => {
      service(EnvelopeService, {
        echo: (req) => {
          seen.push(req);
          return req;
        },
      });
    },
    { router: { interceptors: [createConnectServerInterceptor({ key: KEY })] }, transport: { interceptors: clientInterceptors } },
  );
  return { client: createClient(EnvelopeService, transport), seen };
}

async function codeOf(promise: Promise<unknown>): Promise<{ code: Code; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: e.code, message: e.rawMessage };
  }
  assert.fail("expected the call to fail");
}

const stray = () => create(EnvelopeSchema, { payload: anyPack(StraySchema, create(StraySchema, { secret: "stray-secret" })) });
const nestPacked = (levels: number): Any => {
  let any = anyPack(CardSchema, create(CardSchema, { number: "deepest" }));
  for (let i = 0; i < levels; i++) {
    any = anyPack(CardSchema, create(CardSchema, { extra: any }));
  }
  return any;
};

describe("Connect: Any and nesting refusals", () => {
  it("an unknown packed type is InvalidArgument, from the client before sending and from the server", async () => {
    const guarded = setup([createConnectClientInterceptor({ key: KEY })]);
    const local = await codeOf(guarded.client.echo(stray()));
    assert.equal(local.code, Code.InvalidArgument);
    assert.equal(guarded.seen.length, 0);

    const raw = setup([]);
    const remote = await codeOf(raw.client.echo(stray()));
    assert.equal(remote.code, Code.InvalidArgument);
    assert.match(remote.message, /payload/);
    assert.ok(!remote.message.includes("stray-secret"));
    assert.equal(raw.seen.length, 0, "the handler was never called");
  });

  it("Any in Any: 16 levels cross, 17 are InvalidArgument at the server", async () => {
    const guarded = setup([createConnectClientInterceptor({ key: KEY })]);
    const ok = await guarded.client.echo(create(EnvelopeSchema, { payload: nestPacked(15) }));
    assert.ok(ok.payload !== undefined);
    const remote = await codeOf(setup([]).client.echo(create(EnvelopeSchema, { payload: nestPacked(16) })));
    assert.equal(remote.code, Code.InvalidArgument);
    assert.match(remote.message, /Any values nest more than 16/);
  });

  it("plain nesting: 1000 levels cross, 1001 are InvalidArgument at the server (decoded with a raised limit)", async () => {
    const binaryOptions = { recursionLimit: 5000 };
    const seen: Node[] = [];
    const make = (interceptors: Interceptor[]) =>
      createClient(
        NodeService,
        createRouterTransport(
          ({ service }) => {
            service(NodeService, {
              echo: (req) => {
                seen.push(req);
                return req;
              },
            });
          },
          {
            router: { interceptors: [createConnectServerInterceptor({ key: KEY })], binaryOptions },
            transport: { interceptors, binaryOptions },
          },
        ),
      );
    const nest = (levels: number): Node => {
      let node = create(NodeSchema, { secret: "deepest" });
      for (let i = 0; i < levels; i++) {
        node = create(NodeSchema, { children: [node] });
      }
      return node;
    };
    const back = await make([createConnectClientInterceptor({ key: KEY })]).echo(nest(1000));
    assert.ok(Buffer.from(toBinary(NodeSchema, back)).equals(Buffer.from(toBinary(NodeSchema, nest(1000)))));
    const before = seen.length;
    const remote = await codeOf(make([]).echo(nest(1001)));
    assert.equal(remote.code, Code.InvalidArgument);
    assert.match(remote.message, /more than 1000 levels/);
    assert.equal(seen.length, before, "the handler was never called");
  });
});
