import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, "cli.js");
const vectors = resolve(here, "../vectors");
const tmp = mkdtempSync(join(tmpdir(), "szcrypt-conformance-"));

function run(args: string[], env: Record<string, string> = {}): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 60_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

function tamperedCopy(mutate: (doc: { testGroups: { tests: Record<string, unknown>[] }[] }) => void): string {
  const doc = JSON.parse(readFileSync(join(vectors, "legacy-cbc-strings.json"), "utf8"));
  mutate(doc);
  const path = join(tmp, `tampered-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

/** A peer program whose answer to each request `req` is the JS expression `answer`. */
function fakePeer(name: string, answer: string): string {
  const path = join(tmp, `${name}.mjs`);
  writeFileSync(
    path,
    `import { createInterface } from "node:readline";
createInterface({ input: process.stdin }).on("line", (line) => {
  const req = JSON.parse(line);
  const resp = ${answer};
  process.stdout.write(JSON.stringify({ ...resp, id: req.id }) + "\\n");
});`,
  );
  return path;
}

describe("szcrypt-conformance", () => {
  it("runs exactly the given files and ends with 'N passed, N failed'", () => {
    const { code, out } = run(["--vectors", join(vectors, "legacy-cbc-keys.json")]);
    assert.equal(code, 0, out);
    assert.equal(out.trim().split("\n").at(-1), "12 passed, 0 failed");
  });

  it("fails the run on a wrong expectation, naming the case", () => {
    const file = tamperedCopy((doc) => {
      const t = doc.testGroups[0]?.tests.find((x) => x["case"] === "utf8-astral");
      assert.ok(t);
      t["plaintext"] = `${t["plaintext"]}!`;
    });
    const { code, out } = run(["--vectors", file]);
    assert.equal(code, 1);
    assert.match(out, /FAIL legacy-cbc\/utf8-astral\/\d+: decryption differs from the vector at offset \d+/);
    assert.match(out, /204 passed, 1 failed\s*$/);
  });

  it("refuses a file with an unknown schema or algorithm, with exit code 2", () => {
    const file = join(tmp, "unknown.json");
    writeFileSync(file, JSON.stringify({ schema: "szcrypt-vectors-v1", algorithm: "aes-ecb", testGroups: [] }));
    const { code, out } = run(["--vectors", file]);
    assert.equal(code, 2);
    assert.match(out, /unknown algorithm "aes-ecb"/);
  });

  it("selects cases with --run and --skip globs", () => {
    const file = join(vectors, "legacy-cbc-strings.json");
    const listed = run(["--vectors", file, "--list", "--run", "legacy-cbc/utf8-*/*", "--skip", "legacy-cbc/utf8-astral*/*"])
      .out.trim()
      .split("\n");
    assert.ok(listed.length > 0);
    for (const name of listed) {
      assert.match(name, /^legacy-cbc\/utf8-/);
      assert.doesNotMatch(name, /astral/);
    }
    const { out } = run(["--vectors", file, "--run", "legacy-cbc/ascii-16/*"]);
    assert.match(out, /5 passed, 0 failed\s*$/, "one ascii-16 case per key group");
  });

  it("counts a known-failing case that fails as passing, and one that passes as a failure", () => {
    const file = tamperedCopy((doc) => {
      const t = doc.testGroups[0]?.tests.find((x) => x["case"] === "empty");
      assert.ok(t);
      t["plaintext"] = "not empty";
    });
    const list = join(tmp, "known-failing.txt");
    writeFileSync(list, "# broken on purpose\nlegacy-cbc/empty/1\nlegacy-cbc/ascii-1/2  # passes: must be reported\n");
    const { code, out } = run(["--vectors", file, "--known-failing", list, "--run", "legacy-cbc/empty/1", "--run", "legacy-cbc/ascii-1/2"]);
    assert.equal(code, 1);
    assert.match(out, /FAIL legacy-cbc\/ascii-1\/2: listed as known-failing but passed/);
    assert.match(out, /1 passed, 1 failed\s*$/);
  });

  it("writes JUnit XML", () => {
    const xml = join(tmp, "results.xml");
    run(["--vectors", join(vectors, "legacy-cbc-keys.json"), "--junit", xml]);
    const text = readFileSync(xml, "utf8");
    assert.match(text, /<testsuites name="szcrypt-conformance" tests="12" failures="0">/);
    assert.equal(text.match(/<testcase /g)?.length, 12);
  });

  it("checks any peer through the same protocol, and reports a wrong one", () => {
    // A peer that answers every decrypt with the wrong plaintext and refuses to encrypt.
    const liar = fakePeer(
      "liar",
      `req.op === "hello" ? { ok: true, implementation: "liar" } : req.op === "decrypt" ? { ok: true, plaintext: "\\u0000liar", plaintextHex: "zz" } : { ok: false, error: "no: LIAR-TEXT" }`,
    );
    const { code, out } = run(["--run", "peer/**", "--seed", "1", "--peer", `${process.execPath} ${liar}`, "--peer-cases", "3"]);
    assert.equal(code, 1, out);
    assert.match(out, /FAIL peer\/ts-to-peer\/string\/1: the peer's decryption differs/);
    // The peer's own error text is never echoed: a peer may quote its input.
    assert.match(out, /FAIL peer\/peer-to-ts\/string\/1: the peer could not encrypt \(it answered ok: false/);
    assert.doesNotMatch(out, /LIAR-TEXT/);
    // It also accepts every invalid token it is sent.
    assert.match(out, /FAIL peer\/ts-to-peer-invalid\/string-bad-padding-zero\/1: the peer decrypted a bad-padding-zero token/);
    // 18 round trips, 24 invalid tokens (12 shapes and types, 2 each), the IV check.
    assert.match(out, /0 passed, 43 failed\s*$/);
    // Its hello lists no szc1-context: no context case ran, and the runner said so once.
    assert.equal(out.match(/SKIPPED: szc1 context cases .*does not list "szc1-context"/g)?.length, 1);
    assert.doesNotMatch(out, /^(FAIL|ok) .*(szc1-context|peer\/context-)/m);
    const listed = run(["--list", "--run", "peer/**", "--seed", "1", "--peer", `${process.execPath} ${liar}`, "--peer-cases", "3"]);
    assert.doesNotMatch(listed.out, /^peer\/.*(szc1-context|context-)/m);
  });

  it("sends context cases to a peer that lists szc1-context, naming each refusal it gets wrong", () => {
    // Lists szc1-context, decrypts everything and encrypts nothing.
    const lax = fakePeer(
      "lax",
      `req.op === "hello" ? { ok: true, implementation: "lax", formats: ["legacy-cbc", "szc1", "szc1-context"] } : req.op === "decrypt" ? { ok: true, plaintext: "", plaintextHex: "" } : { ok: false, error: "no" }`,
    );
    const { code, out } = run(["--run", "peer/**", "--seed", "1", "--peer", `${process.execPath} ${lax}`, "--peer-cases", "3"]);
    assert.equal(code, 1, out);
    assert.doesNotMatch(out, /SKIPPED: szc1 context cases/);
    for (const name of [
      "peer/ts-to-peer/szc1-context-string/1",
      "peer/peer-to-ts/szc1-context-bytes/1",
      "peer/context-refused/other-context-string/1",
      "peer/context-refused/parts-shifted-bytes/1",
      "peer/context-refused/unbound-where-bound-string/1",
      "peer/context-refused/flag-cleared-bytes/1",
      "peer/context-required/string/1",
    ]) {
      assert.match(out, new RegExp(`^FAIL ${name.replaceAll("/", "\\/")}: `, "m"), name);
    }
    assert.match(out, /FAIL peer\/context-required\/string\/1: the peer decrypted a context-bound value without a context/);
    // Refusing contexts outside the limits, it passes those.
    assert.doesNotMatch(out, /FAIL peer\/context-refused\/bad-context-/);
  });

  it("without Python runs the vectors only and says so, unless --require-peer", () => {
    const env = { SZCRYPT_PYTHON: "/nonexistent/python3" };
    const fallback = run(["--run", "legacy-cbc-keys/**"], env);
    assert.equal(fallback.code, 0, fallback.out);
    assert.match(fallback.out, /SKIPPED: live Python peer: .*python3.*Running the vector suites against szcrypt's own implementation only/);
    const required = run(["--skip", "**", "--require-peer"], env);
    assert.equal(required.code, 2);
    assert.match(required.out, /the live Python peer cannot run/);
  });
});
