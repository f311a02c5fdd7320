import {
  credentials,
  InterceptingCall,
  type Interceptor,
  ListenerBuilder,
  Metadata,
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
import { createClientInterceptor, createGrpcClient, createGrpcServiceDefinition, createServerInterceptor } from "@szcrypt/grpc-js";
import { BenchService, type Clear8, type Sensitive8 } from "./gen/sz/bench/v1/bench_pb.js";
import { clear8, sensitive8 } from "./plans.js";
import { type Row, row } from "./report.js";

type Variant = "plain" | "no-op" | "szcrypt legacy-cbc" | "szcrypt szc1" | "szcrypt legacy-cbc + OTel metrics";
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

interface Pair {
  client: ReturnType<typeof createGrpcClient<typeof BenchService>>;
  close(): void;
}

async function pair(variant: Variant): Promise<Pair> {
  const [si, ci]: [ServerInterceptor[], Interceptor[]] =
    variant === "plain"
      ? [[], []]
      : variant === "no-op"
        ? [[noopServer], [noopClient]]
        : [
            [createServerInterceptor({ key, format: variant === "szcrypt szc1" ? "szc1" : "legacy-cbc", ...telemetryFor(variant) })],
            [createClientInterceptor({ key, format: variant === "szcrypt szc1" ? "szc1" : "legacy-cbc", ...telemetryFor(variant) })],
          ];
  const server = new Server({ interceptors: si });
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
  const client = createGrpcClient(BenchService, `127.0.0.1:${port}`, credentials.createInsecure(), { interceptors: ci });
  return {
    client,
    close: () => {
      client.close();
      server.forceShutdown();
    },
  };
}

async function unaryRate(p: Pair, method: "sensitive" | "clear", inFlight: number, calls: number): Promise<number> {
  const message = method === "sensitive" ? sensitive8() : clear8();
  let started = 0;
  const call = () =>
    new Promise<void>((resolve, reject) =>
      (p.client[method] as (m: unknown, md: Metadata, o: object, cb: (e: Error | null) => void) => void)(
        message,
        new Metadata(),
        {},
        (e) => (e ? reject(e) : resolve()),
      ),
    );
  const worker = async () => {
    while (started < calls) {
      started++;
      await call();
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return calls / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function bidiRate(p: Pair, messages: number): Promise<number> {
  const message = sensitive8();
  const t0 = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    const call = p.client.sensitiveStream(new Metadata());
    let received = 0;
    call.on("data", () => {
      received++;
    });
    call.on("error", reject);
    call.on("end", () => (received === messages ? resolve() : reject(new Error(`received ${received} of ${messages}`))));
    let sent = 0;
    const pump = () => {
      while (sent < messages) {
        sent++;
        if (!call.write(message)) {
          call.once("drain", pump);
          return;
        }
      }
      call.end();
    };
    pump();
  });
  return messages / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

interface Measured {
  /** Median rate over the rounds. */
  readonly rate: number;
  /** Median over the rounds of this variant's rate ÷ the no-op rate measured next to it. */
  readonly ratio: number;
}

/**
 * Each variant measured in every round, rounds interleaved (order reversed
 * every other round). Ratios are paired per round, then the median taken: a
 * slow drift in machine load cancels out of each pair.
 */
async function rounds(variants: Variant[], rounds: number, measure: (p: Pair) => Promise<number>): Promise<Map<Variant, Measured>> {
  const pairs = new Map<Variant, Pair>();
  for (const v of variants) {
    pairs.set(v, await pair(v));
  }
  const samples = new Map<Variant, number[]>(variants.map((v) => [v, []]));
  try {
    for (const v of variants) {
      await measure(pairs.get(v) as Pair); // warm-up
    }
    for (let r = 0; r < rounds; r++) {
      for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
        samples.get(v)?.push(await measure(pairs.get(v) as Pair));
      }
    }
  } finally {
    for (const p of pairs.values()) {
      p.close();
    }
  }
  const base = samples.get("no-op") ?? [];
  return new Map(
    variants.map((v) => {
      const own = samples.get(v) ?? [];
      return [v, { rate: median(own), ratio: median(own.map((x, i) => x / (base[i] ?? x))) }];
    }),
  );
}

export async function grpcRows(selected: (name: string) => boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const all: Variant[] = ["plain", "no-op", "szcrypt legacy-cbc", "szcrypt szc1", "szcrypt legacy-cbc + OTel metrics"];
  const add = (r: Map<Variant, Measured>, name: string, v: Variant, unit: string, target?: number) => {
    const noop = { name: "no-op interceptors", opsPerSec: r.get("no-op")?.rate ?? 1 };
    rows.push(row("grpc", name, r.get(v)?.rate ?? 0, noop, target, unit, r.get(v)?.ratio));
  };
  for (const inFlight of [1, 32]) {
    const name = `unary-${inFlight}-in-flight`;
    if (!selected(`grpc/${name}`)) {
      continue;
    }
    const r = await rounds(all, 7, (p) => unaryRate(p, "sensitive", inFlight, inFlight === 1 ? 800 : 3000));
    add(r, `${name}/plain (no interceptors)`, "plain", "calls");
    add(r, `${name}/szcrypt legacy-cbc, 8 sensitive fields`, "szcrypt legacy-cbc", "calls", inFlight === 32 ? 0.9 : undefined);
    add(r, `${name}/szcrypt szc1, 8 sensitive fields`, "szcrypt szc1", "calls");
    add(r, `${name}/szcrypt legacy-cbc + OTel SDK metrics, 8 sensitive fields`, "szcrypt legacy-cbc + OTel metrics", "calls");
  }
  if (selected("grpc/unary-32-in-flight/no-sensitive-field")) {
    // Two variants whose difference is tens of nanoseconds per call: more rounds, so the median settles.
    const r = await rounds(["no-op", "szcrypt legacy-cbc"], 11, (p) => unaryRate(p, "clear", 32, 3000));
    add(r, "unary-32-in-flight/no-sensitive-field", "szcrypt legacy-cbc", "calls", 0.98);
  }
  if (selected("grpc/bidi-10k")) {
    const r = await rounds(all, 3, (p) => bidiRate(p, 10_000));
    add(r, "bidi-10k/plain (no interceptors)", "plain", "msgs");
    add(r, "bidi-10k/szcrypt legacy-cbc", "szcrypt legacy-cbc", "msgs");
    add(r, "bidi-10k/szcrypt szc1", "szcrypt szc1", "msgs");
    add(r, "bidi-10k/szcrypt legacy-cbc + OTel SDK metrics", "szcrypt legacy-cbc + OTel metrics", "msgs");
  }
  return rows;
}
