import { readFileSync } from "node:fs";
import picomatch from "picomatch";

/**
 * Which cases run: a case runs when it matches some --run pattern (or there
 * are none) and no --skip pattern. Patterns are globs over case names, where
 * `*` stays within one `/`-separated part and `**` spans parts.
 */
export function caseFilter(run: readonly string[], skip: readonly string[]): (name: string) => boolean {
  const included = run.length === 0 ? () => true : picomatch([...run]);
  const excluded = skip.length === 0 ? () => false : picomatch([...skip]);
  return (name) => included(name) && !excluded(name);
}

/**
 * A known-failing list: one case name or glob per line, `#` starts a comment.
 * A listed case that fails counts as passing; one that passes is a failure,
 * so the list cannot go stale.
 */
export function loadKnownFailing(path: string): (name: string) => boolean {
  const patterns = readFileSync(path, "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "");
  return patterns.length === 0 ? () => false : picomatch(patterns);
}
