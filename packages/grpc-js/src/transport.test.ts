// The shared transport scenario (@szcrypt/testing) over grpc-js: a grpc-js
// client with createClientInterceptor against a grpc-js server with
// createServerInterceptor.
import { credentials } from "@grpc/grpc-js";
import { parseKeySpec } from "@szcrypt/core";
import { PaymentService } from "@szcrypt/example";
import { grpcScenarioCalls, grpcStatus, runTenantScenario, runTransportScenario, startGrpcServer } from "@szcrypt/testing";
import { createGrpcClient } from "./client.js";
import { createClientInterceptor } from "./client-interceptor.js";
import { createServerInterceptor } from "./server-interceptor.js";
import { createGrpcServiceDefinition } from "./service-definition.js";

const KEY = parseKeySpec("hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

runTransportScenario("grpc-js client → grpc-js server", {
  startServer: (format, answer) =>
    startGrpcServer({
      definition: createGrpcServiceDefinition(PaymentService),
      interceptors: format === undefined ? [] : [createServerInterceptor({ key: KEY, format })],
      ...(answer === undefined ? {} : { answer }),
    }),
  clients: (port, format) => {
    const szcrypt = createGrpcClient(PaymentService, `127.0.0.1:${port}`, credentials.createInsecure(), {
      interceptors: [createClientInterceptor({ key: KEY, format })],
    });
    const plain = createGrpcClient(PaymentService, `127.0.0.1:${port}`, credentials.createInsecure());
    return {
      szcrypt: grpcScenarioCalls(szcrypt),
      plain: grpcScenarioCalls(plain),
      close: () => {
        szcrypt.close();
        plain.close();
      },
    };
  },
  status: grpcStatus,
});

runTenantScenario("grpc-js client → grpc-js server", {
  startServer: (options, answer) =>
    startGrpcServer({
      definition: createGrpcServiceDefinition(PaymentService),
      interceptors: options === undefined ? [] : [createServerInterceptor(options)],
      ...(answer === undefined ? {} : { answer }),
    }),
  client: (port, options, headers) => {
    const client = createGrpcClient(PaymentService, `127.0.0.1:${port}`, credentials.createInsecure(), {
      interceptors: options === undefined ? [] : [createClientInterceptor(options)],
    });
    return { calls: grpcScenarioCalls(client, headers), close: () => client.close() };
  },
  status: grpcStatus,
});
