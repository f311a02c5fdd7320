// szcrypt as a team outside this repository meets it. Everything here runs
// against the tarballs `pnpm release:pack` writes, in projects created in a
// temporary folder outside the workspace; third-party packages come from the
// npm registry. Nothing of the workspace is used but the tarballs.
import assert from "node:assert/strict";
import { type SpawnSyncOptions, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { fencedBlocks, scriptOf } from "./markdown-blocks.js";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, "..");
const repo = resolve(packageDir, "../..");
const fixtures = join(packageDir, "fixtures");
const bin = (name: string) => join(packageDir, "node_modules/.bin", name);
const python = process.env["SZCRYPT_PYTHON"] ?? "/usr/bin/python3";
const TEST_KEY = "hex:000102030405060708090a0b0c0d0e0f";

const work = mkdtempSync(join(tmpdir(), "szcrypt-adoption-"));
const tarballDir = join(work, "tarballs");
const tarballs = new Map<string, string>();
console.log(`adoption: working in ${work} with node ${process.version}`);

interface Run {
  readonly code: number | null;
  readonly out: string;
}

function run(cmd: string, args: readonly string[], options: SpawnSyncOptions = {}): Run {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    timeout: 600_000,
    ...options,
    env: { ...cleanEnv(), ...options.env },
  });
  return { code: r.status, out: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? `\n${r.error.message}` : ""}` };
}

/** The environment without what a workspace run sets (pnpm's npm_* variables would point npm at the workspace). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith("npm_") && !k.startsWith("PNPM_") && k !== "INIT_CWD" && k !== "SZCRYPT_KEY") env[k] = v;
  }
  env["NO_UPDATE_NOTIFIER"] = "1";
  env["npm_config_update_notifier"] = "false";
  return env;
}

function ok(r: Run, what: string): string {
  assert.equal(r.code, 0, `${what} failed:\n${r.out.slice(-6000)}`);
  return r.out;
}

before(() => {
  // turbo built every public package before this test (its workspace devDependencies); a
  // run outside turbo builds them first.
  const built = process.env["TURBO_HASH"] !== undefined || process.env["SZCRYPT_PACK_BUILT"] === "1" ? { SZCRYPT_PACK_BUILT: "1" } : {};
  const r = run(process.execPath, [join(repo, "scripts/release-pack.mjs"), tarballDir], { cwd: repo, env: built });
  ok(r, "pnpm release:pack");
  for (const line of r.out.trim().split("\n")) {
    const [name, file] = line.split("\t");
    if (name?.startsWith("@szcrypt/") && file !== undefined) tarballs.set(name, file);
  }
  assert.deepEqual([...tarballs.keys()].sort(), [
    "@szcrypt/cli",
    "@szcrypt/conformance",
    "@szcrypt/connect",
    "@szcrypt/core",
    "@szcrypt/grpc-js",
  ]);
});

after(() => {
  if (process.env["SZCRYPT_KEEP_ADOPTION"] === undefined) rmSync(work, { recursive: true, force: true });
});

describe("release:pack tarballs", () => {
  it("publint finds nothing in any of them (--strict)", () => {
    for (const [name, file] of tarballs) {
      const out = ok(run(bin("publint"), ["run", file, "--strict"]), `publint ${name}`);
      assert.match(out, /All good!/, `${name}: ${out}`);
    }
  });

  it("arethetypeswrong finds no type problem in the packages with exports (ESM-only profile)", () => {
    // esm-only: the packages are ES modules on purpose. CommonJS callers use
    // Node's require(esm), which TypeScript's node16 model does not know; the
    // guide's CommonJS check below runs it for real.
    for (const name of ["@szcrypt/core", "@szcrypt/grpc-js", "@szcrypt/connect"]) {
      const file = tarballs.get(name) ?? assert.fail(name);
      ok(run(bin("attw"), [file, "--profile", "esm-only", "--no-color", "--no-emoji"]), `attw ${name}`);
    }
  });

  it("core ships the option's .proto; grpc-js, connect and cli take core as a peer at the packed version", () => {
    const list = ok(run("tar", ["-tzf", tarballs.get("@szcrypt/core") ?? ""]), "tar");
    assert.match(list, /^package\/proto\/sz\/crypt\/v1\/options\.proto$/m);
    const core = JSON.parse(readFileSync(join(repo, "packages/core/package.json"), "utf8"));
    for (const name of ["@szcrypt/grpc-js", "@szcrypt/connect", "@szcrypt/cli"]) {
      const manifest = JSON.parse(ok(run("tar", ["-xzOf", tarballs.get(name) ?? "", "package/package.json"]), "tar"));
      // A peer, as connect-node takes connect: the app and every adapter share one core.
      assert.equal(manifest.peerDependencies["@szcrypt/core"], `^${core.version}`, name);
      assert.equal(manifest.dependencies?.["@szcrypt/core"], undefined, name);
    }
  });
});

const guide = fencedBlocks(readFileSync(join(repo, "docs/guide.md"), "utf8"));

describe("docs/guide.md", () => {
  it("has no block the test does not run (each is a file= or a run block)", () => {
    const loose = guide.filter((b) => b.attrs["file"] === undefined && b.attrs["run"] === undefined);
    assert.deepEqual(
      loose.map((b) => `line ${b.line}: \`\`\`${b.lang}`),
      [],
    );
  });
});

// SZCRYPT_ADOPTION_PMS=npm limits the guide runs (the other Node majors in CI run npm only).
const pms = (process.env["SZCRYPT_ADOPTION_PMS"] ?? "npm,pnpm")
  .split(",")
  .filter((pm): pm is "npm" | "pnpm" => pm === "npm" || pm === "pnpm");
if (pms.length < 2)
  console.log(
    `SKIPPED: the guide with ${["npm", "pnpm"].filter((p) => !pms.includes(p as "npm")).join(", ")}: SZCRYPT_ADOPTION_PMS=${pms.join(",")}`,
  );

for (const pm of pms) {
  describe(`a team's project from docs/guide.md, installed with ${pm}`, () => {
    const project = join(work, `project-${pm}`);
    let guideOutput = "";

    before(() => {
      mkdirSync(project, { recursive: true });
      // pnpm runs at the oldest @bufbuild/protobuf core's peer range allows, so
      // the range is tested at both ends (npm takes the newest).
      const after = new Map<number, string>();
      if (pm === "pnpm") {
        const install = guide.findIndex((b) => b.attrs["run"] === "pnpm");
        after.set(install, "pnpm add @bufbuild/protobuf@2.7.0 && pnpm add --save-dev @bufbuild/protoc-gen-es@2.7.0");
      }
      const script = join(work, `guide-${pm}.sh`);
      writeFileSync(script, scriptOf(guide, pm, after));
      guideOutput = ok(run("bash", [script], { cwd: project, env: { SZCRYPT_TARBALLS: tarballDir } }), `the guide with ${pm}`);
    });

    it("runs every step as written and prints what the guide says", () => {
      assert.match(guideOutput, /^szfp1:[0-9a-f]{16} {2}aes-128/m);
      assert.match(guideOutput, /^grpc-js: acct-ada DE89370400440532013000 4111111111111111$/m);
      assert.match(guideOutput, /^connect: acct-grace GB82WEST12345698765432 5500005555555559$/m);
      assert.match(guideOutput, /^4 message types, 3 sensitive fields, 0 invalid annotations$/m);
      assert.match(guideOutput, /^sensitive {2}ledger\.v1\.Card\.pin_block$/m);
    });

    it("generated code imports the option from @szcrypt/core, not a second copy", () => {
      const generated = readFileSync(join(project, "src/gen/ledger/v1/ledger_pb.ts"), "utf8");
      assert.match(generated, /from "@szcrypt\/core\/gen\/sz\/crypt\/v1\/options_pb\.js"/);
      assert.equal(existsSync(join(project, "src/gen/sz")), false);
    });

    it("grpc-js and Connect: round trip, plaintext to handlers, ciphertext on the wire, plaintext refused", () => {
      copyFileSync(join(fixtures, "adoption-check.ts"), join(project, "src/adoption-check.ts"));
      ok(run("npx", ["tsc", "-p", "tsconfig.json"], { cwd: project }), "tsc (strict) with the checks");
      const out = ok(run(process.execPath, ["dist/adoption-check.js"], { cwd: project, env: { SZCRYPT_KEY: TEST_KEY } }), "the checks");
      assert.match(out, /^adoption checks: 6 passed$/m);
    });

    it("a CommonJS file require()s @szcrypt/core, @szcrypt/grpc-js and @szcrypt/connect", () => {
      copyFileSync(join(fixtures, "require-check.cjs"), join(project, "require-check.cjs"));
      const out = ok(run(process.execPath, ["require-check.cjs"], { cwd: project, env: { SZCRYPT_KEY: TEST_KEY } }), "require()");
      assert.match(out, /^require ok$/m);
    });

    it("a misspelt request field in a grpc-js handler fails to compile", () => {
      const file = join(project, "src/typo-check.ts");
      copyFileSync(join(fixtures, "typo-check.ts"), file);
      try {
        const r = run("npx", ["tsc", "-p", "tsconfig.json", "--noEmit"], { cwd: project });
        assert.notEqual(r.code, 0, "call.request.acount compiled");
        assert.match(r.out, /typo-check\.ts.*'acount' does not exist/);
      } finally {
        rmSync(file);
      }
    });
  });
}

describe("the conformance runner, installed from its tarball", () => {
  const project = join(work, "conformance");
  const pythonOk = run(python, ["-c", "import Cryptodome"]).code === 0 || run(python, ["-c", "import Crypto"]).code === 0;
  const skip = pythonOk ? false : `${python} with PyCryptodome is needed for the live peer (apt-get install python3-pycryptodome)`;
  if (skip) console.log(`SKIPPED: installed conformance runner with a peer: ${skip}`);
  const peerDir = join(project, "node_modules/@szcrypt/conformance/python");

  before(() => {
    mkdirSync(project, { recursive: true });
    ok(run("npm", ["init", "-y"], { cwd: project }), "npm init");
    const files = [tarballs.get("@szcrypt/core") ?? "", tarballs.get("@szcrypt/conformance") ?? ""];
    ok(run("npm", ["install", "--no-audit", "--no-fund", ...files], { cwd: project }), "npm install");
  });

  function conformance(args: readonly string[], env: NodeJS.ProcessEnv = {}): Run {
    return run("npx", ["szcrypt-conformance", ...args], { cwd: project, env });
  }
  const lastLine = (out: string) => out.trim().split("\n").at(-1) ?? "";

  it("passes against the Python reference peer, with a JUnit file", { skip }, () => {
    const junit = join(project, "results.xml");
    const r = conformance(["--peer", `${python} ${peerDir} peer`, "--peer-cases", "100", "--junit", junit]);
    assert.equal(r.code, 0, r.out.slice(-3000));
    const m = /^(\d+) passed, 0 failed$/.exec(lastLine(r.out));
    assert.ok(m !== null, `closing line: ${lastLine(r.out)}`);
    assert.match(r.out, /^ok {3}(\d+)\/\1 {2}live peer: szcrypt python reference/m);
    assert.match(r.out, /^ok {3}216\/216 {2}.*wycheproof\/aes_cbc_pkcs5_test\.json/m);
    const xml = readFileSync(junit, "utf8");
    const tests = [...xml.matchAll(/<testsuite [^>]*tests="(\d+)"/g)].reduce((n, t) => n + Number(t[1]), 0);
    assert.equal(tests, Number(m[1]), "the JUnit file counts every case");
    assert.doesNotMatch(xml, /<failure/);
  });

  it("without --peer and without Python runs the vectors against szcrypt's own implementation and says so", () => {
    const r = conformance([], { SZCRYPT_PYTHON: join(work, "no-python-here") });
    assert.equal(r.code, 0, r.out.slice(-3000));
    assert.match(r.out, /SKIPPED: live Python peer: .*Running the vector suites against szcrypt's own implementation only/);
    assert.match(lastLine(r.out), /^\d+ passed, 0 failed$/);
    assert.doesNotMatch(r.out, /live peer:/);
  });

  it("--list, --run, --vectors and --known-failing work from the installed bin", () => {
    const list = conformance(["--list", "--no-peer", "--run", "legacy-cbc-keys/**"]);
    assert.equal(list.code, 0, list.out);
    // run() joins stdout and stderr; notes (SKIPPED: …) go to stderr under --list.
    const names = list.out
      .trim()
      .split("\n")
      .filter((l) => !l.startsWith("SKIPPED: "));
    assert.ok(names.length > 5 && names.every((n) => n.startsWith("legacy-cbc-keys/")), list.out.slice(0, 500));

    // One vector file by path, from inside the installed package.
    const file = join(project, "node_modules/@szcrypt/conformance/vectors/legacy-cbc-keys.json");
    const one = conformance(["--vectors", file]);
    assert.equal(one.code, 0, one.out);
    assert.equal(lastLine(one.out), `${names.length} passed, 0 failed`);

    // A known-failing entry for a case that passes is itself a failure.
    const known = join(project, "known-failing.txt");
    writeFileSync(known, `# passes, so listing it must fail the run\n${names[0]}\n`);
    const strict = conformance(["--vectors", file, "--known-failing", known]);
    assert.equal(strict.code, 1, strict.out);
    assert.match(strict.out, /listed as known-failing but passed/);
  });

  it("the minimal peer in IMPLEMENTERS.md passes, run as the guide says", { skip }, () => {
    const implementers = fencedBlocks(readFileSync(join(repo, "conformance/IMPLEMENTERS.md"), "utf8"));
    const peer = implementers.find((b) => b.lang === "python");
    const command = implementers.find((b) => b.lang === "sh" && b.body.includes("minimal_peer.py"));
    assert.ok(peer !== undefined && command !== undefined, "IMPLEMENTERS.md lost its minimal peer or its command");
    writeFileSync(join(project, "minimal_peer.py"), peer.body);
    // The guide's command, with Debian's python3 (PyCryptodome comes from Debian here).
    const line = command.body.trim().replace(/^npx /, "").replace('"python3 ', `"${python} `);
    const r = run("bash", ["-c", `npx ${line} --peer-cases 100`], { cwd: project });
    assert.equal(r.code, 0, r.out.slice(-3000));
    assert.match(r.out, /^ok {3}(\d+)\/\1 {2}live peer: minimal peer/m);
    assert.match(lastLine(r.out), /^\d+ passed, 0 failed$/);
  });

  for (const [mode, caught] of [
    ["padding", /^FAIL peer\/peer-to-ts\/(string|bytes)\/\d+: /m],
    ["json", /^FAIL peer\/peer-to-ts\/json\/\d+: /m],
    ["ensure-ascii", /^FAIL peer\/peer-to-ts\/json\/\d+: /m],
    ["lenient", /^FAIL peer\/ts-to-peer-invalid\/[a-z0-9-]+\/\d+: /m],
    ["fixed-iv", /^FAIL peer\/peer-to-ts\/ivs-unique\/1: /m],
    ["ignore-context", /^FAIL peer\/context-refused\/unbound-where-bound-(string|bytes)\/\d+: /m],
    ["context-concat", /^FAIL peer\/context-refused\/own-parts-shifted-(string|bytes)\/\d+: /m],
  ] as const) {
    it(`fails a peer with a ${mode} fault, naming the cases that caught it`, { skip }, () => {
      const junit = join(project, `broken-${mode}.xml`);
      const peer = `${python} ${join(fixtures, "broken_peer.py")} ${peerDir} ${mode}`;
      const r = conformance(["--peer", peer, "--peer-cases", "50", "--seed", "7", "--junit", junit]);
      assert.equal(r.code, 1, r.out.slice(-3000));
      assert.match(r.out, caught);
      const m = /^(\d+) passed, (\d+) failed$/.exec(lastLine(r.out));
      assert.ok(m !== null && Number(m[2]) > 0, `closing line: ${lastLine(r.out)}`);
      assert.match(readFileSync(junit, "utf8"), /<testcase [^>]*name="peer\/[^"]+"[^>]*><failure/);
    });
  }
});
