// A PaymentService on 127.0.0.1:0 with szcrypt's server interceptor, and call
// helpers that settle every call to what a client can observe, bounded by a
// deadline so that a hang fails instead of stalling.
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  type ChannelOptions,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ServerInterceptor,
  type ServiceError,
} from "@grpc/grpc-js";
import { grpcPaymentHandlers, type Payment, type PaymentSchema, PaymentService } from "@szcrypt/example";
import { createGrpcClient, createGrpcServiceDefinition, type GrpcClient } from "@szcrypt/grpc-js";

export type PaymentClient = GrpcClient<typeof PaymentService>;
export type PaymentInit = MessageInitShape<typeof PaymentSchema>;

export interface Running {
  readonly port: number;
  /** Every request message a handler received. */
  readonly seen: Payment[];
  client(
    interceptors?: Parameters<typeof createGrpcClient>[3] extends infer O ? (O extends { interceptors?: infer I } ? I : never) : never,
    options?: ChannelOptions,
  ): PaymentClient;
  close(): Promise<void>;
}

export async function startServer(interceptors: ServerInterceptor[], options: ChannelOptions = {}): Promise<Running> {
  const seen: Payment[] = [];
  const server = new Server({ interceptors, ...options });
  server.addService(
    createGrpcServiceDefinition(PaymentService),
    grpcPaymentHandlers((_m, r) => {
      if ("cardNumber" in r) {
        seen.push(r);
      }
    }),
  );
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  const clients: PaymentClient[] = [];
  return {
    port,
    seen,
    client: (ics = [], opts = {}) => {
      const c = createGrpcClient(PaymentService, `127.0.0.1:${port}`, credentials.createInsecure(), { interceptors: ics, ...opts });
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) {
        c.close();
      }
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}

/** Everything a client can see of a failed call. */
export interface Observed {
  readonly code: number;
  readonly details: string;
  readonly metadata: Record<string, unknown>;
}

export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Observed };

function observe(err: ServiceError): Observed {
  return { code: err.code, details: err.details, metadata: err.metadata?.toJSON() ?? {} };
}

export function unary(client: PaymentClient, request: PaymentInit, timeoutMs = 10_000): Promise<Settled<Payment>> {
  return new Promise((resolve) => {
    client.authorize(request, new Metadata(), { deadline: Date.now() + timeoutMs }, (err, value) =>
      resolve(err ? { ok: false, error: observe(err) } : { ok: true, value: value as Payment }),
    );
  });
}

export function bidi(
  client: PaymentClient,
  requests: readonly PaymentInit[],
  timeoutMs = 60_000,
): Promise<{ received: Payment[]; error?: Observed }> {
  return new Promise((resolve) => {
    const call = client.exchange(new Metadata(), { deadline: Date.now() + timeoutMs });
    const received: Payment[] = [];
    call.on("data", (p: Payment) => received.push(p));
    call.on("error", (err: ServiceError) => resolve({ received, error: observe(err) }));
    call.on("end", () => resolve({ received }));
    let i = 0;
    const pump = () => {
      while (i < requests.length) {
        if (!call.write(requests[i++])) {
          call.once("drain", pump);
          return;
        }
      }
      call.end();
    };
    pump();
  });
}
