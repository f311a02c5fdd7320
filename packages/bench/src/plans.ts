import { createCipheriv, randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { createFieldCrypto, type FieldCrypto, parseKeySpec } from "@szcrypt/core";
import { createTelemetry, type Telemetry } from "@szcrypt/core/adapter";
import { Bench } from "tinybench";
import { BenchService, Clear8Schema, type Sensitive8, Sensitive8Schema } from "./gen/sz/bench/v1/bench_pb.js";
import { type Row, row } from "./report.js";

const KEY_HEX = "000102030405060708090a0b0c0d0e0f";
const raw = Buffer.from(KEY_HEX, "hex");
const FIELDS = ["f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8"] as const;
const value32 = (i: number) => `value-${i}-`.padEnd(32, "x");

export function sensitive8() {
  return create(Sensitive8Schema, { id: 7n, ...Object.fromEntries(FIELDS.map((f, i) => [f, value32(i)])) });
}
export function clear8() {
  return create(Clear8Schema, { id: 7n, ...Object.fromEntries(FIELDS.map((f, i) => [f, value32(i)])) });
}

// The hand-written baseline: copy the message, encrypt each of the 8 fields with node:crypto.
function byHand(m: Sensitive8): Sensitive8 {
  const out = { ...m };
  for (const f of FIELDS) {
    const iv = randomBytes(16);
    const c = createCipheriv("aes-128-cbc", raw, iv);
    out[f] = Buffer.concat([iv, c.update(m[f], "utf8"), c.final()]).toString("base64");
  }
  return out;
}

class IdleReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

// What a transport does per unary call: one forCall, one encrypt, one decrypt.
function roundTrip(telemetry: Telemetry | undefined, crypto: FieldCrypto, m: Sensitive8, sealed: Sensitive8): void {
  const c = telemetry === undefined ? crypto : telemetry.forCall(crypto, BenchService.method.sensitive, "client");
  c.encryptMessage(Sensitive8Schema, m);
  c.decryptMessage(Sensitive8Schema, sealed);
}

export async function planRows(selected: (name: string) => boolean): Promise<Row[]> {
  const crypto = createFieldCrypto({ key: parseKeySpec(`hex:${KEY_HEX}`) });
  const m = sensitive8();
  const sealed = crypto.encryptMessage(Sensitive8Schema, m);
  const c = clear8();
  const rows: Row[] = [];
  const bench = new Bench({ time: 300, warmupTime: 50 });
  bench.add("encrypt", () => crypto.encryptMessage(Sensitive8Schema, m));
  bench.add("decrypt", () => crypto.decryptMessage(Sensitive8Schema, sealed));
  bench.add("by hand", () => byHand(m));
  bench.add("none", () => crypto.encryptMessage(Clear8Schema, c));
  bench.add("identity", () => (globalThis as { sink?: unknown }).sink ?? c);
  const noSdk = createTelemetry();
  const withSdk = createTelemetry({ meterProvider: new MeterProvider({ readers: [new IdleReader()] }) });
  bench.add("round trip", () => roundTrip(undefined, crypto, m, sealed));
  bench.add("round trip, no SDK", () => roundTrip(noSdk, crypto, m, sealed));
  bench.add("round trip, SDK", () => roundTrip(withSdk, crypto, m, sealed));
  if (!selected("plans/")) {
    return rows;
  }
  await bench.run();
  const hz = (name: string) => {
    const r = bench.tasks.find((t) => t.name === name)?.result as { throughput?: { mean: number }; hz?: number } | undefined;
    return r?.throughput?.mean ?? r?.hz ?? 0;
  };
  const hand = { name: "8 fields by hand with node:crypto", opsPerSec: hz("by hand") };
  if (selected("plans/sensitive8-encrypt")) rows.push(row("plans", "sensitive8-encrypt", hz("encrypt"), hand));
  if (selected("plans/sensitive8-decrypt")) rows.push(row("plans", "sensitive8-decrypt", hz("decrypt"), hand));
  const bare = { name: "encrypt + decrypt without telemetry", opsPerSec: hz("round trip") };
  if (selected("plans/telemetry-no-sdk"))
    rows.push(row("plans", "telemetry-no-sdk, sensitive8 encrypt + decrypt", hz("round trip, no SDK"), bare));
  if (selected("plans/telemetry-sdk-metrics"))
    rows.push(row("plans", "telemetry-sdk-metrics, sensitive8 encrypt + decrypt", hz("round trip, SDK"), bare));
  if (selected("plans/no-sensitive-field"))
    rows.push(row("plans", "no-sensitive-field", hz("none"), { name: "returning the message", opsPerSec: hz("identity") }));
  return rows;
}
