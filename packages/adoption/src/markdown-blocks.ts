// The fenced code blocks of a Markdown document, with the attributes of their
// info string: ```ts file=src/server.ts  or  ```sh run=npm
export interface Block {
  readonly lang: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly body: string;
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
}

export function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)(.*)$/.exec(lines[i] ?? "");
    if (open === null) continue;
    const attrs: Record<string, string> = {};
    for (const word of (open[2] ?? "").trim().split(/\s+/).filter(Boolean)) {
      const eq = word.indexOf("=");
      attrs[eq < 0 ? word : word.slice(0, eq)] = eq < 0 ? "" : word.slice(eq + 1);
    }
    const body: string[] = [];
    const start = i + 1;
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i] ?? "");
    blocks.push({ lang: open[1] ?? "", attrs, body: body.join("\n") + "\n", line: start });
  }
  return blocks;
}

/**
 * One bash script that does what the document says, in its order: `file=`
 * blocks are written, `run` blocks are run. Blocks tagged for another package
 * manager (`pm=` on files, `run=` on commands) are left out; `after` lines
 * run right after the block at that index (a test's own variation).
 */
export function scriptOf(blocks: readonly Block[], pm: "npm" | "pnpm", after: ReadonlyMap<number, string> = new Map()): string {
  const out = ["set -euo pipefail"];
  blocks.forEach((b, index) => {
    const file = b.attrs["file"];
    const forPm = b.attrs["pm"] ?? b.attrs["run"];
    if (forPm !== undefined && forPm !== "" && forPm !== pm) return;
    if (file !== undefined) {
      out.push(`mkdir -p "$(dirname '${file}')"`, `cat > '${file}' <<'SZCRYPT_GUIDE_EOF'`, b.body.trimEnd(), "SZCRYPT_GUIDE_EOF");
    } else if (b.attrs["run"] !== undefined) {
      out.push(`echo '+ guide line ${b.line}'`, b.body);
    }
    const extra = after.get(index);
    if (extra !== undefined) out.push(extra);
  });
  return out.join("\n") + "\n";
}
