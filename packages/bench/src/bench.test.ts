import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { decryptSzc1, encryptSzc1 } from "@szcrypt/core";
import { GCM_FIELD, gcmKey, nodeGcmDecrypt, nodeGcmEncrypt } from "./codec.js";
import { markers, writeGenerated } from "./document.js";
import { pair, unaryRate } from "./grpc.js";
import { formatTargets, row } from "./report.js";

test("writeGenerated replaces only what lies between its markers", () => {
  const [begin, end] = markers();
  const [vBegin, vEnd] = markers("pnpm bench:node-versions");
  const file = join(mkdtempSync(join(tmpdir(), "bench-")), "B.md");
  writeFileSync(file, `# T\nprose 1\n${begin}\nold\n${end}\nprose 2\n${vBegin}\nold v\n${vEnd}\nprose 3\n`);
  writeGenerated(file, "new table");
  writeGenerated(file, "new versions", "pnpm bench:node-versions");
  assert.equal(
    readFileSync(file, "utf8"),
    `# T\nprose 1\n${begin}\nnew table\n${end}\nprose 2\n${vBegin}\nnew versions\n${vEnd}\nprose 3\n`,
  );
});

test("writeGenerated refuses a file without its markers and leaves it alone", () => {
  const file = join(mkdtempSync(join(tmpdir(), "bench-")), "B.md");
  writeFileSync(file, "# only prose\n");
  assert.throws(() => writeGenerated(file, "table"), /has no/);
  assert.equal(readFileSync(file, "utf8"), "# only prose\n");
});

test("formatTargets lists every checked row, met at the target and missed below it", () => {
  const base = { name: "b", opsPerSec: 100 };
  const text = formatTargets([row("g", "at", 150, base, 1.5), row("g", "below", 149, base, 1.5), row("g", "unchecked", 10, base)]);
  assert.match(text, /g\/at\s+\| b\s+\| 1\.50× \| ≥ 1\.5× \| met/);
  assert.match(text, /g\/below\s+\| b\s+\| 1\.49× \| ≥ 1\.5× \| MISSED/);
  assert.doesNotMatch(text, /unchecked/);
});

test("the hand-written AES-GCM baseline does szc1's work: each side opens the other's token", () => {
  const text = "value-0-".padEnd(32, "x");
  assert.equal(decryptSzc1(nodeGcmEncrypt(text, GCM_FIELD), gcmKey, { fieldName: GCM_FIELD }), text);
  assert.equal(nodeGcmDecrypt(encryptSzc1(text, gcmKey, { fieldName: GCM_FIELD }), GCM_FIELD), text);
  // The field is bound: the baseline may not skip the associated data.
  assert.throws(() => nodeGcmDecrypt(encryptSzc1(text, gcmKey, { fieldName: GCM_FIELD }), `${GCM_FIELD}x`));
});

test("the two-process variant serves from a child process, and closing it ends the child", async () => {
  const p = await pair("szcrypt szc1", "two");
  try {
    assert.notEqual(p.serverPid, process.pid);
    assert.ok((await unaryRate(p, "sensitive", 2, 4)) > 0);
  } finally {
    await p.close();
  }
  assert.throws(() => process.kill(p.serverPid, 0), { code: "ESRCH" });
});
