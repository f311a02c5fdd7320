import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { credentials, Metadata } from "@grpc/grpc-js";
import { createGrpcClient } from "@szcrypt/grpc-js";
import { BenchService } from "./gen/sz/bench/v1/bench_pb.js";
import { clientInterceptors, startEchoServer, type Variant, variants } from "./grpc-variants.js";
import { clear8, sensitive8 } from "./plans.js";
import { type Row, row } from "./report.js";

/** Where the server runs: in the bench process, or in a child of its own (as in production). */
export type Processes = "one" | "two";

/**
 * Node.js options for the server children of the two-process cases, e.g.
 * `SZCRYPT_BENCH_SERVER_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"` to profile
 * the server apart from the client.
 */
const serverExecArgv = (process.env["SZCRYPT_BENCH_SERVER_ARGS"] ?? "").split(/\s+/).filter((a) => a !== "");

/** A client connected to an echo server of one variant. */
export interface Pair {
  client: ReturnType<typeof createGrpcClient<typeof BenchService>>;
  /** The process serving: this one, or the server child's. */
  readonly serverPid: number;
  close(): Promise<void>;
}

async function serverChild(variant: Variant): Promise<{ port: number; child: ChildProcess }> {
  const child = fork(join(dirname(fileURLToPath(import.meta.url)), "grpc-server.js"), [variant], {
    execArgv: serverExecArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [message] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(([code]) => Promise.reject(new Error(`the ${variant} server child exited (${code})`))),
  ])) as [{ port: number }];
  return { port: message.port, child };
}

/** Starts an echo server of a variant (in this process or a child) and connects a client with the same variant. */
export async function pair(variant: Variant, processes: Processes): Promise<Pair> {
  let port: number;
  let serverPid = process.pid;
  let stop: () => Promise<void>;
  if (processes === "one") {
    const server = await startEchoServer(variant);
    port = server.port;
    stop = async () => server.shutdown();
  } else {
    const { port: p, child } = await serverChild(variant);
    port = p;
    serverPid = child.pid ?? -1;
    stop = async () => {
      const exited = once(child, "exit");
      child.disconnect();
      await exited;
    };
  }
  const client = createGrpcClient(BenchService, `127.0.0.1:${port}`, credentials.createInsecure(), {
    interceptors: clientInterceptors(variant),
  });
  return {
    client,
    serverPid,
    close: async () => {
      client.close();
      await stop();
    },
  };
}

/** Calls/s of `calls` unary calls with `inFlight` outstanding at a time. */
export async function unaryRate(p: Pair, method: "sensitive" | "clear", inFlight: number, calls: number): Promise<number> {
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

/** Messages/s echoed through one bidi stream. */
export async function bidiRate(p: Pair, messages: number): Promise<number> {
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
async function rounds(
  selection: readonly Variant[],
  processes: Processes,
  count: number,
  measure: (p: Pair) => Promise<number>,
): Promise<Map<Variant, Measured>> {
  const pairs = new Map<Variant, Pair>();
  const samples = new Map<Variant, number[]>(selection.map((v) => [v, []]));
  try {
    for (const v of selection) {
      pairs.set(v, await pair(v, processes));
    }
    for (const v of selection) {
      await measure(pairs.get(v) as Pair); // warm-up
    }
    for (let r = 0; r < count; r++) {
      for (const v of r % 2 === 0 ? selection : [...selection].reverse()) {
        samples.get(v)?.push(await measure(pairs.get(v) as Pair));
      }
    }
  } finally {
    await Promise.all([...pairs.values()].map((p) => p.close()));
  }
  const base = samples.get("no-op") ?? [];
  return new Map(
    selection.map((v) => {
      const own = samples.get(v) ?? [];
      return [v, { rate: median(own), ratio: median(own.map((x, i) => x / (base[i] ?? x))) }];
    }),
  );
}

/**
 * The gRPC cases, as ratios to no-op interceptors measured in the same rounds.
 * `processes: "one"` (group `grpc`) runs client and server in the bench
 * process and carries issue #18's targets; `"two"` (group `grpc-2proc`) forks
 * the server, as in production, and is reported beside it.
 */
export async function grpcRows(selected: (name: string) => boolean, processes: Processes): Promise<Row[]> {
  const group = processes === "one" ? "grpc" : "grpc-2proc";
  const rows: Row[] = [];
  // Across processes every call costs several times more: fewer calls and rounds keep the run short,
  // and the OTel variant (a client/server-symmetric cost already measured in one process) is left out.
  const all: readonly Variant[] =
    processes === "one" ? variants : variants.filter((v) => v !== "szcrypt legacy-cbc + OTel metrics" && !v.startsWith("floor"));
  const target = (t: number) => (processes === "one" ? t : undefined);
  const add = (r: Map<Variant, Measured>, name: string, v: Variant, unit: string, t?: number) => {
    if (!r.has(v)) return;
    const noop = { name: "no-op interceptors", opsPerSec: r.get("no-op")?.rate ?? 1 };
    rows.push(row(group, name, r.get(v)?.rate ?? 0, noop, t === undefined ? undefined : target(t), unit, r.get(v)?.ratio));
  };
  for (const inFlight of [1, 32]) {
    const name = `unary-${inFlight}-in-flight`;
    if (!selected(`${group}/${name}`)) {
      continue;
    }
    const calls = processes === "one" ? (inFlight === 1 ? 800 : 3000) : inFlight === 1 ? 400 : 2000;
    const r = await rounds(all, processes, processes === "one" ? 7 : 5, (p) => unaryRate(p, "sensitive", inFlight, calls));
    add(r, `${name}/plain (no interceptors)`, "plain", "calls");
    add(r, `${name}/szcrypt legacy-cbc, 8 sensitive fields`, "szcrypt legacy-cbc", "calls", inFlight === 32 ? 0.9 : undefined);
    add(r, `${name}/szcrypt szc1, 8 sensitive fields`, "szcrypt szc1", "calls", 0.7);
    add(r, `${name}/szcrypt legacy-cbc + OTel SDK metrics, 8 sensitive fields`, "szcrypt legacy-cbc + OTel metrics", "calls");
    add(r, `${name}/floor: token-sized strings, no crypto (see BENCHMARKS.md)`, "floor: token-sized strings", "calls");
  }
  if (selected(`${group}/unary-32-in-flight/no-sensitive-field`)) {
    // Two variants whose difference is tens of nanoseconds per call: more rounds, so the median settles.
    const r = await rounds(["no-op", "szcrypt legacy-cbc"], processes, processes === "one" ? 11 : 7, (p) =>
      unaryRate(p, "clear", 32, processes === "one" ? 3000 : 2000),
    );
    add(r, "unary-32-in-flight/no-sensitive-field", "szcrypt legacy-cbc", "calls", 0.98);
  }
  if (selected(`${group}/bidi-10k`)) {
    const r = await rounds(all, processes, 3, (p) => bidiRate(p, 10_000));
    add(r, "bidi-10k/plain (no interceptors)", "plain", "msgs");
    add(r, "bidi-10k/szcrypt legacy-cbc", "szcrypt legacy-cbc", "msgs", 0.75);
    add(r, "bidi-10k/szcrypt szc1", "szcrypt szc1", "msgs", 0.6);
    add(r, "bidi-10k/szcrypt legacy-cbc + OTel SDK metrics", "szcrypt legacy-cbc + OTel metrics", "msgs");
    add(r, "bidi-10k/floor: token-sized strings, no crypto (see BENCHMARKS.md)", "floor: token-sized strings", "msgs");
  }
  return rows;
}
