import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseKeySpec } from "@szcrypt/core";

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, "bin.js");
const repo = resolve(here, "../../..");
const tmp = mkdtempSync(join(tmpdir(), "szcrypt-cli-"));
const PAGE_KEY = "39b96ec8e9f303bfbb14917b232866d5";

function szcrypt(args: string[], options: { env?: Record<string, string | undefined>; input?: string | Buffer } = {}) {
  const env = { ...process.env, SZCRYPT_KEY: undefined, ...options.env } as NodeJS.ProcessEnv;
  const r = spawnSync(process.execPath, [bin, ...args], { env, input: options.input ?? "", encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// The page's own functions, run by Python with PyCryptodome: the independent side.
const pythonOk = spawnSync("/usr/bin/python3", ["-c", "import Cryptodome"]).status === 0;
if (!pythonOk && process.env["CI"] === "true") {
  throw new Error("the CLI's interop tests need /usr/bin/python3 with python3-pycryptodome in CI");
}
const skipPython = pythonOk ? false : "SKIPPED: /usr/bin/python3 with PyCryptodome is missing (apt-get install python3-pycryptodome)";
function python(code: string, input = ""): string {
  const r = spawnSync(
    "/usr/bin/python3",
    [
      "-c",
      `import sys, json\nsys.path.insert(0, ${JSON.stringify(join(repo, "conformance/python"))})\nfrom szcrypt_ref.legacy import *\n${code}`,
    ],
    {
      input,
      encoding: "utf8",
    },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe("szcrypt keygen", () => {
  it("makes 16 random bytes as a hex: key spec by default, as the page's generator", () => {
    const a = szcrypt(["keygen"]).out.trim();
    const b = szcrypt(["keygen"]).out.trim();
    assert.match(a, /^hex:[0-9a-f]{32}$/);
    assert.notEqual(a, b);
    assert.equal(parseKeySpec(a).size, 16);
  });

  it("takes --size 24 or 32 and --encoding base64, and refuses other sizes with exit 2", () => {
    assert.equal(parseKeySpec(szcrypt(["keygen", "--size", "32", "--encoding", "base64"]).out.trim()).size, 32);
    assert.equal(parseKeySpec(szcrypt(["keygen", "--size", "24"]).out.trim()).size, 24);
    const bad = szcrypt(["keygen", "--size", "20"]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--size must be 16, 24 or 32/);
  });
});

describe("szcrypt encrypt / decrypt against the page's snippet", { skip: skipPython }, () => {
  for (const spec of [`utf8:${PAGE_KEY}`, `hex:${PAGE_KEY}`]) {
    it(`round-trips with Python's encrypt_message/decrypt_message, key ${spec.split(":")[0]}:`, () => {
      const keyExpr = spec.startsWith("utf8:") ? `b'${PAGE_KEY}'` : `bytes.fromhex('${PAGE_KEY}')`;
      const token = szcrypt(["encrypt", "Zoë 😀 This is a secret message"], { env: { SZCRYPT_KEY: spec } }).out.trim();
      assert.equal(python(`print(decrypt_message(${JSON.stringify(token)}, ${keyExpr}), end='')`), "Zoë 😀 This is a secret message");
      const fromPython = python(`print(encrypt_message('from the page\\u00e9', ${keyExpr}), end='')`);
      const r = szcrypt(["decrypt"], { env: { SZCRYPT_KEY: spec }, input: `${fromPython}\n` });
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, "from the pageé\n");
    });
  }

  it("--json encrypts exactly Python's json.dumps text of the input", () => {
    const input = '{"b": 1.0, "a": [1e16, -0.0, 12345678901234567890], "10": "\u00e9", "2": null}';
    const token = szcrypt(["encrypt", "--json"], { env: { SZCRYPT_KEY: `utf8:${PAGE_KEY}` }, input }).out.trim();
    const expected = python(`print(json.dumps(json.loads(sys.stdin.read())), end='')`, input);
    assert.equal(python(`print(decrypt_message(${JSON.stringify(token)}, b'${PAGE_KEY}'), end='')`), expected);
  });

  it("reads the key from --key-file (a keyring), never from an argument", () => {
    const file = join(tmp, "keyring.json");
    writeFileSync(
      file,
      JSON.stringify({ primary: "new", legacy: "page", keys: { page: `utf8:${PAGE_KEY}`, new: `hex:${"11".repeat(32)}` } }),
    );
    const token = szcrypt(["encrypt", "--key-file", file, "hi"]).out.trim();
    assert.equal(python(`print(decrypt_message(${JSON.stringify(token)}, b'${PAGE_KEY}'), end='')`), "hi");
    const szc1 = szcrypt(["encrypt", "--key-file", file, "--format", "szc1", "--field", "x.y", "hi"]).out.trim();
    assert.match(szc1, /^szc1:/);
    assert.equal(szcrypt(["decrypt", "--key-file", file, "--field", "x.y", szc1]).out, "hi\n");
    const noArgKey = szcrypt(["encrypt", "--key", `hex:${PAGE_KEY}`, "hi"]);
    assert.equal(noArgKey.code, 2);
  });
});

describe("szcrypt exit codes and messages", () => {
  const env = { SZCRYPT_KEY: `hex:${PAGE_KEY}` };

  it("1 for a token that does not decrypt, with the uniform message", () => {
    const token = szcrypt(["encrypt", "x"], { env }).out.trim();
    const r = szcrypt(["decrypt", token], { env: { SZCRYPT_KEY: `utf8:${PAGE_KEY}` } });
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      "szcrypt: DECRYPT_FAILED: decryption failed (if every token from a peer fails, compare `szcrypt fingerprint` on both sides: the keys or their readings differ)\n",
    );
  });

  it("1 for an szc1 token decrypted without its field name, saying so", () => {
    const ring = { SZCRYPT_KEY: JSON.stringify({ primary: "k1", keys: { k1: `hex:${"33".repeat(32)}` } }) };
    const token = szcrypt(["encrypt", "--format", "szc1", "--field", "a.B.c", "x"], { env: ring }).out.trim();
    const r = szcrypt(["decrypt", token], { env: ring });
    assert.equal(r.code, 1);
    assert.match(r.err, /bound to its field's full name and no --field was given/);
    assert.equal(szcrypt(["decrypt", "--field", "a.B.c", token], { env: ring }).out, "x\n");
  });

  it("3 without a key, explaining how to set one and never echoing a bad one", () => {
    const none = szcrypt(["encrypt", "x"]);
    assert.equal(none.code, 3);
    assert.match(none.err, /SZCRYPT_KEY is not set/);
    const bare = szcrypt(["encrypt", "x"], { env: { SZCRYPT_KEY: PAGE_KEY } });
    assert.equal(bare.code, 3);
    assert.match(bare.err, /two readings/);
    assert.ok(!bare.err.includes(PAGE_KEY));
    assert.equal(szcrypt(["encrypt", "--key-file", join(tmp, "missing"), "x"]).code, 3);
  });

  it("4 for input that is not a token or not JSON", () => {
    assert.equal(szcrypt(["decrypt", "not a token!"], { env }).code, 4);
    const r = szcrypt(["encrypt", "--json", "{'a': 1}"], { env });
    assert.equal(r.code, 4);
    assert.match(r.err, /--json: the input is not JSON/);
  });

  it("5 for stdin that is not UTF-8, instead of encrypting U+FFFD", () => {
    const r = szcrypt(["encrypt"], { env, input: Buffer.from([0x61, 0xff, 0x62]) });
    assert.equal(r.code, 5);
    assert.match(r.err, /stdin is not UTF-8/);
  });

  it("2 for bad usage, and --help lists examples and exit codes", () => {
    assert.equal(szcrypt(["frobnicate"]).code, 2);
    const help = szcrypt(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /Examples:/);
    assert.match(help.out, /Exit codes:/);
  });
});

describe("szcrypt fingerprint and inspect", () => {
  it("fingerprint prints each key's fingerprint and role, not the key", () => {
    const ring = JSON.stringify({ primary: "b", legacy: "a", keys: { a: `utf8:${PAGE_KEY}`, b: `hex:${PAGE_KEY}` } });
    const r = szcrypt(["fingerprint"], { env: { SZCRYPT_KEY: ring } });
    assert.equal(r.code, 0);
    assert.equal(
      r.out,
      `${parseKeySpec(`utf8:${PAGE_KEY}`).fingerprint}  aes-256  a  (legacy)\n${parseKeySpec(`hex:${PAGE_KEY}`).fingerprint}  aes-128  b  (primary)\n`,
    );
    assert.ok(!r.out.includes(PAGE_KEY));
  });

  it("inspect reads format, key id and sizes without a key", () => {
    const env = { SZCRYPT_KEY: JSON.stringify({ primary: "2026-06", keys: { "2026-06": `hex:${"22".repeat(32)}` } }) };
    const legacy = szcrypt(["encrypt", "This is a secret message"], { env }).out.trim();
    assert.deepEqual(JSON.parse(szcrypt(["inspect", "--json", legacy]).out), {
      format: "legacy-cbc",
      form: "text",
      bytes: 48,
      ivBytes: 16,
      ciphertextBytes: 32,
      plaintextBytes: [16, 31],
    });
    const szc1 = szcrypt(["encrypt", "--format", "szc1", "4111"], { env }).out.trim();
    const info = JSON.parse(szcrypt(["inspect", "--json", szc1]).out);
    assert.equal(info.keyId, "2026-06");
    assert.equal(info.plaintextBytes, 4);
    const r = szcrypt(["inspect", "--hex", "00112233"]);
    assert.equal(r.code, 4);
  });
});

describe("szcrypt lint", () => {
  function protoDir(name: string, body: string): string {
    const dir = join(tmp, name);
    mkdirSync(join(dir, "acme/v1"), { recursive: true });
    writeFileSync(join(dir, "acme/v1/acme.proto"), `syntax = "proto3";\npackage acme.v1;\nimport "sz/crypt/v1/options.proto";\n${body}\n`);
    return dir;
  }

  it("passes valid annotations and lists them", () => {
    const dir = protoDir(
      "valid",
      "message User { string email = 1 [(sz.crypt.v1.sensitive) = true]; repeated Card cards = 2; }\nmessage Card { bytes pan = 1 [(sz.crypt.v1.sensitive) = true]; }",
    );
    const r = szcrypt(["lint", dir, "--list"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /sensitive {2}acme\.v1\.User\.email/);
    assert.match(r.out, /sensitive {2}acme\.v1\.Card\.pan/);
    assert.match(r.out, /2 message types, 2 sensitive fields, 0 invalid annotations/);
  });

  it("fails with exit 6 naming each invalid annotation and the fix", () => {
    const dir = protoDir(
      "invalid",
      "message Order { int64 total = 1 [(sz.crypt.v1.sensitive) = true]; Meta meta = 2 [(sz.crypt.v1.sensitive) = true]; }\nmessage Meta { string note = 1; }",
    );
    const r = szcrypt(["lint", dir]);
    assert.equal(r.code, 6, r.out + r.err);
    assert.match(r.out, /error: \(sz\.crypt\.v1\.sensitive\) is on acme\.v1\.Order\.total, a int64 field/);
    assert.match(r.out, /JSON text in a sensitive string field/);
  });

  it("warns about Any fields in messages that carry sensitive data, and checks extensions", () => {
    const dir = protoDir(
      "any",
      'import "google/protobuf/any.proto";\n' +
        "message Order { string pan = 1 [(sz.crypt.v1.sensitive) = true]; google.protobuf.Any extra = 2; }\n" +
        "message Bag { google.protobuf.Any item = 1; }",
    );
    const r = szcrypt(["lint", dir]);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /warning: acme\.v1\.Order\.extra is a google\.protobuf\.Any in a message that carries sensitive data/);
    assert.doesNotMatch(r.out, /Bag\.item/, "no sensitive data beside it");
    assert.match(r.out, /1 Any fields beside sensitive data/);

    const ext = join(tmp, "ext");
    mkdirSync(join(ext, "acme/v1"), { recursive: true });
    writeFileSync(
      join(ext, "acme/v1/ext.proto"),
      'syntax = "proto2";\npackage acme.v1;\nimport "sz/crypt/v1/options.proto";\n' +
        "message Base { extensions 100 to 199; }\nextend Base { optional int64 pin = 100 [(sz.crypt.v1.sensitive) = true]; }\n",
    );
    const bad = szcrypt(["lint", ext]);
    assert.equal(bad.code, 6, bad.out + bad.err);
    assert.match(bad.out, /error: \(sz\.crypt\.v1\.sensitive\) is on the extension acme\.v1\.pin, a int64 field/);
  });

  it("reads a descriptor set as well", () => {
    const set = join(tmp, "set.binpb");
    const build = spawnSync(
      join(repo, "node_modules/.bin/buf"),
      ["build", repo, "--path", join(repo, "proto/sz/examples"), "--as-file-descriptor-set", "-o", set],
      { encoding: "utf8" },
    );
    assert.equal(build.status, 0, build.stderr);
    const r = szcrypt(["lint", "--descriptor-set", set, "--list"]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /sensitive {2}sz\.examples\.v1\.Payment\.card_number/);
  });

  it("counts the valid annotations of a message that also has an invalid one", () => {
    const dir = protoDir(
      "mixed",
      "message Order { string card = 1 [(sz.crypt.v1.sensitive) = true]; int64 total = 2 [(sz.crypt.v1.sensitive) = true]; bytes pin = 3 [(sz.crypt.v1.sensitive) = true]; }",
    );
    const r = szcrypt(["lint", dir, "--list"]);
    assert.equal(r.code, 6, r.out + r.err);
    assert.match(r.out, /sensitive {2}acme\.v1\.Order\.card/);
    assert.match(r.out, /sensitive {2}acme\.v1\.Order\.pin/);
    assert.match(r.out, /1 message types?, 2 sensitive fields, 1 invalid annotation/);
  });

  it("says when the protos do not compile (exit 8) or the folder is missing (exit 7)", () => {
    const dir = protoDir("broken", "message Oops { strin x = 1; }");
    assert.equal(szcrypt(["lint", dir]).code, 8);
    assert.equal(szcrypt(["lint", join(tmp, "nope")]).code, 7);
  });
});
