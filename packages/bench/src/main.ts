// `pnpm bench [regex]`: szcrypt's benchmarks. Every number is a ratio against a
// baseline measured in the same run on the same machine: never a time target.
// Without a filter, the results are also written to BENCHMARKS.md.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { codecRows } from "./codec.js";
import { grpcRows } from "./grpc.js";
import { planRows } from "./plans.js";
import { formatTable, type Row } from "./report.js";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { "no-write": { type: "boolean" }, help: { type: "boolean", short: "h" } },
});
if (values.help) {
  console.log("usage: pnpm bench [regex] [--no-write]\n  regex selects cases by name, e.g. 'codec/', 'legacy/decrypt', 'grpc/unary-32'");
  process.exit(0);
}
const filter = positionals[0] === undefined ? undefined : new RegExp(positionals[0]);
// A group runs when a case name could match: plain substring tests keep this simple.
const selected = (name: string) =>
  filter === undefined || filter.test(name) || filter.test(`codec/${name}`) || filter.test(`plans/${name}`) || filter.test(`grpc/${name}`);

const started = Date.now();
const notes: string[] = [];
const rows: Row[] = [...(await codecRows(selected, notes)), ...(await planRows(selected)), ...(await grpcRows(selected))].filter(
  (r) => filter === undefined || filter.test(`${r.group}/${r.name}`),
);
const table = formatTable(rows);
console.log(table);
for (const n of notes) {
  console.log(`note: ${n}`);
}
const missed = rows.filter((r) => r.target !== undefined && (r.ratio ?? 0) < r.target);
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`\n${rows.filter((r) => r.target !== undefined).length - missed.length} targets met, ${missed.length} missed, in ${seconds} s`);

if (filter === undefined && !values["no-write"]) {
  const openssl = (() => {
    try {
      return execFileSync("openssl", ["version"], { encoding: "utf8" }).trim();
    } catch {
      return "not installed";
    }
  })();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}, ${openssl}`;
  const doc = `# Benchmarks

Written by \`pnpm bench\` on ${new Date().toISOString().slice(0, 10)}; do not edit by hand. Rerun with \`pnpm bench\` (all cases, rewrites this file, about ${seconds} s) or \`pnpm bench REGEX\` (selected cases, prints only).

Machine: ${machine}.

Every figure is a ratio against a baseline measured in the same run, because these machines are noisy: absolute ns/op are for orientation only. gRPC cases run client and server in one process on loopback and interleave the variants over several rounds; their ratio is the median of per-round ratios to the no-op run next to it, so slow drift in machine load cancels out.

${table}

${notes.map((n) => `- ${n}`).join("\n")}

Targets: ${missed.length === 0 ? "all met." : `missed: ${missed.map((r) => `${r.group}/${r.name} (${r.ratio?.toFixed(2)}× of ≥ ${r.target}×)`).join("; ")}.`}

${readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../ANALYSIS.md"), "utf8")}`;
  writeFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../../BENCHMARKS.md"), doc);
  console.log("wrote BENCHMARKS.md");
}
