// PaymentService on 127.0.0.1, port 0: served by connect-node (gRPC, gRPC-Web
// and Connect protocols over HTTP/2) or by grpc-js.
import { createServer, type Http2Server } from "node:http2";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Interceptor, ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { Server, ServerCredentials, type ServerInterceptor } from "@grpc/grpc-js";
import { authorize, grpcPaymentHandlers, type Payment, type PaymentSchema, PaymentService, summarize, watch } from "@szcrypt/example";
import { createGrpcServiceDefinition } from "@szcrypt/grpc-js";

export interface Running {
  readonly port: number;
  /** What the handlers received, in order. */
  readonly seen: Payment[];
  close(): Promise<void>;
}

/** PaymentService's handlers for connect-node, recording every request they see in `seen`. */
export function connectHandlers(seen: Payment[]): ServiceImpl<typeof PaymentService> {
  return {
    authorize(payment) {
      seen.push(payment);
      return authorize(payment);
    },
    async upload(payments) {
      const all: Payment[] = [];
      for await (const p of payments) {
        seen.push(p);
        all.push(p);
      }
      return summarize(all);
    },
    async *watch(request) {
      if (request.template !== undefined) {
        seen.push(request.template);
      }
      yield* watch(request) as MessageInitShape<typeof PaymentSchema>[];
    },
    async *exchange(payments) {
      for await (const p of payments) {
        seen.push(p);
        yield authorize(p);
      }
    },
  };
}

export async function startConnectServer(
  interceptors: Interceptor[],
  handlers: (seen: Payment[]) => ServiceImpl<typeof PaymentService> = connectHandlers,
): Promise<Running> {
  const seen: Payment[] = [];
  const server: Http2Server = createServer(
    connectNodeAdapter({ routes: (router) => router.service(PaymentService, handlers(seen)), interceptors }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("no port");
  }
  const sessions = new Set<import("node:http2").ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  return {
    port: address.port,
    seen,
    close: () =>
      new Promise((resolve) => {
        for (const s of sessions) {
          s.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

export async function startGrpcJsServer(interceptors: ServerInterceptor[]): Promise<Running> {
  const seen: Payment[] = [];
  const server = new Server({ interceptors });
  server.addService(
    createGrpcServiceDefinition(PaymentService),
    grpcPaymentHandlers((_m, r) => seen.push("cardNumber" in r ? r : (r.template as Payment))),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { port, seen, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}
