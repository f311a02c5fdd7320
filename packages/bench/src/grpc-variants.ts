// What each gRPC variant installs on the server and on the client, and the
// echo server itself: shared by the in-process cases and the server child of
// the two-process cases, so both measure exactly the same interceptors.
import {
  InterceptingCall,
  type Interceptor,
  ListenerBuilder,
  RequesterBuilder,
  ResponderBuilder,
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  type ServerInterceptor,
  ServerListenerBuilder,
} from "@grpc/grpc-js";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { parseKeySpec } from "@szcrypt/core";
import { createClientInterceptor, createGrpcServiceDefinition, createServerInterceptor } from "@szcrypt/grpc-js";
import { BenchService, type Clear8, type Sensitive8 } from "./gen/sz/bench/v1/bench_pb.js";

export const variants = [
  "plain",
  "no-op",
  "szcrypt legacy-cbc",
  "szcrypt szc1",
  "szcrypt legacy-cbc + OTel metrics",
  "floor: token-sized strings",
] as const;
export type Variant = (typeof variants)[number];

/** Whether a string (a child's argv) names a variant. */
export const isVariant = (v: string | undefined): v is Variant => (variants as readonly (string | undefined)[]).includes(v);

const key = parseKeySpec(`base64:${Buffer.alloc(32, 9).toString("base64")}`);

// The OpenTelemetry SDK recording every message: aggregation happens on the
// hot path, export does not (a Prometheus scrape or a periodic push reads the
// aggregates), so a reader that is never collected measures what a service pays.
class IdleReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}
const telemetryFor = (variant: Variant) =>
  variant === "szcrypt legacy-cbc + OTel metrics"
    ? { telemetry: { meterProvider: new MeterProvider({ readers: [new IdleReader()] }) } }
    : {};
const formatOf = (variant: Variant) => (variant === "szcrypt szc1" ? "szc1" : "legacy-cbc");

// Interceptors that pass everything through the same builder hooks szcrypt uses: the fair baseline.
const noopClient: Interceptor = (options, next) =>
  new InterceptingCall(
    next(options),
    new RequesterBuilder()
      .withStart((md, _l, n) => n(md, new ListenerBuilder().withOnReceiveMessage((m, nm) => nm(m)).build()))
      .withSendMessage((m, n) => n(m))
      .build(),
  );
const noopServer: ServerInterceptor = (_d, call) =>
  new ServerInterceptingCall(
    call,
    new ResponderBuilder()
      .withStart((n) => n(new ServerListenerBuilder().withOnReceiveMessage((m, nm) => nm(m)).build()))
      .withSendMessage((m, n) => n(m))
      .build(),
  );

// The floor of any field-level scheme with legacy-cbc's tokens, in this
// position: the same builder hooks as no-op, and each message of the
// sensitive methods copied with its 8 values swapped for strings as long as
// their legacy-cbc tokens (32 bytes -> 88 characters) and back, without any
// cryptography. What szcrypt costs above this is its own work; below it is
// the wire growth and the copies that any implementation pays.
const FIELDS = ["f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8"] as const;
const SENSITIVE8 = "sz.bench.v1.Sensitive8";
const pads = new Map<number, string>();
function grow(value: string): string {
  const bytes = Buffer.byteLength(value, "utf8");
  const tokenLength = 4 * Math.ceil((16 + 16 * (Math.floor(bytes / 16) + 1)) / 3);
  const n = tokenLength - value.length;
  let pad = pads.get(n);
  if (pad === undefined) {
    pad = "=".repeat(n);
    pads.set(n, pad);
  }
  return value + pad;
}
// The bench's values never hold "=": what precedes the first one is the value.
const shrink = (token: string): string => token.slice(0, token.indexOf("="));
function swapped(message: unknown, swap: (v: string) => string): unknown {
  const m = message as Sensitive8;
  if (m.$typeName !== SENSITIVE8) {
    return message;
  }
  const out = { ...m };
  for (const f of FIELDS) {
    out[f] = swap(m[f]);
  }
  return out;
}
const floorClient: Interceptor = (options, next) =>
  new InterceptingCall(
    next(options),
    new RequesterBuilder()
      .withStart((md, _l, n) => n(md, new ListenerBuilder().withOnReceiveMessage((m, nm) => nm(swapped(m, shrink))).build()))
      .withSendMessage((m, n) => n(swapped(m, grow)))
      .build(),
  );
const floorServer: ServerInterceptor = (_d, call) =>
  new ServerInterceptingCall(
    call,
    new ResponderBuilder()
      .withStart((n) => n(new ServerListenerBuilder().withOnReceiveMessage((m, nm) => nm(swapped(m, shrink))).build()))
      .withSendMessage((m, n) => n(swapped(m, grow)))
      .build(),
  );

/** The client interceptors of a variant. */
export function clientInterceptors(variant: Variant): Interceptor[] {
  if (variant === "plain") return [];
  if (variant === "no-op") return [noopClient];
  if (variant === "floor: token-sized strings") return [floorClient];
  return [createClientInterceptor({ key, format: formatOf(variant), ...telemetryFor(variant) })];
}

function serverInterceptors(variant: Variant): ServerInterceptor[] {
  if (variant === "plain") return [];
  if (variant === "no-op") return [noopServer];
  if (variant === "floor: token-sized strings") return [floorServer];
  return [createServerInterceptor({ key, format: formatOf(variant), ...telemetryFor(variant) })];
}

/** A running echo server of BenchService. */
export interface EchoServer {
  readonly port: number;
  shutdown(): void;
}

/** Starts BenchService's echo server with a variant's interceptors on a free loopback port. */
export async function startEchoServer(variant: Variant): Promise<EchoServer> {
  const server = new Server({ interceptors: serverInterceptors(variant) });
  server.addService(createGrpcServiceDefinition(BenchService), {
    sensitive: (call: { request: Sensitive8 }, cb: (e: null, v: Sensitive8) => void) => cb(null, call.request),
    clear: (call: { request: Clear8 }, cb: (e: null, v: Clear8) => void) => cb(null, call.request),
    sensitiveStream: (call: NodeJS.EventEmitter & { write(m: Sensitive8): boolean; end(): void }) => {
      call.on("data", (m: Sensitive8) => call.write(m));
      call.on("end", () => call.end());
    },
  });
  const port = await new Promise<number>((res, rej) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
  );
  return { port, shutdown: () => server.forceShutdown() };
}
