import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { createFieldPolicy } from "../fields/field-policy.js";
import { DEFAULT_KEY_ENV, keyringFromEnv } from "./default-key.js";
import { envKeyProvider } from "./key-provider.js";

const VAR = "SZCRYPT_TEST_DEFAULT_KEY";
const SPEC = "hex:000102030405060708090a0b0c0d0e0f";

function withEnv<T>(name: string, value: string | undefined, fn: () => T): T {
  const saved = process.env[name];
  if (value === undefined) {
    delete process.env[name];
  } else {
    process.env[name] = value;
  }
  try {
    return fn();
  } finally {
    if (saved === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = saved;
    }
  }
}

const unavailable = (name: string) => (err: unknown) =>
  isSzcryptError(err, "KEY_UNAVAILABLE") && err.message.includes(`set ${name} to a key spec`);

describe("the default key", () => {
  it("is SZCRYPT_KEY", () => {
    assert.equal(DEFAULT_KEY_ENV, "SZCRYPT_KEY");
  });

  for (const [label, value] of [
    ["unset", undefined],
    ["empty", ""],
    ["whitespace only", " \t\n"],
  ] as const) {
    it(`is unavailable, naming the variable and the fix, when ${label}`, () => {
      withEnv(VAR, value, () => {
        assert.throws(() => keyringFromEnv(VAR), unavailable(VAR));
        assert.throws(() => envKeyProvider(VAR), unavailable(VAR));
      });
    });
  }

  it("is one reading for the field policy too: a whitespace-only SZCRYPT_KEY is unavailable, not a bad key", () => {
    withEnv(DEFAULT_KEY_ENV, "  ", () => {
      assert.throws(() => createFieldPolicy({}), unavailable(DEFAULT_KEY_ENV));
    });
  });

  it("reads a key spec, and names the variable but never the value when it cannot", () => {
    withEnv(VAR, SPEC, () => {
      assert.equal(keyringFromEnv(VAR).primary.size, 16);
    });
    withEnv(VAR, "000102030405060708090a0b0c0d0e0f", () => {
      assert.throws(
        () => keyringFromEnv(VAR),
        (err: unknown) => isSzcryptError(err, "KEY_INVALID") && err.message.startsWith(`${VAR}: `) && !err.message.includes("0001020304"),
      );
    });
  });
});
