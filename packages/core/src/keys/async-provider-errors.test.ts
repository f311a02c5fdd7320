// What asyncKeyProvider keeps of a loader's error: its class and code, never its
// message, data or cause, which may hold the secret it was fetching.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { asyncKeyProvider } from "./key-provider.js";

const SECRET = "hex:00112233445566778899aabbccddeeff";

async function failure(load: () => Promise<string>): Promise<Error> {
  try {
    await asyncKeyProvider(load, { description: "vault kv/payments" }).ready();
  } catch (err) {
    return err as Error;
  }
  assert.fail("ready() should have rejected");
}

describe("asyncKeyProvider load errors", () => {
  it("name the loader's error class and code, and attach nothing of it", async () => {
    const loaderError = Object.assign(new Error(`cannot parse ${SECRET}`), {
      code: "AccessDeniedException",
      secretBinary: Buffer.from(SECRET),
    });
    const err = await failure(() => Promise.reject(loaderError));
    assert.ok(isSzcryptError(err, "KEY_UNAVAILABLE"));
    assert.equal(err.message, "vault kv/payments failed to provide keys (Error AccessDeniedException)");
    assert.equal(err.cause, undefined);
    assert.ok(!inspect(err, { showHidden: true, depth: 8 }).includes("00112233"));
  });

  it("keep a code only when it looks like one, and say what was thrown when it is not an Error", async () => {
    const odd = Object.assign(new TypeError("x"), { code: `${SECRET} not a code` });
    assert.equal((await failure(() => Promise.reject(odd))).message, "vault kv/payments failed to provide keys (TypeError)");
    assert.equal((await failure(() => Promise.reject(SECRET))).message, "vault kv/payments failed to provide keys (a thrown string)");
  });
});
