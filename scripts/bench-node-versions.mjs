// Prints the rows of several `pnpm bench --json` runs side by side, one ratio
// column per Node.js version, with each target's verdict per version:
//   node scripts/bench-node-versions.mjs [--write FILE] run-v20.json run-v22.json …
// Called by scripts/bench-node-versions.sh.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { writeGenerated } from "../packages/bench/dist/document.js";
import { markdownTable } from "../packages/bench/dist/report.js";

const { positionals: files, values } = parseArgs({ allowPositionals: true, options: { write: { type: "string" } } });
const runs = files.map((f) => JSON.parse(readFileSync(f, "utf8")));
const names = [];
for (const run of runs) {
  for (const r of run.rows) {
    const name = `${r.group}/${r.name}`;
    if (!names.includes(name)) names.push(name);
  }
}
const cell = (run, name) => {
  const r = run.rows.find((x) => `${x.group}/${x.name}` === name);
  if (r === undefined || r.ratio === undefined) return "";
  const verdict = r.target === undefined ? "" : r.ratio >= r.target ? " met" : " MISSED";
  return `${r.ratio.toFixed(2)}×${verdict}`;
};
const target = (name) => {
  const r = runs.flatMap((run) => run.rows).find((x) => `${x.group}/${x.name}` === name && x.target !== undefined);
  return r === undefined ? "" : `≥ ${r.target}×`;
};
const baseline = (name) => runs.flatMap((run) => run.rows).find((x) => `${x.group}/${x.name}` === name)?.baseline?.name ?? "";
const head = ["case", "vs", ...runs.map((r) => `Node.js ${r.conditions.node} (OpenSSL ${r.conditions.nodeOpenssl})`), "target"];
const body = names.map((n) => [n, baseline(n), ...runs.map((run) => cell(run, n)), target(n)]);
const table = markdownTable(head, body);
const conditions = runs
  .map(
    (r) =>
      `- Node.js ${r.conditions.node}: ${r.conditions.date} UTC, ${r.conditions.seconds} s, load average ${r.conditions.loadBefore} → ${r.conditions.loadAfter}`,
  )
  .join("\n");
const totals = runs
  .map((r) => {
    const checked = r.rows.filter((x) => x.target !== undefined);
    const missed = checked.filter((x) => x.ratio < x.target);
    return `Node.js ${r.conditions.node}: ${checked.length - missed.length} met, ${missed.length} missed`;
  })
  .join("; ");
const text = `Ratios (each against its baseline from the same run of the same Node.js), written by \`pnpm bench:node-versions\`; runs one after the other on a shared machine:

${conditions}

${table}

Targets: ${totals}.`;
console.log(`\n${text}`);
if (values.write !== undefined) {
  writeGenerated(values.write, text, "pnpm bench:node-versions");
  console.log(`wrote the node-versions part of ${values.write}`);
}
