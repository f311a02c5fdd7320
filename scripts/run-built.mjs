#!/usr/bin/env node
// Builds a workspace package and what it depends on, quietly, then runs one of
// its entry points with the remaining arguments:
//   node scripts/run-built.mjs @szcrypt/demo packages/demo/dist/demo.js [args…]
// The build's output is shown only when it fails.
import { spawnSync } from "node:child_process";

const [filter, entry, ...args] = process.argv.slice(2);
if (filter === undefined || entry === undefined) {
  console.error("usage: run-built.mjs <package> <entry.js> [args…]");
  process.exit(2);
}
const build = spawnSync("pnpm", ["exec", "turbo", "run", "build", `--filter=${filter}...`, "--output-logs=errors-only"], {
  encoding: "utf8",
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
});
if (build.status !== 0) {
  process.stderr.write(build.stdout + build.stderr);
  console.error(`building ${filter} failed`);
  process.exit(build.status ?? 1);
}
const run = spawnSync(process.execPath, [entry, ...args], { stdio: "inherit" });
process.exit(run.status ?? 1);
