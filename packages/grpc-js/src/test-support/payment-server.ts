// PaymentService on 127.0.0.1, port 0, with any server interceptors.
import { Server, ServerCredentials, type ServerInterceptor } from "@grpc/grpc-js";
import { grpcPaymentHandlers, type Payment, PaymentService, type WatchRequest } from "@szcrypt/example";
import { createGrpcServiceDefinition } from "../service-definition.js";

export interface RunningServer {
  readonly port: number;
  /** What the handlers received, in order. */
  readonly seen: { method: string; request: Payment | WatchRequest }[];
  close(): Promise<void>;
}

export async function startPaymentServer(interceptors: ServerInterceptor[], handlers = grpcPaymentHandlers): Promise<RunningServer> {
  const seen: RunningServer["seen"] = [];
  const server = new Server({ interceptors });
  server.addService(
    createGrpcServiceDefinition(PaymentService),
    handlers((method, request) => seen.push({ method, request })),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    port,
    seen,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
