#!/usr/bin/env node
// `node scripts/node-test.mjs [node --test flags…] DIR…`: node:test over every
// *.test.js below each DIR, the same on every Node.js major. (Node 20 searches
// a directory argument; Node 22 and later read arguments as globs and try to
// run a directory as a module.)
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const args = process.argv.slice(2);
const flags = args.filter((a) => a.startsWith("--"));
const dirs = args.filter((a) => !a.startsWith("--"));
if (dirs.length === 0) {
  console.error("usage: node-test.mjs [--flags] DIR…");
  process.exit(2);
}
const files = dirs.flatMap((d) => testFiles(d)).sort();
const run = spawnSync(process.execPath, ["--test", ...flags, ...files], { stdio: "inherit" });
process.exit(run.status ?? 1);

function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : testFiles(path);
    return /\.test\.[cm]?js$/.test(name) ? [path] : [];
  });
}
