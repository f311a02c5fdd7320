// `pnpm test`'s closing count (scripts/test-totals.mjs) fed with real node:test
// output: a failing after or before hook is not in node:test's `ℹ fail`, and
// must still fail the run, reported as a hook failure, not as a build failure.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

interface Totals {
  count(line: string): void;
  finish(code: number | null): { lines: string[]; ok: boolean };
}

function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    dir = dirname(dir);
  }
  return dir;
}
const { createTotals } = (await import(pathToFileURL(join(repoRoot(), "scripts/test-totals.mjs")).href)) as {
  createTotals(): Totals;
};

const dir = mkdtempSync(join(tmpdir(), "szcrypt-totals-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs one node:test file and feeds its output to a fresh tally, lines prefixed as turbo does. */
function tally(source: string): { code: number | null; summary: { lines: string[]; ok: boolean } } {
  const file = join(dir, `case-${Math.random().toString(36).slice(2)}.test.mjs`);
  writeFileSync(file, source);
  // Without NODE_TEST_CONTEXT, which would make the child report to this run instead of printing.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", file], { encoding: "utf8", env: { ...env, FORCE_COLOR: "0" } });
  const totals = createTotals();
  for (const line of r.stdout.split("\n")) {
    totals.count(`@szcrypt/x:test: ${line}`);
  }
  // turbo's exit code: non-zero when the task failed.
  return { code: r.status === 0 ? 0 : 1, summary: totals.finish(r.status === 0 ? 0 : 1) };
}

describe("the closing count of pnpm test", () => {
  it("a failing after hook fails the run and is reported as a hook, not as the build", () => {
    const { summary } = tally(`import { describe, it, after } from "node:test";
describe("suite", () => { after(() => { throw new Error("boom"); }); it("a", () => {}); it("b", () => {}); });`);
    assert.equal(summary.ok, false);
    assert.equal(summary.lines.at(-1), "2 passed, 1 failed");
    assert.match(
      summary.lines.join("\n"),
      /@szcrypt\/x:test: 1 failure\(s\) outside any test \(a before\/after hook or a suite\).*: suite/,
    );
    assert.doesNotMatch(summary.lines.join("\n"), /build, lint, typecheck/);
  });

  it("a failing before hook: its tests are cancelled and counted as failed, the hook reported", () => {
    const { summary } = tally(`import { describe, it, before } from "node:test";
describe("suite", () => { before(() => { throw new Error("boom"); }); it("a", () => {}); });
describe("other", () => { it("c", () => {}); });`);
    assert.equal(summary.ok, false);
    assert.equal(summary.lines.at(-1), "1 passed, 2 failed");
    assert.match(summary.lines.join("\n"), /1 failure\(s\) outside any test/);
  });

  it("an ordinary failing test is counted once, with nothing else reported", () => {
    const { summary } = tally(`import { it } from "node:test";
it("ok", () => {}); it("bad", () => { throw new Error("x"); });`);
    assert.deepEqual(summary.lines, ["1 passed, 1 failed"]);
  });

  it("a passing run passes; a failed build with every test passing blames the build", () => {
    assert.deepEqual(tally(`import { it } from "node:test"; it("ok", () => {});`).summary, { lines: ["1 passed, 0 failed"], ok: true });
    const totals = createTotals();
    totals.count("@szcrypt/x:test: ℹ pass 3");
    totals.count("@szcrypt/x:test: ℹ fail 0");
    assert.deepEqual(totals.finish(2).lines, [
      "turbo exited with code 2 (a build, lint, typecheck or generated-code check failed)",
      "3 passed, 1 failed",
    ]);
  });
});
