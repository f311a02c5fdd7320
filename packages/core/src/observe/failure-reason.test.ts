import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DECRYPT_FAILED_MESSAGE, SzcryptError } from "../errors/szcrypt-error.js";
import { failureReason } from "./failure-reason.js";

describe("failureReason", () => {
  it("maps each error code to its reason", () => {
    const cases: [string, "encrypt" | "decrypt", unknown, string][] = [
      ["bad value", "decrypt", new SzcryptError("DECRYPT_FAILED", DECRYPT_FAILED_MESSAGE), "decrypt_failed"],
      ["not a token", "decrypt", new SzcryptError("MALFORMED", "x"), "decrypt_failed"],
      ["lone surrogate", "encrypt", new SzcryptError("INVALID_PLAINTEXT", "x"), "encrypt_failed"],
      ["schema", "encrypt", new SzcryptError("SCHEMA_INVALID", "x"), "schema"],
      ["no key", "decrypt", new SzcryptError("KEY_UNAVAILABLE", "x"), "key_unavailable"],
      ["unreadable key", "encrypt", new SzcryptError("KEY_INVALID", "x"), "key_unavailable"],
      ["not ours, encrypting", "encrypt", new TypeError("x"), "encrypt_failed"],
      ["not ours, decrypting", "decrypt", new TypeError("x"), "decrypt_failed"],
      // The oracle guard's refusal, as it builds it: a DECRYPT_FAILED caused by DECRYPT_REFUSED.
      [
        "refused by the oracle guard",
        "decrypt",
        new SzcryptError("DECRYPT_FAILED", DECRYPT_FAILED_MESSAGE, { cause: new SzcryptError("DECRYPT_REFUSED" as never, "refused") }),
        "defence",
      ],
    ];
    for (const [name, operation, err, reason] of cases) {
      assert.equal(failureReason(operation, err), reason, name);
    }
  });
});
