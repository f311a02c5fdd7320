import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createCipheriv } from "node:crypto";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { decryptSzc1, isSzcryptError, SzcryptKey } from "@szcrypt/core";
import { CliError, EXIT } from "../exit-codes.js";
import { inspectToken } from "./inspect.js";

const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "bin.js");

// An szc1 token laid out by SPEC.md with node's GCM, whatever its key id.
function szc1Token(id: Buffer): Buffer {
  const nonce = Buffer.alloc(12, 1);
  const c = createCipheriv("aes-256-gcm", Buffer.alloc(32, 2), nonce);
  c.setAAD(Buffer.concat([Buffer.from("szc1\0"), id, Buffer.from("\0f")]));
  const ct = Buffer.concat([c.update("4111"), c.final()]);
  return Buffer.concat([Buffer.from("szc1"), Buffer.of(id.length), id, nonce, ct, c.getAuthTag()]);
}

const asText = (raw: Buffer) => `szc1:${raw.subarray(4).toString("base64url")}`;

function inspect(args: string[]) {
  const r = spawnSync(process.execPath, [bin, "inspect", ...args], { encoding: "utf8", timeout: 60_000, input: "" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const escapes = Buffer.from("\x1b]0;owned\x07\x1b[2J");

describe("szcrypt inspect prints only validated text", () => {
  for (const [what, id] of [
    ["terminal escapes", escapes],
    ["a 200-character id", Buffer.from("k".repeat(200))],
    ["a non-ASCII byte", Buffer.from([0x6b, 0xff])],
  ] as const) {
    it(`refuses an szc1 key id with ${what}, as text and as bytes, quoting none of it`, () => {
      const raw = szc1Token(id);
      for (const [token, hex] of [
        [asText(raw), false],
        [raw.toString("hex"), true],
      ] as const) {
        assert.throws(
          () => inspectToken(token, hex),
          (err: unknown) =>
            err instanceof CliError &&
            err.exitCode === EXIT.MALFORMED &&
            !/\x1b|\x07/.test(err.message) &&
            !err.message.includes("k".repeat(65)),
        );
      }
    });
  }

  it("the command exits 4 and writes no escape to the terminal; a valid id still prints", () => {
    const bad = inspect([asText(szc1Token(escapes))]);
    assert.equal(bad.code, 4, bad.err);
    assert.equal(bad.out, "");
    assert.doesNotMatch(bad.err, /\x1b|\x07/);
    const good = inspect([asText(szc1Token(Buffer.from("2026-06.a_b")))]);
    assert.equal(good.code, 0, good.err);
    assert.match(good.out, /^key id {6}2026-06\.a_b$/m);
    assert.match(good.out, /header 16 \(magic, flags, key id\), nonce 12, ciphertext 4, tag 16/);
    assert.match(good.out, /^context {5}none \(unbound\)$/m);
  });
});

describe("szcrypt inspect describes only what core accepts", () => {
  it("refuses a token with spaces around it, which core refuses (it used to trim and describe it as szc1)", () => {
    const token = asText(szc1Token(Buffer.from("k1")));
    for (const padded of [` ${token}`, `${token} `, `${token}\t`, `\n${token}`]) {
      assert.throws(
        () => decryptSzc1(padded, SzcryptKey.fromBytes(Buffer.alloc(32, 2), { id: "k1" }), { fieldName: "f" }),
        (err: unknown) => isSzcryptError(err, "MALFORMED"),
      );
    }
    // The trimming was the command's (one process per form: the CLI starts slowly on a loaded machine).
    for (const padded of [` ${token}`, `${token}\t`]) {
      const r = inspect([padded]);
      assert.equal(r.code, 4, r.out);
      assert.equal(r.out, "");
      assert.match(r.err, /spaces or line breaks around it/);
    }
  });

  it("says whether a token is context-bound, from the header's flag", () => {
    const raw = szc1Token(Buffer.from("k1"));
    raw[4] = 0x82;
    const json = inspect(["--json", asText(raw)]);
    assert.equal(json.code, 0, json.err);
    assert.equal(JSON.parse(json.out).contextBound, true);
    assert.match(inspect(["--hex", raw.toString("hex")]).out, /^context {5}bound: decrypting needs the same context/m);
    assert.equal(inspectToken(asText(szc1Token(Buffer.from("k1"))), false).contextBound, false);
  });
});
