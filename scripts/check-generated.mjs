#!/usr/bin/env node
// Regenerates every generated file (buf + protoc-gen-es, protoc for Python)
// and fails if the result differs from what is committed: generated code is
// committed, so a .proto change without a regeneration is caught here.
import { execFileSync } from "node:child_process";

const run = (cmd, args) => execFileSync(cmd, args, { stdio: "inherit", env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } });

run("pnpm", ["exec", "buf", "lint"]);
run("pnpm", ["exec", "turbo", "run", "generate", "--force", "--output-logs=errors-only"]);
// Changed or new files below the generated folders, against what git has (the index).
const paths = ["--", ":(glob)**/src/gen/**", ":(glob)conformance/python/sz/**"];
const status = [
  execFileSync("git", ["diff", "--name-status", ...paths], { encoding: "utf8" }),
  execFileSync("git", ["ls-files", "--others", "--exclude-standard", ...paths], { encoding: "utf8" }),
].join("");
if (status.trim() !== "") {
  console.error("Generated code differs from what is committed. Run `pnpm generate` and commit the result:\n" + status);
  execFileSync("git", ["--no-pager", "diff", "--stat", "--", ":(glob)**/src/gen/**", ":(glob)conformance/python/sz/**"], {
    stdio: "inherit",
  });
  process.exit(1);
}
console.log("generated code is up to date; buf lint passed");
