// The vector generator counts a case as rejected only when decryption fails as
// a decryption fails (ValueError and its subclasses); a bug in the generator
// (TypeError, IndexError) must stop the run instead of passing as a rejection.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { pythonPath, pythonReady } from "./python.js";

const pythonDir = resolve(fileURLToPath(new URL(".", import.meta.url)), "../python");
const ready = pythonReady();
if (!ready.ok && process.env["CI"] === "true") {
  throw new Error(`the generator test cannot run in CI: ${ready.reason}`);
}

const probe = `
import sys, base64, binascii, json
sys.path.insert(0, ${JSON.stringify(pythonDir)})
from gen_vectors import rejects
from szcrypt_ref import legacy
key = bytes(16)
print("padding", rejects(lambda: legacy.decrypt_bytes(bytes(32), key)))
print("base64", rejects(lambda: legacy.decrypt_message_strict("!!!!", key)))
print("utf8", rejects(lambda: legacy.decrypt_message(legacy.encrypt_message("x", key)[:0] + base64.b64encode(legacy.encrypt_bytes(b"\\xff", key)).decode(), key)))
print("json", rejects(lambda: json.loads(legacy.decrypt_message(legacy.encrypt_message("{", key), key))))
print("lenient", rejects(lambda: legacy.decrypt_message(" " + legacy.encrypt_message("x", key), key)))
try:
    rejects(lambda: legacy.decrypt_message(None, key))
    print("typeerror counted")
except TypeError:
    print("typeerror raised")
`;

describe("gen_vectors.py rejects()", { skip: ready.ok ? false : `SKIPPED: ${ready.ok ? "" : ready.reason}` }, () => {
  it("counts decryption failures as rejections and lets any other exception through", () => {
    const r = spawnSync(pythonPath(), ["-c", probe], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), [
      "padding True",
      "base64 True",
      "utf8 True",
      "json True",
      // The page's decrypt_message drops stray characters: this one decrypts.
      "lenient False",
      "typeerror raised",
    ]);
  });
});
