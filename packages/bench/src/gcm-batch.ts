// Batched AES-GCM (core's gcm-batch.ts) against node:crypto's AES-GCM by hand,
// per value, in the same run: `node packages/bench/dist/gcm-batch.js [rounds] [--sweep]`.
// Standalone (not part of `pnpm bench`) until szc1 uses the batch.
//
// Each round runs every case for a fixed time, interleaved, and records wall
// and CPU time per value; the table shows medians over rounds, and the ratio
// is node:crypto's time over the batch's within each round (then the median),
// so load from other processes hits both sides of a ratio alike. Nonces are
// drawn beforehand for both sides: nonce generation is not what is compared.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { SzcryptKey } from "@szcrypt/core";
// Not public entry points of @szcrypt/core (yet): the built modules themselves.
import { GcmAad, gcmOpenBatch, gcmSealBatch } from "../../core/dist/formats/gcm-batch.js";
import { ghashKey, ghashUpdate } from "../../core/dist/formats/ghash.js";

interface Sample {
  wall: number;
  cpu: number;
}

const args = process.argv.slice(2);
const rounds = Number(args.find((a) => /^\d+$/.test(a)) ?? 9);
const sweep = args.includes("--sweep");
const dudect = args.includes("--dudect");
const MS_PER_CASE = 120;

function measure(fn: () => unknown, values: number): Sample {
  // A few calls first, so each case starts in optimized code.
  for (let i = 0; i < 20; i++) {
    fn();
  }
  let calls = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const until = t0 + BigInt(MS_PER_CASE * 1e6);
  let now = t0;
  while (now < until) {
    for (let i = 0; i < 10; i++) {
      fn();
    }
    calls += 10;
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: Number(now - t0) / (calls * values), cpu: ((cpu.user + cpu.system) * 1000) / (calls * values) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

interface Pair {
  readonly name: string;
  readonly values: number;
  readonly batch: () => unknown;
  readonly node: () => unknown;
}

function pairs(keyBytes: 16 | 32, n: number, length: number): Pair[] {
  const raw = randomBytes(keyBytes);
  const key = SzcryptKey.fromBytes(raw);
  const algorithm = keyBytes === 16 ? "aes-128-gcm" : "aes-256-gcm";
  // szc1's associated data for a typical key id and field name (46 bytes).
  const aad = Buffer.from("szc1\0primary-2026\0sz.bench.v1.Payment.card_number", "utf8");
  const prepared = GcmAad.of(key, aad);
  const plaintexts = Array.from({ length: n }, () => randomBytes(length));
  const nonces = Array.from({ length: n }, () => randomBytes(12));
  const sealInputs = (a: Uint8Array | GcmAad) => plaintexts.map((plaintext, i) => ({ nonce: nonces[i] as Buffer, aad: a, plaintext }));
  const sealed = gcmSealBatch(key, sealInputs(aad));
  const openInputs = (a: Uint8Array | GcmAad) => sealed.map((s, i) => ({ nonce: nonces[i] as Buffer, aad: a, sealed: s }));
  const nodeSeal = (): Buffer[] => {
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const c = createCipheriv(algorithm, raw, nonces[i] as Buffer, { authTagLength: 16 });
      c.setAAD(aad);
      const head = c.update(plaintexts[i] as Buffer);
      const tail = c.final();
      out.push(Buffer.concat([head, tail, c.getAuthTag()]));
    }
    return out;
  };
  const nodeOpen = (): Buffer[] => {
    const out: Buffer[] = [];
    for (let i = 0; i < n; i++) {
      const s = sealed[i] as Uint8Array;
      const d = createDecipheriv(algorithm, raw, nonces[i] as Buffer, { authTagLength: 16 });
      d.setAAD(aad);
      d.setAuthTag(s.subarray(length));
      const head = d.update(s.subarray(0, length));
      out.push(Buffer.concat([head, d.final()]));
    }
    return out;
  };
  const label = `AES-${keyBytes * 8}, ${n} × ${length} B`;
  return [
    { name: `encrypt, ${label}, AAD prepared`, values: n, batch: () => gcmSealBatch(key, sealInputs(prepared)), node: nodeSeal },
    { name: `encrypt, ${label}, AAD raw`, values: n, batch: () => gcmSealBatch(key, sealInputs(aad)), node: nodeSeal },
    { name: `decrypt, ${label}, AAD prepared`, values: n, batch: () => gcmOpenBatch(key, openInputs(prepared)), node: nodeOpen },
    { name: `decrypt, ${label}, AAD raw`, values: n, batch: () => gcmOpenBatch(key, openInputs(aad)), node: nodeOpen },
  ];
}

/**
 * A fixed-versus-random timing test of the optimized GHASH (dudect's method):
 * 8 blocks under H = 1 over zero data (every word a small integer) against
 * random H and data, interleaved at random; Welch's t over the two classes'
 * times. |t| above 4.5 would say the time depends on the values.
 */
function timingTest(samples: number): void {
  const fixedKeys = Array.from({ length: 64 }, () => ghashKey(Buffer.from("00000000000000000000000000000001", "hex"), 0));
  const fixedData = Array.from({ length: 64 }, () => randomBytes(128).fill(0));
  const keys = Array.from({ length: 64 }, () => ghashKey(randomBytes(16), 0));
  const data = Array.from({ length: 64 }, () => randomBytes(128));
  // Both classes run on the same arrays, the class's values copied in just
  // before from as many arrays of the same kind: only the values differ.
  const slotKey = new Int32Array(72);
  const slotData = new Uint8Array(128);
  const y = new Int32Array(4);
  for (let i = 0; i < 20_000; i++) {
    ghashUpdate(keys[i & 63] as Int32Array, y, data[i & 63] as Buffer, 0, 128);
  }
  const times: [number[], number[]] = [[], []];
  const classes = randomBytes(samples);
  for (let i = 0; i < samples; i++) {
    const random = (classes[i] as number) & 1;
    slotKey.set((random === 1 ? keys : fixedKeys)[i & 63] as Int32Array);
    slotData.set((random === 1 ? data : fixedData)[i & 63] as Buffer);
    y.fill(0);
    const t0 = process.hrtime.bigint();
    ghashUpdate(slotKey, y, slotData, 0, 128);
    const t1 = process.hrtime.bigint();
    times[random]?.push(Number(t1 - t0));
  }
  // Drop the slowest 10% of each class (preemption by other processes, GC), as dudect crops.
  const stats = times.map((xs) => {
    const kept = [...xs].sort((a, b) => a - b).slice(0, Math.floor(xs.length * 0.9));
    const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
    const variance = kept.reduce((a, b) => a + (b - mean) ** 2, 0) / (kept.length - 1);
    return { n: kept.length, mean, variance, median: median(kept) };
  }) as [{ n: number; mean: number; variance: number; median: number }, { n: number; mean: number; variance: number; median: number }];
  const [f, r] = stats;
  const t = (f.mean - r.mean) / Math.sqrt(f.variance / f.n + r.variance / r.n);
  console.log(
    `GHASH of 8 blocks, fixed (H = 1, zero data) vs random: ${f.n} + ${r.n} samples, means ${f.mean.toFixed(0)} / ${r.mean.toFixed(0)} ns, medians ${f.median} / ${r.median} ns, Welch t = ${t.toFixed(2)}`,
  );
}

if (dudect) {
  timingTest(400_000);
  process.exit(0);
}

const cases: Pair[] = [...pairs(32, 8, 32), ...pairs(32, 32, 32), ...pairs(16, 8, 32), ...pairs(32, 1, 32)];
if (sweep) {
  for (const length of [64, 128, 256, 512, 1024]) {
    cases.push(...pairs(32, 8, length).filter((p) => p.name.includes("prepared")));
  }
}

const results = cases.map(() => ({ batch: [] as Sample[], node: [] as Sample[], ratioWall: [] as number[], ratioCpu: [] as number[] }));
for (let r = 0; r < rounds; r++) {
  cases.forEach((c, i) => {
    const res = results[i] as (typeof results)[number];
    // Alternate which side goes first, so neither always runs on a warmer machine.
    const first = r % 2 === 0;
    const a = first ? measure(c.batch, c.values) : undefined;
    const b = measure(c.node, c.values);
    const batch = a ?? measure(c.batch, c.values);
    res.batch.push(batch);
    res.node.push(b);
    res.ratioWall.push(b.wall / batch.wall);
    res.ratioCpu.push(b.cpu / batch.cpu);
  });
}

console.log(
  `Node.js ${process.version}, OpenSSL ${process.versions.openssl}; ${rounds} rounds of ${MS_PER_CASE} ms per case and side; ns per value, medians`,
);
console.log("");
console.log("| case | batch wall | node:crypto wall | speed-up (wall) | batch CPU | node:crypto CPU | speed-up (CPU) |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
cases.forEach((c, i) => {
  const res = results[i] as (typeof results)[number];
  const f = (x: number) => Math.round(x).toLocaleString("en-US");
  console.log(
    `| ${c.name} | ${f(median(res.batch.map((s) => s.wall)))} | ${f(median(res.node.map((s) => s.wall)))} | ${median(res.ratioWall).toFixed(2)}× | ${f(median(res.batch.map((s) => s.cpu)))} | ${f(median(res.node.map((s) => s.cpu)))} | ${median(res.ratioCpu).toFixed(2)}× |`,
  );
});
