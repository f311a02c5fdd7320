// The closing count of `pnpm test`, from the output of turbo's tasks: each
// package's node:test summary (`ℹ pass N`, `ℹ fail N`, `ℹ cancelled N`) and
// the conformance runner's `N passed, N failed`.
//
// node:test does not count a failing before/after hook or suite in `ℹ fail`
// (and a failed `before` turns its tests into `cancelled`), but it does list
// them under `✖ failing tests:` as `test at <file>` entries. Each task's listed
// entries are compared with what it counted, and the difference is reported as
// what it is, so that a failed hook is never blamed on the build.

const ansi = /\u001b\[[0-9;]*m/g;
// turbo prefixes each line of a task with `<package>:<task>: `.
const taskPrefix = /^(@?[\w.-]+(?:\/[\w.-]+)?:[\w:-]+): ?(.*)$/;

/** A fresh tally; feed it every line of output, then ask for the summary. */
export function createTotals() {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  /** @type {Map<string, { counted: number, listing: boolean, listed: string[], expectName: boolean }>} */
  const tasks = new Map();
  const task = (name) => {
    let t = tasks.get(name);
    if (t === undefined) {
      t = { counted: 0, listing: false, listed: [], expectName: false };
      tasks.set(name, t);
    }
    return t;
  };

  function count(raw) {
    const line = raw.replace(ansi, "");
    const prefixed = taskPrefix.exec(line);
    const name = prefixed ? (prefixed[1] ?? "") : "";
    const text = prefixed ? (prefixed[2] ?? "") : line;
    const t = task(name);
    let m = /^ℹ (pass|fail|skipped|cancelled) (\d+)\s*$/.exec(text);
    if (m) {
      const n = Number(m[2]);
      if (m[1] === "pass") totals.passed += n;
      else if (m[1] === "skipped") totals.skipped += n;
      else {
        // A cancelled test did not pass: it counts as failed.
        totals.failed += n;
        t.counted += n;
      }
      return;
    }
    if (/^✖ failing tests:\s*$/.test(text)) {
      t.listing = true;
      return;
    }
    if (t.listing && /^test at \S/.test(text)) {
      t.expectName = true;
      return;
    }
    if (t.listing && t.expectName) {
      t.expectName = false;
      m = /^✖ (.*?)(?: \([\d.]+m?s\))?\s*$/.exec(text);
      t.listed.push(m ? (m[1] ?? "") : text.trim());
      return;
    }
    m = /(?:^|: )(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/.exec(text);
    if (m) {
      totals.passed += Number(m[1]);
      totals.failed += Number(m[2]);
      totals.skipped += Number(m[3] ?? 0);
    }
  }

  /**
   * The closing lines and whether the run passed, given turbo's exit code.
   * @param {number | null} code
   */
  function finish(code) {
    const lines = [];
    let failed = totals.failed;
    for (const [name, t] of tasks) {
      const uncounted = t.listed.length - t.counted;
      if (uncounted > 0) {
        failed += uncounted;
        lines.push(
          `${name || "a test run"}: ${uncounted} failure(s) outside any test (a before/after hook or a suite) that node:test's ` +
            `"ℹ fail" does not count; listed under "failing tests": ${t.listed.join(", ")}`,
        );
      }
    }
    if (code !== 0 && failed === 0) {
      lines.push(`turbo exited with code ${code} (a build, lint, typecheck or generated-code check failed)`);
      failed += 1;
    }
    if (totals.passed === 0) {
      lines.push("no test ran");
    }
    const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : "";
    lines.push(`${totals.passed} passed, ${failed} failed${skipped}`);
    return { lines, ok: code === 0 && failed === 0 && totals.passed > 0 };
  }

  return { count, finish };
}
