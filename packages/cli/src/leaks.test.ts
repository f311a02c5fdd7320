// No leaks from the CLI: on every failure, nothing it writes to stdout or stderr
// holds the canary key (as text, hex, base64, or as util.inspect renders its
// bytes), the canary plaintext, or the token. Success paths print exactly what
// they are asked for, so only failures are run here.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { encryptLegacy, encryptSzc1, parseKeySpec } from "@szcrypt/core";

const bin = join(dirname(fileURLToPath(import.meta.url)), "bin.js");
const KEY_TEXT = "CANARYKEY-0123456789abcdef-XYZ!!";
const KEY_HEX = "ca11ab1eca11ab1eca11ab1eca11ab1e";
const PLAIN = "CANARY-PLAINTEXT-4111-1111-1111-1111";
const PART = "CANARY-CONTEXT-PART-rec_0001";
const key = parseKeySpec(`utf8:${KEY_TEXT}`, { id: "canary" });
const other = parseKeySpec(`hex:${KEY_HEX}`, { id: "canary" });
const notJson = encryptLegacy(`${PLAIN} is not JSON`, key);
const tokens = [
  encryptLegacy(PLAIN, other),
  encryptSzc1(PLAIN, other, { fieldName: "f" }),
  encryptSzc1(PLAIN, key, { fieldName: "f" }),
  encryptSzc1(PLAIN, key, { fieldName: "f", context: ["tenant-a", PART] }),
];

/** Every text form of the canaries, util.inspect's renderings of their bytes included. */
function needles(): string[] {
  const out = new Set<string>([
    PLAIN,
    "CANARY-PLAINTEXT",
    PART,
    "CANARY-CONTEXT",
    KEY_TEXT,
    KEY_HEX,
    notJson,
    ...tokens,
    ...tokens.map((t) => t.slice(5, 30)),
  ]);
  for (const bytes of [Buffer.from(KEY_TEXT), Buffer.from(KEY_HEX, "hex"), Buffer.from(PLAIN), Buffer.from(PART)]) {
    out.add(bytes.toString("hex"));
    out.add(bytes.toString("base64").slice(0, 16));
    out.add(bytes.toString("base64url").slice(0, 16));
    const head = [...bytes.subarray(0, 8)];
    out.add(head.map((b) => b.toString(16).padStart(2, "0")).join(" ")); // <Buffer 43 41 …>
    out.add(head.join(", ")); // Uint8Array(32) [ 67, 65, … ]
  }
  return [...out];
}

const dir = mkdtempSync(join(tmpdir(), "szcrypt-cli-leaks-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>, input: string | Buffer = "") {
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    input,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe("szcrypt CLI: no canary in any failure's output", () => {
  const keyEnv = { SZCRYPT_KEY: `utf8:${KEY_TEXT}` };
  const badFile = join(dir, "bad-key");
  writeFileSync(badFile, `hex:${KEY_HEX}zz`);
  const badRing = join(dir, "bad-ring");
  writeFileSync(badRing, JSON.stringify({ primary: "x", keys: { a: `utf8:${KEY_TEXT}` } }));
  const failures: [string, string[], Record<string, string>, (string | Buffer)?][] = [
    ["decrypt, token under another key", ["decrypt", tokens[0] ?? ""], keyEnv],
    ["decrypt, szc1 under another key", ["decrypt", "--field", "f", tokens[1] ?? ""], keyEnv],
    ["decrypt, szc1 bound to another field", ["decrypt", "--field", "g", tokens[2] ?? ""], keyEnv],
    ["decrypt, truncated token", ["decrypt", (tokens[0] ?? "").slice(0, 30)], keyEnv],
    ["decrypt, plaintext for a token", ["decrypt", PLAIN], keyEnv],
    ["decrypt from stdin", ["decrypt"], keyEnv, `${tokens[0]}\n`],
    ["decrypt --json of a non-JSON plaintext", ["decrypt", "--json", notJson], keyEnv],
    ["encrypt --json of non-JSON input", ["encrypt", "--json", `{"card": ${PLAIN}`], keyEnv],
    ["encrypt, non-UTF-8 stdin", ["encrypt"], keyEnv, Buffer.concat([Buffer.from(PLAIN), Buffer.of(0xff)])],
    ["bare key in the environment", ["encrypt", "x"], { SZCRYPT_KEY: KEY_HEX }],
    ["bad hex key", ["encrypt", "x"], { SZCRYPT_KEY: `hex:${KEY_HEX}zz` }],
    ["short utf8 key", ["encrypt", "x"], { SZCRYPT_KEY: `utf8:${KEY_TEXT.slice(0, 20)}` }],
    ["bad base64 key", ["fingerprint"], { SZCRYPT_KEY: `base64:${KEY_TEXT}` }],
    [
      "keyring without its primary",
      ["decrypt", tokens[0] ?? ""],
      { SZCRYPT_KEY: JSON.stringify({ primary: "x", keys: { a: `utf8:${KEY_TEXT}` } }) },
    ],
    ["bad key file", ["decrypt", "--key-file", badFile, tokens[0] ?? ""], {}],
    ["bad keyring file", ["fingerprint", "--key-file", badRing], {}],
    ["missing key file", ["encrypt", "--key-file", join(dir, "none"), PLAIN], {}],
    ["inspect a damaged token", ["inspect", `${(tokens[1] ?? "").slice(0, 40)}!`], {}],
    ["unknown option", ["encrypt", "--key", `utf8:${KEY_TEXT}`, PLAIN], keyEnv],
    [
      "decrypt, bound token under another --context",
      ["decrypt", "--field", "f", "--context", "tenant-a", "--context", `${PART}x`, tokens[3] ?? ""],
      keyEnv,
    ],
    ["decrypt, bound token without --context", ["decrypt", "--field", "f", tokens[3] ?? ""], keyEnv],
    ["decrypt, unbound token under --context", ["decrypt", "--field", "f", "--context", PART, tokens[2] ?? ""], keyEnv],
    ["decrypt, legacy token under --context", ["decrypt", "--context", PART, tokens[0] ?? ""], keyEnv],
    ["encrypt --context with legacy-cbc", ["encrypt", "--context", PART, PLAIN], keyEnv],
    [
      "encrypt, 17 --context parts",
      ["encrypt", "--format", "szc1", ...Array.from({ length: 17 }, () => ["--context", PART]).flat(), PLAIN],
      keyEnv,
    ],
    ["encrypt, a --context part over 1024 bytes", ["encrypt", "--format", "szc1", "--context", PART.repeat(40), PLAIN], keyEnv],
    [
      "encrypt, --context-hex not hex",
      ["encrypt", "--format", "szc1", "--context-hex", `${Buffer.from(PART).toString("hex")}z`, PLAIN],
      keyEnv,
    ],
  ];

  for (const [label, args, env, input] of failures) {
    it(label, () => {
      const r = run(args, env, input);
      assert.notEqual(r.code, 0, `${label} should fail`);
      assert.ok(r.output.trim().length > 0, "says why it failed");
      const leaked = needles().filter((n) => r.output.includes(n) || r.output.replace(/\s+/g, " ").includes(n));
      // Only which canary, never its value: the test's own output is searched by nobody.
      assert.deepEqual(
        leaked.map((n) => needles().indexOf(n)),
        [],
        `canary #${leaked.map((n) => needles().indexOf(n)).join(",")} in the output of ${label}`,
      );
    });
  }
});
