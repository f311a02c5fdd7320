#!/usr/bin/env node
// szcrypt-conformance: runs szcrypt against the platform page's Python
// snippet. By default: every committed vector suite, the Wycheproof files
// vendored in vectors/wycheproof, and live cross-checks against the
// Python reference peer where Python and PyCryptodome are installed.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import type { CaseResult, ConformanceCase } from "./case.js";
import { writeJunit } from "./junit.js";
import { CONTEXT_FORMAT } from "./peer/context-checks.js";
import { crossCheckCases } from "./peer/cross-checks.js";
import { PeerProcess, type PeerResponse } from "./peer/peer-process.js";
import { pythonPath, pythonReady } from "./python.js";
import { caseFilter, loadKnownFailing } from "./select.js";
import { casesFromFile, committedSuites, wycheproofFiles } from "./suites.js";

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");

const collect = (value: string, previous: string[]) => [...previous, value];
const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError("expected a whole number");
  }
  return n;
};

const program = new Command()
  .name("szcrypt-conformance")
  .description("Check szcrypt against the platform page's Python snippet: vector suites, Wycheproof, and a live peer.")
  .option("--vectors <file...>", "run exactly these vector files (szcrypt-vectors-v1 or Wycheproof) instead of the defaults")
  .option("--run <glob>", "run only cases whose name matches (repeatable), e.g. 'legacy-cbc/utf8-*/*'", collect, [])
  .option("--skip <glob>", "skip cases whose name matches (repeatable)", collect, [])
  .option("--known-failing <file>", "cases (names or globs, one per line) expected to fail; one that passes is a failure")
  .option("--junit <file>", "also write the results as JUnit XML")
  .option("--peer <command>", "peer program speaking the JSON-lines protocol (default: the Python reference)")
  .option("--no-peer", "skip the live peer")
  .option("--require-peer", "fail (exit 2) when the default Python peer cannot run, instead of running the vectors only")
  .option("--peer-cases <n>", "random cross-checks per direction and value kind", positiveInt, 400)
  .option("--seed <n>", "seed for the random cross-checks (default: random, printed)", positiveInt)
  .option(
    "--wycheproof-dir <dir>",
    "Wycheproof vectors folder",
    process.env["SZCRYPT_WYCHEPROOF_DIR"] ?? join(packageDir, "vectors/wycheproof"),
  )
  .option("--list", "list the selected case names and exit")
  .addHelpText(
    "after",
    `
Examples:
  szcrypt-conformance                                  every suite, Wycheproof and the Python reference peer
  szcrypt-conformance --vectors held-out.json          exactly one file
  szcrypt-conformance --run 'legacy-cbc/utf8-*/*' --no-peer
  szcrypt-conformance --peer "go run ./cmd/szpeer" --junit results.xml

The last line is always "N passed, N failed". Exit code 0 when nothing failed, 1 otherwise, 2 for bad arguments or files.`,
  );

program.parse();
const opts = program.opts<{
  vectors?: string[];
  run: string[];
  skip: string[];
  knownFailing?: string;
  junit?: string;
  peer: string | boolean;
  peerCases: number;
  seed?: number;
  wycheproofDir: string;
  list?: boolean;
  requirePeer?: boolean;
}>();

async function main(): Promise<number> {
  const selected = caseFilter(opts.run, opts.skip);
  const knownFailing = opts.knownFailing === undefined ? () => false : loadKnownFailing(opts.knownFailing);
  const groups: { label: string; cases: ConformanceCase[] }[] = [];

  const files = opts.vectors ?? [...committedSuites(join(packageDir, "vectors")), ...wycheproofFiles(opts.wycheproofDir)];
  if (opts.vectors === undefined && wycheproofFiles(opts.wycheproofDir).length === 0) {
    // They ship with this package: a missing folder is a broken install or a wrong --wycheproof-dir.
    console.error(`error: Wycheproof vectors not found in ${opts.wycheproofDir} (--wycheproof-dir or SZCRYPT_WYCHEPROOF_DIR)`);
    return 2;
  }
  for (const file of files) {
    if (!existsSync(file)) {
      console.error(`error: no such vector file: ${file}`);
      return 2;
    }
    try {
      const { cases, generator, notApplicable } = casesFromFile(file);
      if (notApplicable !== undefined && notApplicable.count > 0) {
        // With --list, stdout holds case names only.
        (opts.list ? console.error : console.log)(
          `SKIPPED: ${notApplicable.count} cases of ${file.replace(`${process.cwd()}/`, "")}: ${notApplicable.reason}`,
        );
      }
      groups.push({ label: `${file.replace(`${process.cwd()}/`, "")} (${generator ?? "unknown generator"})`, cases });
    } catch (err) {
      console.error(`error: ${(err as Error).message}`);
      return 2;
    }
  }

  let peer: PeerProcess | undefined;
  if (opts.peer !== false && opts.vectors === undefined) {
    let command = typeof opts.peer === "string" ? opts.peer : undefined;
    if (command === undefined) {
      const ready = pythonReady();
      if (ready.ok) {
        command = `${pythonPath()} ${join(packageDir, "python")} peer`;
      } else if (opts.requirePeer === true) {
        console.error(`error: the live Python peer cannot run: ${ready.reason} (or pass --peer CMD, or --no-peer)`);
        return 2;
      } else {
        console.log(
          `SKIPPED: live Python peer: ${ready.reason}. Running the vector suites against szcrypt's own implementation only; pass --peer CMD to check yours.`,
        );
      }
    }
    if (command !== undefined) {
      peer = new PeerProcess(command);
      const hello: PeerResponse = await peer.request({ op: "hello" }).catch((err: Error) => ({ ok: false, error: err.message }));
      if (!hello.ok) {
        console.error(`error: the peer did not answer hello: ${hello.error}`);
        await peer.close();
        return 2;
      }
      const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
      const formats = Array.isArray(hello["formats"]) ? (hello["formats"] as string[]) : ["legacy-cbc"];
      if (!formats.includes(CONTEXT_FORMAT)) {
        // Said once, so that a team sees what its run does not cover (with --list, stdout holds names only).
        (opts.list ? console.error : console.log)(
          `SKIPPED: szc1 context cases (peer/*/szc1-context-*, peer/context-*): the peer's hello does not list "${CONTEXT_FORMAT}" in formats`,
        );
      }
      groups.push({
        label: `live peer: ${String(hello["implementation"] ?? command)} (${String(hello["version"] ?? "")}), seed ${seed}`,
        cases: crossCheckCases(peer, opts.peerCases, seed, formats),
      });
    }
  }

  if (opts.list) {
    for (const g of groups) {
      for (const c of g.cases.filter((c) => selected(c.name))) {
        console.log(c.name);
      }
    }
    await peer?.close();
    return 0;
  }

  const results: CaseResult[] = [];
  const total = groups.reduce((n, g) => n + g.cases.filter((c) => selected(c.name)).length, 0);
  const progress = process.stdout.isTTY && total > 500;
  for (const group of groups) {
    const cases = group.cases.filter((c) => selected(c.name));
    if (cases.length === 0) {
      continue;
    }
    let groupFailed = 0;
    for (const c of cases) {
      const result = await runCase(c, knownFailing(c.name));
      results.push(result);
      if (!result.passed) {
        groupFailed++;
        clearProgress(progress);
        console.log(`FAIL ${result.name}: ${result.message}`);
      }
      if (progress && results.length % 50 === 0) {
        process.stdout.write(`\r[${results.length}/${total}] ${c.name.slice(0, 60).padEnd(60)}`);
      }
    }
    clearProgress(progress);
    console.log(`${groupFailed === 0 ? "ok  " : "FAIL"} ${cases.length - groupFailed}/${cases.length}  ${group.label}`);
  }
  await peer?.close();

  if (opts.junit !== undefined) {
    writeJunit(opts.junit, results);
  }
  const failed = results.filter((r) => !r.passed).length;
  if (results.length === 0) {
    console.log("no case matched the --run/--skip patterns");
  }
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 && results.length > 0 ? 0 : 1;
}

async function runCase(c: ConformanceCase, expectedToFail: boolean): Promise<CaseResult> {
  const start = performance.now();
  let message: string | undefined;
  try {
    await c.run();
  } catch (err) {
    message = err instanceof Error ? err.message : String(err);
  }
  const durationMs = performance.now() - start;
  if (expectedToFail) {
    return message === undefined
      ? {
          name: c.name,
          passed: false,
          expectedFailure: false,
          message: "listed as known-failing but passed: remove it from the list",
          durationMs,
        }
      : { name: c.name, passed: true, expectedFailure: true, message, durationMs };
  }
  return { name: c.name, passed: message === undefined, expectedFailure: false, message, durationMs };
}

function clearProgress(progress: boolean): void {
  if (progress) {
    process.stdout.write(`\r${" ".repeat(75)}\r`);
  }
}

process.exitCode = await main();
