/** One measured case and how it compares with its baseline from the same run. */
export interface Row {
  readonly group: string;
  readonly name: string;
  readonly nsPerOp: number;
  readonly opsPerSec: number;
  readonly baseline?: { readonly name: string; readonly opsPerSec: number };
  /** ops/s of this case ÷ ops/s of the baseline: above 1 is faster. */
  readonly ratio?: number;
  readonly target?: number;
  readonly unit?: string;
}

export function row(
  group: string,
  name: string,
  opsPerSec: number,
  baseline?: { name: string; opsPerSec: number },
  target?: number,
  unit?: string,
  /** A ratio measured otherwise (the median of paired per-round ratios) instead of opsPerSec ÷ baseline. */
  ratio?: number,
): Row {
  return {
    group,
    name,
    nsPerOp: 1e9 / opsPerSec,
    opsPerSec,
    ...(baseline === undefined ? {} : { baseline, ratio: ratio ?? opsPerSec / baseline.opsPerSec }),
    ...(target === undefined ? {} : { target }),
    ...(unit === undefined ? {} : { unit }),
  };
}

export function verdict(r: Row): string {
  if (r.target === undefined || r.ratio === undefined) {
    return "";
  }
  return r.ratio >= r.target ? `met (≥ ${r.target}×)` : `MISSED (target ≥ ${r.target}×)`;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString("en") : n.toPrecision(3));

export function formatTable(rows: readonly Row[]): string {
  const head = ["case", "ns/op", "ops/s", "baseline (same run)", "ratio", "target"];
  const body = rows.map((r) => [
    `${r.group}/${r.name}`,
    fmt(r.nsPerOp),
    `${fmt(r.opsPerSec)}${r.unit === undefined ? "" : ` ${r.unit}`}`,
    r.baseline === undefined ? "" : `${r.baseline.name} (${fmt(r.baseline.opsPerSec)}/s)`,
    r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}×`,
    verdict(r),
  ]);
  return markdownTable(head, body);
}

/**
 * The checked rows alone, one line per target: what `pnpm bench` is held to
 * (issue #18's table and the earlier codec targets), met or missed with the ratio.
 */
export function formatTargets(rows: readonly Row[]): string {
  const checked = rows.filter((r) => r.target !== undefined && r.ratio !== undefined);
  if (checked.length === 0) {
    return "";
  }
  const head = ["target", "against", "ratio", "needs", "verdict"];
  const body = checked.map((r) => [
    `${r.group}/${r.name}`,
    r.baseline?.name ?? "?",
    `${r.ratio?.toFixed(2)}×`,
    `≥ ${r.target}×`,
    (r.ratio ?? 0) >= (r.target ?? 0) ? "met" : "MISSED",
  ]);
  return markdownTable(head, body);
}

/** A Markdown table with padded columns, readable as text too. */
export function markdownTable(head: readonly string[], body: readonly (readonly string[])[]): string {
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((line) => (line[i] ?? "").length)));
  return all
    .map((line) => `| ${line.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`)
    .join("\n")
    .replace(/\n/, `\n|${widths.map((w) => "-".repeat(w + 2)).join("|")}|\n`);
}
