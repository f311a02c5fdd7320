// PaymentService on 127.0.0.1, port 0: served by grpc-js or by connect-node
// (gRPC, gRPC-Web and Connect protocols over HTTP/2), with any interceptors.
// The one copy of each; every package's tests start their servers here.
import { createServer, type Http2Server, type ServerHttp2Session } from "node:http2";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { Interceptor, ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  type ChannelOptions,
  Server,
  ServerCredentials,
  type ServerInterceptor,
  type ServerUnaryCall,
  type ServiceDefinition,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import {
  authorize,
  grpcPaymentHandlers,
  type HandlerObserver,
  type Payment,
  PaymentSchema,
  PaymentService,
  summarize,
  type WatchRequest,
  watch,
} from "@szcrypt/example";
import type { PaymentInit } from "./calls.js";

export interface RunningServer {
  readonly port: number;
  /** Every payment a handler received, in order (Watch's template included). */
  readonly seen: Payment[];
  /** Every request a handler received, with its method. */
  readonly calls: { method: Parameters<HandlerObserver>[0]; request: Payment | WatchRequest }[];
  close(): Promise<void>;
}

export interface GrpcServerOptions {
  /**
   * PaymentService's grpc-js definition: `createGrpcServiceDefinition(PaymentService)`
   * of @szcrypt/grpc-js. Passed in, so that this package does not depend on the
   * transport whose tests use it.
   */
  readonly definition: ServiceDefinition;
  readonly interceptors?: ServerInterceptor[];
  /** The handlers, given the observer that fills `seen` and `calls`; example's by default. */
  readonly handlers?: (observe: HandlerObserver) => UntypedServiceImplementation;
  /** Server options, e.g. message size limits. */
  readonly options?: ChannelOptions;
  /** When set, Authorize answers this message whatever it received (after recording the request). */
  readonly answer?: PaymentInit;
}

/** A grpc-js server for PaymentService on 127.0.0.1:0. */
export async function startGrpcServer({
  definition,
  interceptors = [],
  handlers = grpcPaymentHandlers,
  options = {},
  answer,
}: GrpcServerOptions): Promise<RunningServer> {
  const seen: Payment[] = [];
  const calls: RunningServer["calls"] = [];
  const observe: HandlerObserver = (method, request) => {
    calls.push({ method, request });
    const payment = "cardNumber" in request ? request : request.template;
    if (payment !== undefined) {
      seen.push(payment);
    }
  };
  const implementation = handlers(observe);
  if (answer !== undefined) {
    implementation["authorize"] = (call: ServerUnaryCall<Payment, Payment>, callback: sendUnaryData<Payment>) => {
      observe("authorize", call.request);
      callback(null, create(PaymentSchema, answer));
    };
  }
  const server = new Server({ interceptors, ...options });
  server.addService(definition, implementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { port, seen, calls, close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())) };
}

/**
 * `startGrpcServer` bound to one service definition, in the form most tests
 * call: `(interceptors, handlers?) => server`.
 */
export function grpcServerFor(
  definition: ServiceDefinition,
): (interceptors: ServerInterceptor[], handlers?: GrpcServerOptions["handlers"]) => Promise<RunningServer> {
  return (interceptors, handlers) => startGrpcServer({ definition, interceptors, ...(handlers === undefined ? {} : { handlers }) });
}

/**
 * PaymentService's handlers for connect-node, recording every payment they
 * receive in `seen`. With `answer`, Authorize replies that message whatever it received.
 */
export function connectPaymentHandlers(seen: Payment[], answer?: PaymentInit): ServiceImpl<typeof PaymentService> {
  return {
    authorize(payment) {
      seen.push(payment);
      return answer === undefined ? authorize(payment) : create(PaymentSchema, answer);
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

/** A connect-node server for PaymentService on 127.0.0.1:0. `calls` stays empty: Connect handlers record only `seen`. */
export async function startConnectServer(
  interceptors: Interceptor[],
  handlers: (seen: Payment[]) => ServiceImpl<typeof PaymentService> = connectPaymentHandlers,
): Promise<RunningServer> {
  const seen: Payment[] = [];
  const server: Http2Server = createServer(
    connectNodeAdapter({ routes: (router) => router.service(PaymentService, handlers(seen)), interceptors }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("the connect-node server has no port");
  }
  const sessions = new Set<ServerHttp2Session>();
  server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  return {
    port: address.port,
    seen,
    calls: [],
    close: () =>
      new Promise((resolve) => {
        for (const s of sessions) {
          s.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
