import { writeFileSync } from "node:fs";
import type { CaseResult } from "./case.js";

/** Writes results as JUnit XML, one testsuite per case-name prefix (the part before the first '/'). */
export function writeJunit(path: string, results: readonly CaseResult[]): void {
  const bySuite = new Map<string, CaseResult[]>();
  for (const r of results) {
    const suite = r.name.split("/")[0] ?? "conformance";
    bySuite.set(suite, [...(bySuite.get(suite) ?? []), r]);
  }
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = results.filter((r) => !r.passed).length;
  out.push(`<testsuites name="szcrypt-conformance" tests="${results.length}" failures="${failures}">`);
  for (const [suite, rs] of bySuite) {
    const time = rs.reduce((t, r) => t + r.durationMs, 0) / 1000;
    out.push(
      `  <testsuite name="${xml(suite)}" tests="${rs.length}" failures="${rs.filter((r) => !r.passed).length}" time="${time.toFixed(3)}">`,
    );
    for (const r of rs) {
      const attrs = `classname="${xml(suite)}" name="${xml(r.name)}" time="${(r.durationMs / 1000).toFixed(4)}"`;
      if (r.passed) {
        out.push(
          r.expectedFailure
            ? `    <testcase ${attrs}><system-out>known failing: failed as expected</system-out></testcase>`
            : `    <testcase ${attrs}/>`,
        );
      } else {
        out.push(`    <testcase ${attrs}><failure message="${xml(r.message ?? "failed")}"/></testcase>`);
      }
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>", "");
  writeFileSync(path, out.join("\n"));
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
}
