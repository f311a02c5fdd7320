import assert from "node:assert/strict";
import { mkdtempSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { asyncKeyProvider, envKeyProvider, fileKeyProvider } from "./key-provider.js";
import { parseKeySpec } from "./key-spec.js";
import type { Keyring } from "./keyring.js";

const SPEC_A = `hex:${"a1".repeat(16)}`;
const SPEC_B = `hex:${"b2".repeat(16)}`;
const fp = (spec: string) => parseKeySpec(spec).fingerprint;

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) {
      assert.fail("condition not met in time");
    }
    await sleep(20);
  }
}

describe("envKeyProvider", () => {
  it("reads a key spec or keyring JSON from SZCRYPT_KEY", () => {
    process.env["SZCRYPT_TEST_KEY"] = SPEC_A;
    assert.equal(envKeyProvider("SZCRYPT_TEST_KEY").current().primary.fingerprint, fp(SPEC_A));
    process.env["SZCRYPT_TEST_KEY"] = JSON.stringify({ primary: "b", keys: { a: SPEC_A, b: SPEC_B } });
    assert.deepEqual(envKeyProvider("SZCRYPT_TEST_KEY").current().ids, ["a", "b"]);
  });

  it("fails closed when unset, and never shows the value when it is bad", () => {
    delete process.env["SZCRYPT_TEST_KEY"];
    assert.throws(
      () => envKeyProvider("SZCRYPT_TEST_KEY"),
      (err: unknown) => isSzcryptError(err, "KEY_UNAVAILABLE") && /no default key/.test(err.message),
    );
    process.env["SZCRYPT_TEST_KEY"] = "hex:a1a1a1";
    assert.throws(
      () => envKeyProvider("SZCRYPT_TEST_KEY"),
      (err: unknown) => isSzcryptError(err, "KEY_INVALID") && !err.message.includes("a1a1a1"),
    );
    delete process.env["SZCRYPT_TEST_KEY"];
  });
});

describe("fileKeyProvider", () => {
  it("picks up an atomic replace of the file without a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "szkey-"));
    const path = join(dir, "key");
    writeFileSync(path, `${SPEC_A}\n`);
    const loaded: string[] = [];
    const provider = fileKeyProvider(path, { pollIntervalMs: 20, onLoad: (r: Keyring) => loaded.push(r.primary.fingerprint) });
    try {
      assert.equal(provider.current().primary.fingerprint, fp(SPEC_A));
      writeFileSync(join(dir, "key.tmp"), SPEC_B);
      renameSync(join(dir, "key.tmp"), path);
      await until(() => provider.current().primary.fingerprint === fp(SPEC_B));
      assert.deepEqual(loaded, [fp(SPEC_A), fp(SPEC_B)]);
    } finally {
      provider.close();
    }
  });

  it("follows a Kubernetes-style symlink swap, and keeps the last good key when the new one is bad", async () => {
    const dir = mkdtempSync(join(tmpdir(), "szkey-"));
    writeFileSync(join(dir, "v1"), SPEC_A);
    writeFileSync(join(dir, "v2"), "not a key");
    writeFileSync(join(dir, "v3"), SPEC_B);
    symlinkSync(join(dir, "v1"), join(dir, "..data"));
    const path = join(dir, "..data");
    const errors: string[] = [];
    const provider = fileKeyProvider(path, { pollIntervalMs: 20, onError: (e) => errors.push(e.code) });
    const swap = (target: string) => {
      symlinkSync(join(dir, target), join(dir, "..data_tmp"));
      renameSync(join(dir, "..data_tmp"), path);
    };
    try {
      swap("v2");
      await until(() => errors.length > 0);
      assert.deepEqual(errors, ["KEY_INVALID"]);
      assert.equal(provider.current().primary.fingerprint, fp(SPEC_A), "the last good key stays");
      swap("v3");
      await until(() => provider.current().primary.fingerprint === fp(SPEC_B));
    } finally {
      provider.close();
    }
  });

  it("fails closed when the file cannot be read at start", () => {
    assert.throws(
      () => fileKeyProvider("/nonexistent/szcrypt/key"),
      (err: unknown) => isSzcryptError(err, "KEY_UNAVAILABLE") && /ENOENT/.test(err.message),
    );
  });

  it("a deleted file keeps the last good key", async () => {
    const dir = mkdtempSync(join(tmpdir(), "szkey-"));
    writeFileSync(join(dir, "key"), SPEC_A);
    const errors: string[] = [];
    const provider = fileKeyProvider(join(dir, "key"), { pollIntervalMs: 20, onError: (e) => errors.push(e.code) });
    try {
      unlinkSync(join(dir, "key"));
      await until(() => errors.length > 0);
      assert.equal(provider.current().primary.fingerprint, fp(SPEC_A));
    } finally {
      provider.close();
    }
  });
});

describe("asyncKeyProvider", () => {
  it("loads once at start, caches, and refreshes on its interval", async () => {
    let calls = 0;
    let spec = SPEC_A;
    const provider = asyncKeyProvider(
      async () => {
        calls++;
        return spec;
      },
      { refreshIntervalMs: 30, description: "test secrets manager" },
    );
    assert.throws(
      () => provider.current(),
      (err: unknown) => isSzcryptError(err, "KEY_UNAVAILABLE") && /await ready\(\)/.test(err.message),
    );
    await provider.ready();
    for (let i = 0; i < 1000; i++) {
      provider.current();
    }
    assert.equal(calls, 1, "current() never calls the secrets manager");
    spec = SPEC_B;
    await until(() => provider.current().primary.fingerprint === fp(SPEC_B));
    provider.close();
  });

  it("rejects ready() with KEY_UNAVAILABLE when the source fails at start: no default key", async () => {
    const provider = asyncKeyProvider(async () => {
      throw new Error("vault is down");
    });
    await assert.rejects(provider.ready(), (err: unknown) => isSzcryptError(err, "KEY_UNAVAILABLE") && !/vault/.test(err.message));
    assert.throws(
      () => provider.current(),
      (err: unknown) => isSzcryptError(err, "KEY_UNAVAILABLE"),
    );
  });

  it("keeps the last good keyring when a refresh fails", async () => {
    let fail = false;
    const errors: string[] = [];
    const provider = asyncKeyProvider(
      async () => {
        if (fail) {
          throw new Error("timeout");
        }
        return parseKeySpec(SPEC_A);
      },
      { refreshIntervalMs: 20, onError: (e) => errors.push(e.code) },
    );
    await provider.ready();
    fail = true;
    await until(() => errors.length > 1);
    assert.equal(provider.current().primary.fingerprint, fp(SPEC_A));
    provider.close();
  });
});
