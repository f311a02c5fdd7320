import assert from "node:assert/strict";
import { createServer, type Http2Server } from "node:http2";
import { describe, it } from "node:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { isSzcryptError, parseKeySpec } from "@szcrypt/core";
import { INVALID_FIELD, invalidResponseService } from "@szcrypt/testing";
import { createConnectClientInterceptor, createConnectServerInterceptor } from "./interceptors.js";

const key = parseKeySpec("hex:000102030405060708090a0b0c0d0e0f");
const fieldPattern = new RegExp(INVALID_FIELD.replaceAll(".", "\\."));

describe("an invalid annotation on the response side (Connect)", () => {
  const service = invalidResponseService();

  it("the interceptors throw SCHEMA_INVALID at creation for the services they are given", () => {
    for (const create of [createConnectServerInterceptor, createConnectClientInterceptor]) {
      assert.throws(
        () => create({ key, services: [service] }),
        (err: unknown) => isSzcryptError(err) && err.code === "SCHEMA_INVALID" && fieldPattern.test(err.message),
      );
    }
  });

  it("without `services`, the server refuses the method before its handler runs", async () => {
    let handlerRan = false;
    const server: Http2Server = createServer(
      connectNodeAdapter({
        // A plain router: nothing told the interceptor about this service up front.
        routes: (router) =>
          router.service(service, {
            echo: () => {
              handlerRan = true;
              return {};
            },
          } as never),
        interceptors: [createConnectServerInterceptor({ key })],
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const sessionManager = new Http2SessionManager(`http://127.0.0.1:${port}`);
    try {
      // A client without szcrypt: the request's sensitive field is empty, so only
      // the server's check can refuse the call.
      const client = createClient(service, createGrpcTransport({ baseUrl: `http://127.0.0.1:${port}`, sessionManager }));
      const method = (client as unknown as Record<string, (req: object) => Promise<unknown>>)["echo"];
      assert.ok(method !== undefined);
      const err = await method({}).then(
        () => assert.fail("the call succeeded"),
        (e: unknown) => ConnectError.from(e),
      );
      assert.equal(err.code, Code.FailedPrecondition);
      assert.match(err.rawMessage, fieldPattern);
      assert.equal(handlerRan, false, "the handler ran for a method whose response can never be encrypted");
    } finally {
      sessionManager.abort();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
