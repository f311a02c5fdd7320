// The vector harness against @szcrypt/core: every committed suite and the
// vendored Wycheproof files, one labelled test per case, plus the harness's own
// failure paths. (Moved here from core, which no longer ships the harness.)
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { listVectorCases, VectorMismatch } from "./cases.js";
import { parseVectorSuite, type VectorSuite } from "./suite.js";

// dist/vectors/ → the package folder, which holds vectors/.
const vectorsDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../vectors");

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

/**
 * The vendored Wycheproof folder, or SZCRYPT_WYCHEPROOF_DIR to run another copy.
 * A missing folder is an error, never a skip: a run that silently skips them would prove nothing.
 */
function wycheproofDir(): { dir: string } {
  const dir = process.env["SZCRYPT_WYCHEPROOF_DIR"] ?? join(vectorsDir, "wycheproof");
  if (!existsSync(join(dir, "aes_cbc_pkcs5_test.json"))) {
    throw new Error(`Wycheproof vectors not found at ${dir}`);
  }
  return { dir };
}
const files = readdirSync(vectorsDir)
  .filter((f) => f.endsWith(".json"))
  .sort();

function runSuite(suite: VectorSuite): void {
  const cases = listVectorCases(suite);
  it("has cases", () => assert.ok(cases.length > 0));
  for (const c of cases) {
    it(`${c.name} [${c.expected}] ${c.comment ?? ""}`, () => c.run());
  }
}

describe("committed vector suites (made by conformance/python with PyCryptodome)", () => {
  it("includes the legacy suites", () => {
    for (const name of [
      "legacy-cbc-strings.json",
      "legacy-cbc-bytes.json",
      "legacy-cbc-json.json",
      "legacy-cbc-keys.json",
      "python-json.json",
      "szc1-context.json",
    ]) {
      assert.ok(files.includes(name), `${name} is missing from conformance/vectors`);
    }
  });
  for (const file of files) {
    describe(file, () => runSuite(parseVectorSuite(readJson(join(vectorsDir, file)), file)));
  }
});

const wp = wycheproofDir();
describe("Wycheproof aes_cbc_pkcs5_test.json", () => {
  {
    const suite = parseVectorSuite(readJson(join(wp.dir, "aes_cbc_pkcs5_test.json")), "aes_cbc_pkcs5_test.json");
    it("has all 216 cases", () => assert.equal(listVectorCases(suite).length, 216));
    console.log(`Wycheproof AES-CBC-PKCS5: ${listVectorCases(suite).length} cases run from ${wp.dir}`);
    runSuite(suite);
  }
});

describe("Wycheproof aes_gcm_test.json (the GCM layer under szc1)", () => {
  {
    const suite = parseVectorSuite(readJson(join(wp.dir, "aes_gcm_test.json")), "aes_gcm_test.json");
    const applicable = listVectorCases(suite).length;
    console.log(`Wycheproof AES-GCM: ${applicable} cases run from ${wp.dir}`);
    console.log(`SKIPPED: ${suite.notApplicable?.count} of 316 Wycheproof AES-GCM cases: ${suite.notApplicable?.reason}`);
    it("runs every 96-bit-nonce case and says why the rest do not apply", () => {
      assert.equal(applicable + (suite.notApplicable?.count ?? 0), 316);
      assert.ok(applicable >= 60, `only ${applicable} applicable cases`);
    });
    runSuite(suite);
  }
});

describe("the vector runner itself", () => {
  const doc = readJson(join(vectorsDir, "legacy-cbc-strings.json")) as { testGroups: { tests: Record<string, unknown>[] }[] };

  it("fails a valid case whose token was altered, naming the case", () => {
    const copy = structuredClone(doc);
    const test = copy.testGroups[0]?.tests.find((t) => t["result"] === "valid" && t["case"] === "page-example");
    assert.ok(test);
    const token = String(test["token"]);
    test["token"] = `${token.slice(0, 20)}${token[20] === "A" ? "B" : "A"}${token.slice(21)}`;
    const c = listVectorCases(parseVectorSuite(copy, "altered.json")).find((x) => x.name.startsWith("legacy-cbc/page-example/"));
    assert.ok(c);
    assert.throws(() => c.run(), VectorMismatch);
  });

  it("fails an invalid case whose token is in fact valid", () => {
    const copy = structuredClone(doc);
    const group = copy.testGroups[0];
    assert.ok(group);
    const valid = group.tests.find((t) => t["result"] === "valid");
    const invalid = group.tests.find((t) => t["result"] === "invalid");
    assert.ok(valid && invalid);
    invalid["token"] = valid["token"];
    const c = listVectorCases(parseVectorSuite(copy, "altered.json")).find((x) => x.name.endsWith(`/${String(invalid["tcId"])}`));
    assert.ok(c);
    assert.throws(() => c.run(), /accepted a token the vector says is invalid/);
  });

  it("fails when the expected plaintext differs, without printing it", () => {
    const copy = structuredClone(doc);
    const test = copy.testGroups[0]?.tests.find((t) => t["case"] === "page-example");
    assert.ok(test);
    test["plaintext"] = "This is a secret messagE";
    const c = listVectorCases(parseVectorSuite(copy, "altered.json")).find((x) => x.name.startsWith("legacy-cbc/page-example/"));
    assert.ok(c);
    assert.throws(
      () => c.run(),
      (err: Error) => err instanceof VectorMismatch && !err.message.includes("secret"),
    );
  });

  const contextDoc = readJson(join(vectorsDir, "szc1-context.json")) as {
    numberOfTests: number;
    testGroups: { tests: Record<string, unknown>[] }[];
  };
  const contextCase = (doc: typeof contextDoc, tcId: unknown) =>
    listVectorCases(parseVectorSuite(doc, "altered.json")).find((c) => c.name.endsWith(`/${String(tcId)}`));

  it("runs every szc1-context case the file counts, each result kind among them", () => {
    const cases = listVectorCases(parseVectorSuite(contextDoc, "szc1-context.json"));
    assert.equal(cases.length, contextDoc.numberOfTests);
    assert.equal(cases.length, 122);
    for (const kind of ["valid", "invalid", "context-required"]) {
      assert.ok(
        cases.some((c) => c.expected === kind),
        kind,
      );
    }
    assert.ok(cases.some((c) => c.flags?.includes("BadContext")));
  });

  it("fails a valid szc1-context case presented under another context", () => {
    const copy = structuredClone(contextDoc);
    const test = copy.testGroups[0]?.tests.find((t) => t["result"] === "valid" && t["case"] === "two-parts");
    assert.ok(test);
    test["context"] = ["6162", "63"];
    const c = contextCase(copy, test["tcId"]);
    assert.ok(c);
    assert.throws(() => c.run(), /the valid case threw DECRYPT_FAILED/);
  });

  it("fails a context-required case when the receiver has a context after all", () => {
    const copy = structuredClone(contextDoc);
    const test = copy.testGroups[0]?.tests.find((t) => t["result"] === "context-required");
    assert.ok(test);
    test["context"] = ["74656e616e742d61", "7061795f30303031"];
    const c = contextCase(copy, test["tcId"]);
    assert.ok(c);
    assert.throws(() => c.run(), /failed with .*expected CONTEXT_REQUIRED|succeeded; the vector expects CONTEXT_REQUIRED/);
  });

  it("fails a BadContext case whose context is in fact allowed", () => {
    const copy = structuredClone(contextDoc);
    const test = copy.testGroups[0]?.tests.find((t) => (t["flags"] as string[]).includes("BadContext"));
    assert.ok(test);
    test["context"] = ["70"];
    const c = contextCase(copy, test["tcId"]);
    assert.ok(c);
    assert.throws(() => c.run(), /succeeded; the vector expects CONFIG_INVALID/);
  });

  it("fails an unbound-where-bound case accepted with acceptUnbound, which the vector does not set", () => {
    const copy = structuredClone(contextDoc);
    const test = copy.testGroups[0]?.tests.find((t) => t["case"] === "unbound-where-bound");
    assert.ok(test);
    test["acceptUnbound"] = true;
    const c = contextCase(copy, test["tcId"]);
    assert.ok(c);
    assert.throws(() => c.run(), /accepted a token the vector says is invalid/);
  });

  it("refuses an unknown schema or algorithm", () => {
    assert.throws(
      () => parseVectorSuite({ schema: "other-v9", algorithm: "legacy-cbc", testGroups: [] }, "x.json"),
      /x\.json: unknown schema "other-v9"/,
    );
    assert.throws(
      () => parseVectorSuite({ schema: "szcrypt-vectors-v1", algorithm: "rot13", testGroups: [] }, "y.json"),
      /y\.json: unknown algorithm "rot13"/,
    );
  });
});
