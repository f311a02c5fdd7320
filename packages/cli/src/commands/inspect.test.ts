import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createCipheriv } from "node:crypto";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const bin = join(dirname(fileURLToPath(import.meta.url)), "..", "bin.js");

// An szc1 token laid out by SPEC.md with node's GCM, whatever its key id.
function szc1Token(id: Buffer): Buffer {
  const nonce = Buffer.alloc(12, 1);
  const c = createCipheriv("aes-256-gcm", Buffer.alloc(32, 2), nonce);
  c.setAAD(Buffer.concat([Buffer.from("szc1\0"), id, Buffer.from("\0f")]));
  const ct = Buffer.concat([c.update("4111"), c.final()]);
  return Buffer.concat([Buffer.from("szc1"), Buffer.of(id.length), id, nonce, ct, c.getAuthTag()]);
}

function inspect(args: string[]) {
  const r = spawnSync(process.execPath, [bin, "inspect", ...args], { encoding: "utf8", timeout: 60_000, input: "" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("szcrypt inspect prints only validated text", () => {
  const escapes = Buffer.from("\x1b]0;owned\x07\x1b[2J");
  for (const [what, id] of [
    ["terminal escapes", escapes],
    ["a 200-character id", Buffer.from("k".repeat(200))],
    ["a non-ASCII byte", Buffer.from([0x6b, 0xff])],
  ] as const) {
    it(`refuses an szc1 key id with ${what}, text and bytes, and echoes none of it`, () => {
      const raw = szc1Token(id);
      for (const args of [
        [`szc1:${raw.subarray(4).toString("base64url")}`],
        ["--hex", raw.toString("hex")],
        ["--json", `szc1:${raw.subarray(4).toString("base64url")}`],
      ]) {
        const r = inspect(args);
        assert.equal(r.code, 4, `exit code for ${args[0]}: ${r.err}`);
        assert.equal(r.out, "");
        assert.doesNotMatch(r.err, /\x1b|\x07/);
        assert.ok(!r.err.includes("k".repeat(65)));
      }
    });
  }

  it("still prints a valid key id", () => {
    const raw = szc1Token(Buffer.from("2026-06.a_b"));
    const r = inspect([`szc1:${raw.subarray(4).toString("base64url")}`]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^key id {6}2026-06\.a_b$/m);
    assert.match(r.out, /magic 4, key id 12, nonce 12, ciphertext 4, tag 16/);
  });
});
