import { readFileSync, writeFileSync } from "node:fs";

/** The marker lines around `pnpm bench --write`'s part of a file; other writers pass their own name. */
export const markers = (name = "pnpm bench") => [`<!-- ${name}: begin -->`, `<!-- ${name}: end -->`] as const;

/**
 * Replaces what lies between the begin and end marker lines (see {@link markers}) of a Markdown file
 * with `generated`, keeping the hand-written prose around them.
 *
 * @throws Error when the file lacks either marker: nothing is written then,
 *   rather than guessing where prose ends.
 */
export function writeGenerated(path: string, generated: string, name?: string): void {
  const [BEGIN, END] = markers(name);
  const text = readFileSync(path, "utf8");
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  if (begin < 0 || end < begin) {
    throw new Error(`bench: ${path} has no '${BEGIN}' … '${END}' lines to write between`);
  }
  writeFileSync(path, `${text.slice(0, begin + BEGIN.length)}\n${generated.trim()}\n${text.slice(end)}`);
}
