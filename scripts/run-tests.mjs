#!/usr/bin/env node
// `pnpm test`: lint, the generated-code check, typecheck and every package's
// tests through turbo, then one closing line that counts every test of the
// run: `N passed, N failed`.
//
// Each package's node:test run ends with `ℹ pass N` / `ℹ fail N`, and the
// conformance runner with its own `N passed, N failed`; this script adds them.
import { spawn } from "node:child_process";

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

const totals = { passed: 0, failed: 0, skipped: 0 };
let pending = "";
const ansi = /\u001b\[[0-9;]*m/g;

function count(line) {
  const text = line.replace(ansi, "");
  let m = /ℹ (pass|fail|skipped) (\d+)\s*$/.exec(text);
  if (m) {
    const n = Number(m[2]);
    if (m[1] === "pass") totals.passed += n;
    else if (m[1] === "fail") totals.failed += n;
    else totals.skipped += n;
    return;
  }
  m = /(?:^|: )(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/.exec(text);
  if (m) {
    totals.passed += Number(m[1]);
    totals.failed += Number(m[2]);
    totals.skipped += Number(m[3] ?? 0);
  }
}

child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  pending += chunk.toString("utf8");
  const lines = pending.split("\n");
  pending = lines.pop() ?? "";
  lines.forEach(count);
});

child.on("close", (code) => {
  if (pending !== "") count(pending);
  const ok = code === 0 && totals.failed === 0 && totals.passed > 0;
  if (code !== 0 && totals.failed === 0) {
    console.log(`turbo exited with code ${code} (a build, lint, typecheck or generated-code check failed)`);
    totals.failed += 1;
  }
  if (totals.passed === 0) {
    console.log("no test ran");
  }
  const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : "";
  console.log(`${totals.passed} passed, ${totals.failed} failed${skipped}`);
  process.exit(ok ? 0 : 1);
});
