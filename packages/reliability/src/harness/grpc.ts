// A PaymentService on 127.0.0.1:0 with szcrypt's server interceptor (the
// server of @szcrypt/testing), clients for it, and the call wrappers of
// @szcrypt/testing settled to what a client can observe, each bounded by a
// deadline so that a hang fails instead of stalling.
import type { ChannelOptions, ClientOptions, ServerInterceptor } from "@grpc/grpc-js";
import { credentials } from "@grpc/grpc-js";
import type { Payment } from "@szcrypt/example";
import { PaymentService } from "@szcrypt/example";
import { createGrpcClient, createGrpcServiceDefinition } from "@szcrypt/grpc-js";
import {
  bidiSettled,
  unary as callUnary,
  type Observed,
  observe,
  type PaymentClient,
  type PaymentInit,
  type RunningServer,
  type Settled,
  settle,
  startGrpcServer,
} from "@szcrypt/testing";

export type { Observed, PaymentClient, PaymentInit, Settled };

export interface Running extends RunningServer {
  /** A client of this server with these client interceptors, closed with the server. */
  client(interceptors?: ClientOptions["interceptors"], options?: ChannelOptions): PaymentClient;
}

export async function startServer(interceptors: ServerInterceptor[], options: ChannelOptions = {}): Promise<Running> {
  const server = await startGrpcServer({ definition: createGrpcServiceDefinition(PaymentService), interceptors, options });
  const clients: PaymentClient[] = [];
  return {
    ...server,
    client: (ics = [], opts = {}) => {
      const c = createGrpcClient(PaymentService, `127.0.0.1:${server.port}`, credentials.createInsecure(), { interceptors: ics, ...opts });
      clients.push(c);
      return c;
    },
    close: async () => {
      for (const c of clients) {
        c.close();
      }
      await server.close();
    },
  };
}

/** Authorize, settled. */
export function unary(client: PaymentClient, request: PaymentInit, timeoutMs = 10_000): Promise<Settled<Payment>> {
  return settle(callUnary(client, request, timeoutMs));
}

/** Exchange: what came back before the call ended, and what the client saw of its failure. */
export async function bidi(
  client: PaymentClient,
  requests: readonly PaymentInit[],
  timeoutMs = 60_000,
): Promise<{ received: Payment[]; error?: Observed }> {
  const { received, error } = await bidiSettled(client, requests, timeoutMs);
  return error === undefined ? { received } : { received, error: observe(error) };
}
