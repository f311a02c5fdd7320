import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { credentials, Metadata, Server, ServerCredentials, status } from "@grpc/grpc-js";
import { isSzcryptError, parseKeySpec } from "@szcrypt/core";
import { INVALID_FIELD, invalidResponseService } from "@szcrypt/testing";
import { createGrpcClient } from "./client.js";
import { createClientInterceptor } from "./client-interceptor.js";
import { createServerInterceptor } from "./server-interceptor.js";
import { createGrpcServiceDefinition } from "./service-definition.js";

const key = parseKeySpec("hex:000102030405060708090a0b0c0d0e0f");

function assertSchemaInvalid(fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isSzcryptError(err), `expected a SzcryptError, got ${String(err)}`);
    assert.equal(err.code, "SCHEMA_INVALID");
    assert.match(err.message, new RegExp(INVALID_FIELD.replaceAll(".", "\\.")));
    return true;
  });
}

describe("an invalid annotation on the response side is reported before the first call", () => {
  const service = invalidResponseService();

  it("createGrpcServiceDefinition throws SCHEMA_INVALID naming the field", () => {
    assertSchemaInvalid(() => createGrpcServiceDefinition(service));
  });

  it("createGrpcClient throws SCHEMA_INVALID naming the field", () => {
    assertSchemaInvalid(() => createGrpcClient(service, "127.0.0.1:1", credentials.createInsecure()));
  });

  it("createServerInterceptor and createClientInterceptor throw for the services they are given", () => {
    assertSchemaInvalid(() => createServerInterceptor({ key, services: [service] }));
    assertSchemaInvalid(() => createClientInterceptor({ key, services: [service] }));
  });

  it("a server that learns the method only per call refuses it before the handler runs", async () => {
    const method = service.methods[0];
    assert.ok(method !== undefined);
    // A definition tagged the way createGrpcServiceDefinition tags its own (a
    // global symbol, so that two copies of the package agree), but made by hand
    // so that nothing checked it up front: the per-call check must stop it.
    const tagged = <F extends object>(fn: F): F => Object.defineProperty(fn, Symbol.for("@szcrypt/grpc-js/method"), { value: method });
    const path = `/${service.typeName}/${method.name}`;
    const definition = {
      echo: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: tagged((v: Buffer) => v),
        requestDeserialize: tagged((v: Buffer) => v),
        responseSerialize: tagged((v: Buffer) => v),
        responseDeserialize: tagged((v: Buffer) => v),
      },
    };
    let handlerRan = false;
    const server = new Server({ interceptors: [createServerInterceptor({ key })] });
    server.addService(definition, {
      echo: (_call: unknown, callback: (err: null, value: Buffer) => void) => {
        handlerRan = true;
        callback(null, Buffer.alloc(0));
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    try {
      const Client = (await import("@grpc/grpc-js")).makeGenericClientConstructor(definition, "Echo");
      const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
      const err = await new Promise<{ code: number; details: string }>((resolve) =>
        (client as unknown as Record<string, (r: Buffer, m: Metadata, cb: (e: { code: number; details: string } | null) => void) => void>)[
          "echo"
        ]?.(Buffer.alloc(0), new Metadata(), (e) => resolve(e ?? { code: status.OK, details: "" })),
      );
      client.close();
      assert.equal(err.code, status.FAILED_PRECONDITION);
      assert.match(err.details, new RegExp(INVALID_FIELD.replaceAll(".", "\\.")));
      assert.equal(handlerRan, false, "the handler ran for a method whose response can never be encrypted");
    } finally {
      server.forceShutdown();
    }
  });
});
