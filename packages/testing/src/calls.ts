// Promise wrappers over grpc-js's callback and stream APIs for PaymentService,
// with a deadline on every call so that a hang fails the test instead of
// stalling it. The one copy: the grpc-js and Connect tests, the reliability
// suite and the demo's checks all call through these.
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  type CallOptions,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ClientWritableStream,
  Metadata,
  type ServiceError,
} from "@grpc/grpc-js";
import type { Payment, PaymentSchema, PaymentSummary, WatchRequestSchema } from "@szcrypt/example";
import type { ScenarioCalls } from "./transport-scenario.js";

export type PaymentInit = MessageInitShape<typeof PaymentSchema>;
export type WatchRequestInit = MessageInitShape<typeof WatchRequestSchema>;
type Callback<T> = (error: ServiceError | null, value?: T) => void;

/**
 * The grpc-js PaymentService client these wrappers call: what
 * `createGrpcClient(PaymentService, …)` of @szcrypt/grpc-js returns, written
 * out so that this package does not depend on the transport it tests.
 */
export interface PaymentClient {
  authorize(request: PaymentInit, metadata: Metadata, options: Partial<CallOptions>, callback: Callback<Payment>): ClientUnaryCall;
  upload(metadata: Metadata, options: Partial<CallOptions>, callback: Callback<PaymentSummary>): ClientWritableStream<PaymentInit>;
  watch(request: WatchRequestInit, metadata?: Metadata, options?: Partial<CallOptions>): ClientReadableStream<Payment>;
  exchange(metadata?: Metadata, options?: Partial<CallOptions>): ClientDuplexStream<PaymentInit, Payment>;
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Request headers (e.g. `x-tenant-id`) for one call: a fresh Metadata per call. */
export type CallHeaders = Readonly<Record<string, string>>;

function metadataOf(headers: CallHeaders | undefined): Metadata {
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(headers ?? {})) {
    metadata.set(name, value);
  }
  return metadata;
}
const deadline = (timeoutMs: number) => ({ deadline: Date.now() + timeoutMs });

/** Authorize; rejects with the call's ServiceError. */
export function unary(
  client: PaymentClient,
  request: PaymentInit,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  headers?: CallHeaders,
): Promise<Payment> {
  return new Promise((resolve, reject) => {
    client.authorize(request, metadataOf(headers), deadline(timeoutMs), (err, value) => (err ? reject(err) : resolve(value as Payment)));
  });
}

/** Upload: writes every request, then ends; rejects with the call's ServiceError. */
export function clientStream(
  client: PaymentClient,
  requests: readonly PaymentInit[],
  timeoutMs = DEFAULT_TIMEOUT_MS,
  headers?: CallHeaders,
): Promise<PaymentSummary> {
  return new Promise((resolve, reject) => {
    const call = client.upload(metadataOf(headers), deadline(timeoutMs), (err, value) =>
      err ? reject(err) : resolve(value as PaymentSummary),
    );
    // The callback reports the error; the stream's own event would be unhandled.
    call.on("error", () => {});
    for (const r of requests) {
      call.write(r);
    }
    call.end();
  });
}

/** Watch: every payment the server streams; rejects with the call's ServiceError. */
export function serverStream(
  client: PaymentClient,
  request: WatchRequestInit,
  timeoutMs = DEFAULT_TIMEOUT_MS,
  headers?: CallHeaders,
): Promise<Payment[]> {
  return collectStream(client.watch(request, metadataOf(headers), deadline(timeoutMs)));
}

/** What a bidi call received before it ended, and the error that ended it, if one did. */
export interface BidiOutcome {
  readonly received: Payment[];
  readonly error?: ServiceError;
}

/**
 * Exchange, settled: writes the requests as fast as the stream takes them
 * (waiting for `drain`, so thousands of messages do not pile up in memory),
 * and resolves with what came back, and the error if the call failed.
 */
export function bidiSettled(
  client: PaymentClient,
  requests: readonly PaymentInit[],
  timeoutMs = DEFAULT_TIMEOUT_MS,
  headers?: CallHeaders,
): Promise<BidiOutcome> {
  return new Promise((resolve) => {
    const call = client.exchange(metadataOf(headers), deadline(timeoutMs));
    const received: Payment[] = [];
    call.on("data", (p: Payment) => received.push(p));
    call.on("error", (error: ServiceError) => resolve({ received, error }));
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

/** Exchange: the payments that came back, in order; rejects with the call's ServiceError. */
export async function bidi(
  client: PaymentClient,
  requests: readonly PaymentInit[],
  timeoutMs = DEFAULT_TIMEOUT_MS,
  headers?: CallHeaders,
): Promise<Payment[]> {
  const outcome = await bidiSettled(client, requests, timeoutMs, headers);
  if (outcome.error !== undefined) {
    throw outcome.error;
  }
  return outcome.received;
}

/** Every message of a grpc-js readable stream, or its error. */
export function collectStream<T>(stream: NodeJS.EventEmitter): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    stream.on("data", (d: T) => out.push(d));
    stream.on("error", reject);
    stream.on("end", () => resolve(out));
  });
}

/** Everything a client can see of a failed call. */
export interface Observed {
  readonly code: number;
  readonly details: string;
  readonly metadata: Record<string, unknown>;
}

export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: Observed };

/** What a client sees of a ServiceError: code, details and trailing metadata. */
export function observe(err: ServiceError): Observed {
  return { code: err.code, details: err.details, metadata: err.metadata?.toJSON() ?? {} };
}

/** A call's promise as a value: its result, or what the client saw of its failure. */
export async function settle<T>(call: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await call };
  } catch (err) {
    return { ok: false, error: observe(err as ServiceError) };
  }
}

/** The scenario's four calls over a grpc-js client, each sending `headers`: for `runTransportScenario`. */
export function grpcScenarioCalls(client: PaymentClient, headers?: CallHeaders): ScenarioCalls {
  return {
    authorize: (r) => unary(client, r, DEFAULT_TIMEOUT_MS, headers),
    upload: (rs) => clientStream(client, rs, DEFAULT_TIMEOUT_MS, headers),
    watch: (r) => serverStream(client, r, DEFAULT_TIMEOUT_MS, headers),
    exchange: (rs) => bidi(client, rs, DEFAULT_TIMEOUT_MS, headers),
  };
}

/** The gRPC status of a failed grpc-js call, for `runTransportScenario`. */
export function grpcStatus(err: unknown): { readonly code: number; readonly message: string } {
  const e = err as ServiceError;
  return { code: e.code, message: e.details };
}
