#!/usr/bin/env node
// `pnpm test`: lint, the generated-code check, typecheck and every package's
// tests through turbo, then one closing line that counts every test of the
// run: `N passed, N failed`.
//
// test-totals.mjs adds up each package's node:test summary and the conformance
// runner's own `N passed, N failed`, and reports failed hooks as such.
import { spawn } from "node:child_process";
import { createTotals } from "./test-totals.mjs";

const args = [
  "exec",
  "turbo",
  "run",
  "lint",
  "check-generated",
  "typecheck",
  "test",
  "--log-order=grouped",
  "--continue",
  "--env-mode=loose",
  ...process.argv.slice(2),
];
const child = spawn("pnpm", args, {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1", FORCE_COLOR: "0" },
});

const totals = createTotals();
let pending = "";

child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString("utf8");
  const lines = pending.split("\n");
  pending = lines.pop() ?? "";
  lines.forEach(totals.count);
});

child.on("close", (code) => {
  if (pending !== "") totals.count(pending);
  const { lines, ok } = totals.finish(code);
  for (const line of lines) console.log(line);
  process.exit(ok ? 0 : 1);
});
