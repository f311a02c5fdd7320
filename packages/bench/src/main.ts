// `pnpm bench [regex] [--write FILE] [--json FILE]`: szcrypt's benchmarks.
// Every number is a ratio against a baseline measured in the same run on the
// same machine: never a time target.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { codecRows } from "./codec.js";
import { writeGenerated } from "./document.js";
import { grpcRows } from "./grpc.js";
import { planRows } from "./plans.js";
import { formatTable, formatTargets, type Row } from "./report.js";

const usage = `usage: pnpm bench [regex] [--write FILE | --no-write] [--json FILE]
  regex         selects cases by name, e.g. 'codec/', 'szc1/', 'grpc/unary-32', 'grpc-2proc/';
                a filtered run prints only
  --write FILE  rewrites the generated part of FILE (default, for a run of every case:
                the checkout's BENCHMARKS.md), between its '<!-- pnpm bench: begin -->' and
                '<!-- pnpm bench: end -->' lines; the prose around them is kept
  --no-write    a run of every case that prints only
  --from-json FILE  renders a run saved by --json again, measuring nothing
  --json FILE   also writes the rows and the run's conditions as JSON (scripts/bench-node-versions.sh)`;
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    write: { type: "string" },
    "no-write": { type: "boolean" },
    "from-json": { type: "string" },
    json: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const filter = positionals[0] === undefined ? undefined : new RegExp(positionals[0]);
if (filter !== undefined && values.write !== undefined) {
  console.error("bench: --write rewrites the whole table, so it runs every case: drop the filter");
  process.exit(2);
}
const writeTo =
  values.write ??
  (filter === undefined && !values["no-write"] ? join(dirname(fileURLToPath(import.meta.url)), "../../../BENCHMARKS.md") : undefined);

// A group runs when a case name could match: plain substring tests keep this simple.
const selected = (name: string) =>
  filter === undefined || [name, `codec/${name}`, `plans/${name}`, `grpc/${name}`, `grpc-2proc/${name}`].some((n) => filter.test(n));

interface Conditions {
  readonly date: string;
  readonly node: string;
  readonly nodeOpenssl: string;
  readonly cpus: string;
  readonly memoryGiB: number;
  readonly opensslCli: string;
  readonly seconds: number;
  readonly loadBefore: string;
  readonly loadAfter: string;
}

async function measure(): Promise<{ conditions: Conditions; rows: Row[]; notes: string[] }> {
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(" ");
  const loadBefore = load();
  const started = Date.now();
  const notes: string[] = [];
  const rows: Row[] = [
    ...(await codecRows(selected, notes)),
    ...(await planRows(selected)),
    ...(await grpcRows(selected, "one")),
    ...(await grpcRows(selected, "two")),
  ].filter((r) => filter === undefined || filter.test(`${r.group}/${r.name}`));
  const seconds = Math.round((Date.now() - started) / 1000);
  const loadAfter = load();
  const opensslCli = (() => {
    try {
      return execFileSync("openssl", ["version"], { encoding: "utf8" }).trim();
    } catch {
      return "not installed";
    }
  })();
  const conditions: Conditions = {
    date: new Date().toISOString().slice(0, 16).replace("T", " "),
    node: process.version,
    nodeOpenssl: process.versions.openssl,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    opensslCli,
    seconds,
    loadBefore,
    loadAfter,
  };
  return { conditions, rows, notes };
}

// --from-json renders a saved run again (e.g. after a change to the report's layout) without measuring.
const { conditions, rows, notes } =
  values["from-json"] === undefined
    ? await measure()
    : (JSON.parse(readFileSync(values["from-json"], "utf8")) as { conditions: Conditions; rows: Row[]; notes: string[] });
const { seconds, loadBefore, loadAfter } = conditions;
const table = formatTable(rows);
const targets = formatTargets(rows);
console.log(table);
for (const n of notes) {
  console.log(`note: ${n}`);
}
if (targets !== "") {
  console.log(`\n${targets}`);
}
const checked = rows.filter((r) => r.target !== undefined);
const missed = checked.filter((r) => (r.ratio ?? 0) < (r.target ?? 0));
console.log(
  `\n${checked.length - missed.length} targets met, ${missed.length} missed, in ${seconds} s on Node.js ${conditions.node}; load average ${loadBefore} before, ${loadAfter} after`,
);

if (values.json !== undefined) {
  writeFileSync(values.json, `${JSON.stringify({ conditions, rows, notes }, null, 2)}\n`);
}
if (writeTo !== undefined) {
  const generated = `Written by \`pnpm bench\` (every case; or \`pnpm bench --write BENCHMARKS.md\`) on ${conditions.date} UTC from the code of this commit; the part between the markers is generated, the prose around it is kept. A full run took ${seconds} s; \`pnpm bench REGEX\` runs selected cases and prints only.

Machine: ${conditions.cpus}, ${conditions.memoryGiB} GiB, Node.js ${conditions.node} (OpenSSL ${conditions.nodeOpenssl}), CLI ${conditions.opensslCli}. Load average (1, 5, 15 min) ${loadBefore} at the start, ${loadAfter} at the end: the machine is shared, so absolute ns/op are for orientation only.

Every figure is a ratio against a baseline measured in the same run. gRPC cases interleave the variants over several rounds; their ratio is the median of per-round ratios to the no-op interceptors run next to it, so slow drift in machine load cancels out. \`grpc/\` runs client and server in the bench process; \`grpc-2proc/\` runs the server in a child process, as in production (same interceptors, fewer rounds, no OTel or floor variant). Issue #18's targets apply to the \`grpc/\` rows. The \`floor\` rows swap each sensitive value for a string as long as its legacy-cbc token and back, with no cryptography, in interceptors built like the no-op ones: what any field-level scheme with these tokens pays in this position (the longer wire format, the message copies), so a variant's distance to its floor is its own work.

${table}
${notes.map((n) => `\n- ${n}`).join("")}

### Targets

${targets}

${missed.length === 0 ? "All targets met." : `Missed: ${missed.map((r) => `${r.group}/${r.name} (${r.ratio?.toFixed(2)}× of ≥ ${r.target}×)`).join("; ")}.`}`;
  writeGenerated(writeTo, generated);
  console.log(`wrote the generated part of ${writeTo}`);
}
