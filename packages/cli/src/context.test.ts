// `--context` / `--context-hex` / `--accept-unbound` on encrypt and decrypt. Expected values come
// from the Python reference: its vectors (conformance/vectors/szc1-context.json) and, for what the
// CLI encrypts, its own decryption (conformance/python, szcrypt_ref.szc1).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, "bin.js");
const repo = resolve(here, "../../..");

interface Vector {
  readonly tcId: number;
  readonly fieldName: string;
  readonly context: readonly string[] | null;
  readonly token?: string;
  readonly plaintext?: string;
}
interface Group {
  readonly keySpec: string;
  readonly keyId: string;
  readonly tests: readonly Vector[];
}
const groups = (JSON.parse(readFileSync(join(repo, "conformance/vectors/szc1-context.json"), "utf8")) as { testGroups: Group[] })
  .testGroups;

function vector(tcId: number): { env: Record<string, string>; t: Vector } {
  for (const g of groups) {
    const t = g.tests.find((x) => x.tcId === tcId);
    if (t !== undefined) {
      return { env: { SZCRYPT_KEY: JSON.stringify({ primary: g.keyId, keys: { [g.keyId]: g.keySpec } }) }, t };
    }
  }
  throw new Error(`no vector ${tcId}`);
}

function szcrypt(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    input: "",
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const hexArgs = (parts: readonly string[]) => parts.flatMap((p) => ["--context-hex", p]);
const text = (hex: string) => Buffer.from(hex, "hex").toString("utf8");

const pythonOk = spawnSync("/usr/bin/python3", ["-c", "import Cryptodome"]).status === 0;
if (!pythonOk && process.env["CI"] === "true") {
  throw new Error("the CLI's context tests need /usr/bin/python3 with python3-pycryptodome in CI");
}
const skipPython = pythonOk ? false : "SKIPPED: /usr/bin/python3 with PyCryptodome is missing (apt-get install python3-pycryptodome)";

/** The Python reference's decryption of a text token under hex parts (None for no context). */
function pythonDecrypt(token: string, keySpec: string, keyId: string, field: string, parts: readonly string[] | null): string {
  const code = `import sys, json
sys.path.insert(0, ${JSON.stringify(join(repo, "conformance/python"))})
from szcrypt_ref import legacy, szc1
a = json.loads(sys.stdin.read())
ctx = None if a["parts"] is None else [bytes.fromhex(p) for p in a["parts"]]
key = legacy.parse_key_spec(a["keySpec"])
sys.stdout.write(json.dumps({"bound": szc1.is_bound(szc1.from_text(a["token"])), "plaintext": szc1.decrypt_text(a["token"], {a["keyId"]: key}, a["field"], ctx)}))`;
  const r = spawnSync("/usr/bin/python3", ["-c", code], {
    input: JSON.stringify({ token, keySpec, keyId, field, parts }),
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr.split("\n").at(-2));
  const out = JSON.parse(r.stdout) as { bound: boolean; plaintext: string };
  assert.equal(out.bound, parts !== null, "the context flag");
  return out.plaintext;
}

describe("szcrypt decrypt --context against the Python reference's vectors", () => {
  it("decrypts a two-part vector, the parts as text, as hex, and mixed in order", () => {
    const { env, t } = vector(4);
    const [tenant = "", record = ""] = t.context ?? [];
    for (const args of [
      ["--context", text(tenant), "--context", text(record)],
      hexArgs([tenant, record]),
      ["--context", text(tenant), "--context-hex", record],
      ["--context-hex", tenant, "--context", text(record)],
    ]) {
      const r = szcrypt(["decrypt", "--field", t.fieldName, ...args, t.token ?? ""], env);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, `${t.plaintext}\n`);
    }
  });

  it("takes non-ASCII text parts as their UTF-8", () => {
    const { env, t } = vector(22);
    const args = (t.context ?? []).flatMap((p) => ["--context", text(p)]);
    const r = szcrypt(["decrypt", "--field", t.fieldName, ...args, t.token ?? ""], env);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `${t.plaintext}\n`);
  });

  it("refuses the parts in another order, or shifted, with the uniform failure and a hint", () => {
    const { env, t } = vector(4);
    const [tenant = "", record = ""] = t.context ?? [];
    for (const parts of [
      [record, tenant],
      [`${tenant}${record.slice(0, 2)}`, record.slice(2)],
    ]) {
      const r = szcrypt(["decrypt", "--field", t.fieldName, ...hexArgs(parts), t.token ?? ""], env);
      assert.equal(r.code, 1, r.err);
      assert.match(r.err, /^szcrypt: DECRYPT_FAILED: decryption failed .*needs the very --context parts, in the order, it was made with/);
    }
  });

  it("says CONTEXT_REQUIRED (exit 2) for a bound token decrypted without --context", () => {
    const { env, t } = vector(98);
    const r = szcrypt(["decrypt", "--field", t.fieldName, t.token ?? ""], env);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /this token is context-bound: pass the same --context parts it was made with/);
  });

  it("refuses an unbound token under --context (exit 1), and takes it with --accept-unbound", () => {
    const refused = vector(102);
    const r = szcrypt(["decrypt", "--field", refused.t.fieldName, ...hexArgs(refused.t.context ?? []), refused.t.token ?? ""], refused.env);
    assert.equal(r.code, 1, r.err);
    assert.match(r.err, /the token is not context-bound, and with --context an unbound token is refused/);
    const { env, t } = vector(104);
    const ok = szcrypt(["decrypt", "--field", t.fieldName, ...hexArgs(t.context ?? []), "--accept-unbound", t.token ?? ""], env);
    assert.equal(ok.code, 0, ok.err);
    assert.equal(ok.out, `${t.plaintext}\n`);
  });
});

describe("szcrypt inspect on the Python reference's tokens", () => {
  it("says a bound token is bound and an unbound one is not, without a key", () => {
    for (const [tcId, bound] of [
      [4, true],
      [102, false],
    ] as const) {
      const r = szcrypt(["inspect", "--json", vector(tcId).t.token ?? ""], {});
      assert.equal(r.code, 0, r.err);
      assert.equal(JSON.parse(r.out).contextBound, bound, `vector ${tcId}`);
    }
    const text = szcrypt(["inspect", vector(98).t.token ?? ""], {});
    assert.match(text.out, /^context {5}bound: decrypting needs the same context/m);
  });
});

describe("szcrypt encrypt --context, checked by the Python reference", { skip: skipPython }, () => {
  const { env, t } = vector(4);
  const ring = JSON.parse(env["SZCRYPT_KEY"] ?? "{}") as { primary: string; keys: Record<string, string> };
  const keySpec = ring.keys[ring.primary] ?? "";

  it("writes a bound token Python decrypts under the same parts, text and hex mixed in order", () => {
    const parts = ["74656e616e742d61", "", "00ff10", Buffer.from("東京 😀").toString("hex")];
    const args = ["--context", "tenant-a", "--context-hex", "", "--context-hex", "00FF10", "--context", "東京 😀"];
    const r = szcrypt(["encrypt", "--format", "szc1", "--field", t.fieldName, ...args, "Zoë 4111"], env);
    assert.equal(r.code, 0, r.err);
    assert.equal(pythonDecrypt(r.out.trim(), keySpec, ring.primary, t.fieldName, parts), "Zoë 4111");
    // And szcrypt reads it back under the same parts.
    const back = szcrypt(["decrypt", "--field", t.fieldName, ...args, r.out.trim()], env);
    assert.equal(back.out, "Zoë 4111\n", back.err);
  });

  it("takes 16 parts and a 1024-byte part", () => {
    const sixteen = Array.from({ length: 16 }, (_, i) => Buffer.from(`p${i}`).toString("hex"));
    const r = szcrypt(["encrypt", "--format", "szc1", "--field", t.fieldName, ...hexArgs(sixteen), "x"], env);
    assert.equal(r.code, 0, r.err);
    assert.equal(pythonDecrypt(r.out.trim(), keySpec, ring.primary, t.fieldName, sixteen), "x");
    const big = ["ab".repeat(1024)];
    const b = szcrypt(["encrypt", "--format", "szc1", "--field", t.fieldName, ...hexArgs(big), "y"], env);
    assert.equal(b.code, 0, b.err);
    assert.equal(pythonDecrypt(b.out.trim(), keySpec, ring.primary, t.fieldName, big), "y");
  });

  it("without --context writes an unbound token, as before", () => {
    const r = szcrypt(["encrypt", "--format", "szc1", "--field", t.fieldName, "z"], env);
    assert.equal(pythonDecrypt(r.out.trim(), keySpec, ring.primary, t.fieldName, null), "z");
  });
});

describe("szcrypt --context usage errors (exit 2), quoting no part", () => {
  const { env, t } = vector(4);
  const SECRET = "CANARY-RECORD-0001";
  const cases: [string, string[], RegExp][] = [
    [
      "with legacy-cbc",
      ["encrypt", "--context", SECRET, "x"],
      /--context binds szc1 values only: legacy-cbc has no associated data and cannot be bound \(add --format szc1\)/,
    ],
    [
      "17 parts",
      ["encrypt", "--format", "szc1", ...Array.from({ length: 17 }, () => ["--context", SECRET]).flat(), "x"],
      /--context\/--context-hex: an szc1 context has 1 to 16 parts, got 17/,
    ],
    [
      "a 1025-byte part",
      ["encrypt", "--format", "szc1", "--context", SECRET, "--context", SECRET.repeat(57), "x"],
      /--context\/--context-hex: part 1 of the szc1 context is 1026 bytes; a part is at most 1024 bytes/,
    ],
    [
      "bad hex",
      ["encrypt", "--format", "szc1", "--context-hex", `${SECRET}`, "x"],
      /--context-hex \(part 1\) expects an even number of hex digits/,
    ],
    ["--accept-unbound alone", ["decrypt", "--accept-unbound", t.token ?? ""], /--accept-unbound only applies with --context/],
    [
      "a legacy-cbc token under --context",
      ["decrypt", "--context", SECRET, "neRs8dQYtdWuiRIYnX9e/N6oXfKJdYT30X9mUvLlWo2ipnwjYe0hxfa7dhM9cbEf"],
      /this is a legacy-cbc token, which cannot be bound to a context: drop --context, or pass --accept-unbound/,
    ],
    [
      "17 parts on decrypt",
      ["decrypt", "--field", t.fieldName, ...Array.from({ length: 17 }, () => ["--context", SECRET]).flat(), t.token ?? ""],
      /an szc1 context has 1 to 16 parts, got 17/,
    ],
  ];
  for (const [label, args, message] of cases) {
    it(label, () => {
      const r = szcrypt(args, env);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, message);
      assert.equal(r.out, "");
      assert.ok(!r.err.includes("CANARY"), "a context part is never quoted");
      assert.ok(!r.err.includes(t.token ?? "-"), "nor the token");
    });
  }
});
