import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { isSzcryptError, type SzcryptError } from "../errors/szcrypt-error.js";
import { SensitiveNumberSchema } from "../gen/sz/testing/v1/invalid_pb.js";
import { ClearSchema, LeafSchema, NodeSchema, NodeService } from "../gen/sz/testing/v1/shapes_pb.js";
import { SzcryptKey } from "../keys/key.js";
import { openLegacy } from "../test-support/node-legacy.js";
import type { TransportFailure } from "./failure.js";
import { methodPath } from "./method-path.js";
import type { ErrorContext } from "./on-error.js";
import { createTransportAdapter } from "./transport-adapter.js";

const RAW = new Uint8Array(32).fill(7);
const KEY = SzcryptKey.fromBytes(RAW);
const ECHO = NodeService.method.echo;

// A method of a service that is not in `services`, as a framework hands it over.
function method(name: string, input: DescMethod["input"], output: DescMethod["output"]): DescMethod {
  const parent = { typeName: "sz.testing.v1.Adhoc" } as DescService;
  return { kind: "rpc", name, parent, input, output } as unknown as DescMethod;
}

function failures(): { readonly seen: TransportFailure[]; readonly fail: (f: TransportFailure) => void } {
  const seen: TransportFailure[] = [];
  return { seen, fail: (f) => seen.push(f) };
}

describe("methodPath", () => {
  it("is the gRPC path, /package.Service/Method (the gRPC HTTP/2 protocol's :path)", () => {
    assert.equal(methodPath(ECHO), "/sz.testing.v1.NodeService/Echo");
  });
});

describe("createTransportAdapter", () => {
  it("finds the methods of `services` by path, and no others", () => {
    const adapter = createTransportAdapter({ key: KEY, services: [NodeService] }, "server");
    assert.equal(adapter.methodAt("/sz.testing.v1.NodeService/Echo"), ECHO);
    assert.equal(adapter.methodAt("/sz.testing.v1.NodeService/Other"), undefined);
  });

  it("rejects schema-less methods by default and passes exactly the listed paths", () => {
    assert.equal(createTransportAdapter({ key: KEY }, "client").passesUnknown("/grpc.health.v1.Health/Check"), false);
    const adapter = createTransportAdapter({ key: KEY, unknownMethods: { pass: ["/grpc.health.v1.Health/Check"] } }, "client");
    assert.equal(adapter.passesUnknown("/grpc.health.v1.Health/Check"), true);
    assert.equal(adapter.passesUnknown("/grpc.health.v1.Health/Watch"), false);
  });

  it("refuses an unknownMethods that is not reject or a list of gRPC paths, at creation", () => {
    for (const unknownMethods of ["pass", { pass: ["Health/Check"] }, { pass: "/a.B/C" }]) {
      assert.throws(
        () => createTransportAdapter({ key: KEY, unknownMethods: unknownMethods as never }, "server"),
        (e: unknown) => isSzcryptError(e) && e.code === "CONFIG_INVALID",
        JSON.stringify(unknownMethods),
      );
    }
  });

  it("resolves each method once: the same plan at every call, clear only when neither side has a sensitive field", () => {
    const adapter = createTransportAdapter({ key: KEY }, "client");
    assert.equal(adapter.plan(ECHO), adapter.plan(ECHO));
    assert.equal(adapter.plan(ECHO).path, "/sz.testing.v1.NodeService/Echo");
    assert.equal(adapter.plan(ECHO).clear, false);
    assert.equal(adapter.plan(method("Clear", ClearSchema, ClearSchema)).clear, true);
    assert.equal(adapter.plan(method("Half", ClearSchema, LeafSchema)).clear, false);
  });

  it("a response type that does not compile is the method's schema error, even when the request has sensitive fields", () => {
    const adapter = createTransportAdapter({ key: KEY }, "server");
    for (const input of [LeafSchema, ClearSchema]) {
      const plan = adapter.plan(method(`Bad${input.name}`, input, SensitiveNumberSchema));
      assert.equal(plan.clear, false, input.name);
      const error = plan.schemaError();
      assert.ok(isSzcryptError(error) && error.code === "SCHEMA_INVALID", `${input.name}: ${String(error)}`);
    }
    assert.equal(adapter.plan(ECHO).schemaError(), undefined);
  });

  it("gives each method its own per-method policy", () => {
    const adapter = createTransportAdapter(
      { key: KEY, services: [NodeService], methods: { "/sz.testing.v1.NodeService/Echo": { format: "szc1" } } },
      "client",
    );
    assert.equal(adapter.plan(ECHO).crypto.format, "szc1");
    assert.equal(adapter.plan(method("Other", NodeSchema, NodeSchema)).crypto.format, "legacy-cbc");
  });
});

describe("TransportCall", () => {
  const client = createTransportAdapter({ key: KEY }, "client");
  const server = createTransportAdapter({ key: KEY }, "server");

  it("on a client encrypts the request (an init object, left as it was) and decrypts the response", () => {
    const call = client.startCall(client.plan(ECHO));
    const init = { secret: "4111 1111 1111 1111" };
    const { seen, fail } = failures();
    const sent = call.request(init, fail) as { secret: string } | undefined;
    assert.deepEqual(seen, []);
    assert.equal(init.secret, "4111 1111 1111 1111");
    assert.ok(sent !== undefined);
    // Opened with node:crypto, not szcrypt's codec.
    assert.equal(openLegacy(sent.secret, RAW), "4111 1111 1111 1111");
    const received = call.response(create(NodeSchema, { secret: sent.secret }), fail) as { secret: string } | undefined;
    assert.equal(received?.secret, "4111 1111 1111 1111");
  });

  it("on a server decrypts the request and encrypts the response", () => {
    const sending = client.startCall(client.plan(ECHO));
    const call = server.startCall(server.plan(ECHO), { header: () => undefined });
    const { seen, fail } = failures();
    const wire = sending.request({ secret: "s3cr3t" }, fail);
    assert.equal((call.request(wire, fail) as { secret: string } | undefined)?.secret, "s3cr3t");
    const answer = call.response({ secret: "answer" }, fail) as { secret: string } | undefined;
    assert.ok(answer !== undefined);
    assert.equal(openLegacy(answer.secret, RAW), "answer");
    assert.deepEqual(seen, []);
  });

  it("hands a value that does not decrypt to `fail`, as the caller's fault on a server and the service's on a client", () => {
    const planted = create(NodeSchema, { secret: "4111 in the clear" });
    for (const [adapter, direction, kind] of [
      [server, "request", "invalid_argument"],
      [client, "response", "internal"],
    ] as const) {
      const call = adapter.startCall(adapter.plan(ECHO));
      const { seen, fail } = failures();
      assert.equal(call[direction](planted, fail), undefined);
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.kind, kind);
      assert.equal(seen[0]?.error.code, "DECRYPT_FAILED");
      assert.equal(seen[0]?.message, `szcrypt: ${direction} sensitive field secret (sz.testing.v1.Node.secret) could not be decrypted`);
      assert.doesNotMatch(seen[0]?.message ?? "", /4111/);
    }
  });

  it("lets a failure handler that throws end the call by exception", () => {
    const call = server.startCall(server.plan(ECHO));
    const boom = new Error("ended");
    assert.throws(
      () =>
        call.request(create(NodeSchema, { secret: "clear" }), () => {
          throw boom;
        }),
      (e) => e === boom,
    );
  });

  it("reports to onError with the call's path and side, and a hook that throws changes nothing", () => {
    const reports: [SzcryptError, ErrorContext][] = [];
    const adapter = createTransportAdapter(
      {
        key: KEY,
        onError: (error, context) => {
          reports.push([error, context]);
          throw new Error("logging is down");
        },
      },
      "server",
    );
    const call = adapter.startCall(adapter.plan(ECHO));
    const { seen, fail } = failures();
    assert.equal(call.request(create(NodeSchema, { secret: "clear" }), fail), undefined);
    const failure = seen[0] ?? assert.fail("no failure");
    call.report(failure);
    adapter.report(failure.error, "/other.Service/Method");
    assert.deepEqual(
      reports.map(([e, c]) => [e, c]),
      [
        [failure.error, { method: "/sz.testing.v1.NodeService/Echo", side: "server" }],
        [failure.error, { method: "/other.Service/Method", side: "server" }],
      ],
    );
  });

  it("without keyForCall or context, every call of a method is one shared call on the plan's FieldCrypto, and never reads the peer", () => {
    for (const adapter of [client, server]) {
      const plan = adapter.plan(ECHO);
      let peerReads = 0;
      const start = {
        header: () => undefined,
        get peer() {
          peerReads++;
          return "127.0.0.1:1";
        },
      };
      const first = adapter.startCall(plan, start);
      assert.equal(adapter.startCall(plan, start), first, adapter.side);
      // No per-call wrapper: messages go straight to the method's FieldCrypto.
      assert.equal(first.crypto, plan.crypto, adapter.side);
      assert.equal(
        first.prepare(() => assert.fail("nothing to look up")),
        true,
      );
      assert.equal(peerReads, 0, adapter.side);
    }
  });

  it("with keyForCall, each call looks up its own keyring from its CallInfo, peer and headers included", () => {
    const seenCalls: unknown[] = [];
    const adapter = createTransportAdapter(
      {
        keyForCall: (call) => {
          seenCalls.push({ method: call.method, side: call.side, peer: call.peer, tenant: call.header("X-Tenant") });
          return KEY;
        },
      },
      "server",
    );
    const plan = adapter.plan(ECHO);
    const header = (name: string) => (name === "x-tenant" ? "t1" : undefined);
    let peerReads = 0;
    const first = adapter.startCall(plan, {
      header,
      get peer() {
        peerReads++;
        return "127.0.0.1:1";
      },
    });
    assert.equal(peerReads, 1, "the peer getter is read once per call");
    const second = adapter.startCall(plan, { header, peer: "127.0.0.1:2" });
    assert.notEqual(first, second);
    const { seen, fail } = failures();
    assert.equal(first.prepare(fail), true);
    assert.equal(second.prepare(fail), true);
    assert.deepEqual(seen, []);
    assert.deepEqual(seenCalls, [
      { method: "/sz.testing.v1.NodeService/Echo", side: "server", peer: "127.0.0.1:1", tenant: "t1" },
      { method: "/sz.testing.v1.NodeService/Echo", side: "server", peer: "127.0.0.1:2", tenant: "t1" },
    ]);
    const answer = first.response({ secret: "answer" }, fail) as { secret: string } | undefined;
    assert.equal(openLegacy(answer?.secret ?? "", RAW), "answer");
  });
});
