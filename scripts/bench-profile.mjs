// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by category
// (szcrypt, grpc-js, protobuf-es, node:http2, streams/net, crypto, natives, GC)
// and the top functions by self time, as Markdown tables.
//   node scripts/bench-profile.mjs FILE.cpuprofile [--cpu-us-per-unit X --unit call] [--top 25]
//     [--baseline NOOP.cpuprofile --baseline-cpu-us-per-unit Y]
// Shares are of the profile's non-idle samples. Sample intervals are wall time
// (a descheduled process stretches them), so µs come from the process's
// measured CPU time per unit (--cpu-us-per-unit) times each share.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    "cpu-us-per-unit": { type: "string" },
    baseline: { type: "string" },
    "baseline-cpu-us-per-unit": { type: "string" },
    unit: { type: "string", default: "unit" },
    top: { type: "string", default: "25" },
  },
});
function category(n, nodes, parent) {
  const { functionName: f, url } = n.callFrame;
  if (f === "(garbage collector)") return "GC";
  if (f === "(program)") return "(program: V8/native, unattributed)";
  if (f === "(idle)") return "(idle)";
  if (f === "(root)") return "(root)";
  if (url === "") {
    // A C++ binding: named after the nearest JavaScript caller's category.
    let p = parent.get(n.id);
    while (p !== undefined && nodes.get(p).callFrame.url === "" && !nodes.get(p).callFrame.functionName.startsWith("(")) p = parent.get(p);
    const pc = p === undefined ? "?" : category(nodes.get(p), nodes, parent);
    return `native ← ${pc.replace(/^native ← /, "")}`;
  }
  if (url.includes("/packages/core/")) return "szcrypt core";
  if (url.includes("/packages/grpc-js/")) return "szcrypt grpc-js";
  if (url.includes("/packages/bench/")) return "bench harness";
  if (url.includes("@grpc/grpc-js") || url.includes("@grpc+grpc-js")) return "grpc-js";
  if (url.includes("@bufbuild/protobuf") || url.includes("@bufbuild+protobuf")) return "protobuf-es";
  if (url.includes("@opentelemetry")) return "OpenTelemetry";
  if (/^node:(internal\/)?http2/.test(url)) return "node:http2";
  if (/^node:(internal\/)?crypto/.test(url)) return "node:crypto (JS)";
  if (/^node:(internal\/)?(net|stream|streams|buffer|timers|events|process|async_hooks|util|url|dns)/.test(url)) {
    return `node:${url.replace(/^node:(internal\/)?/, "").split("/")[0]}`;
  }
  if (url.startsWith("node:")) return "node (other)";
  return "other";
}

/** Self time (µs of samples) by category and by function, idle apart. */
function summarize(file) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  let total = 0;
  let idle = 0;
  const byCategory = new Map();
  const byFunction = new Map();
  for (const [id, us] of self) {
    const n = nodes.get(id);
    const cat = category(n, nodes, parent);
    if (cat === "(idle)") {
      idle += us;
      continue;
    }
    total += us;
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + us);
    const { functionName, url, lineNumber } = n.callFrame;
    const key = `${functionName || "(anonymous)"} ${url === "" ? "" : `${basename(url)}:${lineNumber + 1}`}`.trim();
    const e = byFunction.get(key) ?? { us: 0, cat };
    e.us += us;
    byFunction.set(key, e);
  }
  return { total, idle, byCategory, byFunction };
}

const { total, idle, byCategory, byFunction } = summarize(positionals[0]);
const cpu = values["cpu-us-per-unit"] === undefined ? undefined : Number(values["cpu-us-per-unit"]);
const per = (us) => (cpu === undefined ? "" : ` | ${((cpu * us) / total).toFixed(1)}`);
const perHead = cpu === undefined ? "" : ` | µs CPU per ${values.unit}`;
const perRule = cpu === undefined ? "" : " | ---:";
const pct = (us) => `${((100 * us) / total).toFixed(1)}%`;
const lines = [];
lines.push(
  `Samples: ${(total / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle (wall-clock intervals)${cpu === undefined ? "" : `; ${cpu.toFixed(1)} µs CPU per ${values.unit} (process.cpuUsage)`}`,
  "",
);
lines.push(`| category | self time${perHead} |`, `| --- | ---:${perRule} |`);
for (const [cat, us] of [...byCategory].sort((a, b) => b[1] - a[1])) lines.push(`| ${cat} | ${pct(us)}${per(us)} |`);
lines.push("", `| function | category | self time${perHead} |`, `| --- | --- | ---:${perRule} |`);
for (const [fn, e] of [...byFunction].sort((a, b) => b[1].us - a[1].us).slice(0, Number(values.top))) {
  lines.push(`| \`${fn}\` | ${e.cat} | ${pct(e.us)}${per(e.us)} |`);
}
// Against a baseline profile (the no-op interceptors): µs per unit by category, and the difference.
if (values.baseline !== undefined && cpu !== undefined) {
  const base = summarize(values.baseline);
  const baseCpu = Number(values["baseline-cpu-us-per-unit"]);
  const mine = (us) => (cpu * us) / total;
  const theirs = (us) => (baseCpu * us) / base.total;
  lines.push("", `| category | this case µs | baseline µs | difference µs per ${values.unit} |`, "| --- | ---: | ---: | ---: |");
  const cats = new Set([...byCategory.keys(), ...base.byCategory.keys()]);
  const rows = [...cats].map((c) => [c, mine(byCategory.get(c) ?? 0), theirs(base.byCategory.get(c) ?? 0)]);
  rows.sort((a, b) => b[1] - b[2] - (a[1] - a[2]));
  for (const [c, m, t] of rows) lines.push(`| ${c} | ${m.toFixed(1)} | ${t.toFixed(1)} | ${(m - t).toFixed(1)} |`);
  lines.push(`| **all** | ${cpu.toFixed(1)} | ${baseCpu.toFixed(1)} | ${(cpu - baseCpu).toFixed(1)} |`);
}
console.log(lines.join("\n"));
