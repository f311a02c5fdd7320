// The shared transport scenario (@szcrypt/testing) over grpc-js: a grpc-js
// client with createClientInterceptor against a grpc-js server with
// createServerInterceptor.
import { create } from "@bufbuild/protobuf";
import { credentials, type ServiceError, type sendUnaryData } from "@grpc/grpc-js";
import { parseKeySpec } from "@szcrypt/core";
import { grpcPaymentHandlers, type Payment, PaymentSchema, PaymentService } from "@szcrypt/example";
import {
  bidi,
  clientStream,
  type PaymentClient,
  runTransportScenario,
  type ScenarioCalls,
  serverStream,
  startGrpcServer,
  unary,
} from "@szcrypt/testing";
import { createGrpcClient } from "./client.js";
import { createClientInterceptor } from "./client-interceptor.js";
import { createServerInterceptor } from "./server-interceptor.js";
import { createGrpcServiceDefinition } from "./service-definition.js";

const KEY = parseKeySpec("hex:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");

function calls(client: PaymentClient): ScenarioCalls {
  return {
    authorize: (r) => unary(client, r),
    upload: (rs) => clientStream(client, rs),
    watch: (r) => serverStream(client, r),
    exchange: (rs) => bidi(client, rs),
  };
}

runTransportScenario("grpc-js client → grpc-js server", {
  startServer: (format, answer) =>
    startGrpcServer({
      definition: createGrpcServiceDefinition(PaymentService),
      interceptors: format === undefined ? [] : [createServerInterceptor({ key: KEY, format })],
      handlers: (observe) => ({
        ...grpcPaymentHandlers(observe),
        ...(answer === undefined
          ? {}
          : { authorize: (_call: unknown, callback: sendUnaryData<Payment>) => callback(null, create(PaymentSchema, answer)) }),
      }),
    }),
  clients: (port, format) => {
    const connect = (interceptors: ReturnType<typeof createClientInterceptor>[]) =>
      createGrpcClient(PaymentService, `127.0.0.1:${port}`, credentials.createInsecure(), { interceptors });
    const szcrypt = connect([createClientInterceptor({ key: KEY, format })]);
    const plain = connect([]);
    return {
      szcrypt: calls(szcrypt),
      plain: calls(plain),
      close: () => {
        szcrypt.close();
        plain.close();
      },
    };
  },
  status: (err) => ({ code: (err as ServiceError).code, message: (err as ServiceError).details }),
});
