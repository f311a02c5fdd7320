import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { SzcryptError } from "../errors/szcrypt-error.js";
import { type OnError, reportError } from "./on-error.js";

const ERROR = new SzcryptError("DECRYPT_FAILED", "szcrypt: could not decrypt");
const CONTEXT = { method: "/a.B/C", side: "server" } as const;

describe("reportError", () => {
  it("hands the error and the call to the hook, and nothing without one", () => {
    const seen: unknown[] = [];
    reportError((error, context) => seen.push([error, context]), ERROR, CONTEXT);
    reportError(undefined, ERROR, CONTEXT);
    assert.deepEqual(seen, [[ERROR, CONTEXT]]);
  });

  it("drops what a hook throws", () => {
    assert.doesNotThrow(() =>
      reportError(
        () => {
          throw new Error("logging is down");
        },
        ERROR,
        CONTEXT,
      ),
    );
  });

  it("drops the rejection of an async hook instead of leaving it unhandled (which ends a Node process)", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const asyncHook: OnError = async () => {
        throw new Error("remote log sink is down");
      };
      reportError(asyncHook, ERROR, CONTEXT);
      await tick();
      await tick();
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
    assert.deepEqual(unhandled, []);
  });
});
