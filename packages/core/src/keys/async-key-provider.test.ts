import assert from "node:assert/strict";
import { describe, it, mock } from "node:test";
import { asyncKeyProvider } from "./key-provider.js";
import { parseKeySpec } from "./key-spec.js";

// Each load returns a promise the test settles by hand, and setInterval is
// mocked: the order of loads, ticks and completions is the test's, not the clock's.
const SPECS = ["a1", "b2", "c3", "d4"].map((b) => `hex:${b.repeat(16)}`);
const fp = (spec: string) => parseKeySpec(spec).fingerprint;

interface Pending {
  resolve(value: string): void;
  reject(err: Error): void;
}

function controllableLoad(): { load: () => Promise<string>; pending: Pending[] } {
  const pending: Pending[] = [];
  const load = () =>
    new Promise<string>((resolve, reject) => {
      pending.push({ resolve, reject });
    });
  return { load, pending };
}

// Lets settled promises run their callbacks.
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("asyncKeyProvider refresh", () => {
  it("runs one load at a time: a slow refresh never installs an older keyring over a newer one", async (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const { load, pending } = controllableLoad();
    const provider = asyncKeyProvider(load, { refreshIntervalMs: 100 });
    (pending[0] as Pending).resolve(SPECS[0] as string);
    await provider.ready();

    t.mock.timers.tick(100); // refresh 1 starts (the secrets manager still holds key 0, say, and is slow)
    assert.equal(pending.length, 2);
    t.mock.timers.tick(100); // due again while refresh 1 is in flight: skipped, no second load
    t.mock.timers.tick(100);
    assert.equal(pending.length, 2, "no load starts while one is in flight");
    (pending[1] as Pending).resolve(SPECS[1] as string);
    await flush();
    assert.equal(provider.current().primary.fingerprint, fp(SPECS[1] as string));

    t.mock.timers.tick(100); // the next refresh starts only now
    assert.equal(pending.length, 3);
    (pending[2] as Pending).resolve(SPECS[2] as string);
    await flush();
    assert.equal(provider.current().primary.fingerprint, fp(SPECS[2] as string));
    provider.close();
  });

  it("close() before the first load ends leaves no interval running and installs nothing later", async (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const setIntervalSpy = mock.method(globalThis, "setInterval");
    try {
      const { load, pending } = controllableLoad();
      const loads: string[] = [];
      const provider = asyncKeyProvider(load, { refreshIntervalMs: 100, onLoad: (r) => loads.push(r.primary.fingerprint) });
      provider.close();
      (pending[0] as Pending).resolve(SPECS[0] as string);
      await provider.ready();
      assert.equal(setIntervalSpy.mock.callCount(), 0, "no interval after close()");
      t.mock.timers.tick(1000);
      assert.equal(pending.length, 1, "no refresh after close()");
    } finally {
      setIntervalSpy.mock.restore();
    }
  });

  it("a refresh in flight at close() neither installs its keyring nor reports", async (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const { load, pending } = controllableLoad();
    const errors: unknown[] = [];
    const provider = asyncKeyProvider(load, { refreshIntervalMs: 100, onError: (e) => errors.push(e) });
    (pending[0] as Pending).resolve(SPECS[0] as string);
    await provider.ready();
    t.mock.timers.tick(100);
    t.mock.timers.tick(100);
    assert.equal(pending.length, 2);
    provider.close();
    (pending[1] as Pending).resolve(SPECS[1] as string);
    await flush();
    assert.equal(provider.current().primary.fingerprint, fp(SPECS[0] as string));
    t.mock.timers.tick(1000);
    assert.equal(pending.length, 2);
    assert.deepEqual(errors, []);
  });

  it("after a failed refresh the next one runs, and the last good keyring stays until then", async (t) => {
    t.mock.timers.enable({ apis: ["setInterval"] });
    const { load, pending } = controllableLoad();
    const errors: string[] = [];
    const provider = asyncKeyProvider(load, { refreshIntervalMs: 100, onError: (e) => errors.push(e.code) });
    (pending[0] as Pending).resolve(SPECS[0] as string);
    await provider.ready();
    t.mock.timers.tick(100);
    (pending[1] as Pending).reject(new Error("timeout"));
    await flush();
    assert.deepEqual(errors, ["KEY_UNAVAILABLE"]);
    assert.equal(provider.current().primary.fingerprint, fp(SPECS[0] as string));
    t.mock.timers.tick(100);
    assert.equal(pending.length, 3);
    (pending[2] as Pending).resolve(SPECS[3] as string);
    await flush();
    assert.equal(provider.current().primary.fingerprint, fp(SPECS[3] as string));
    provider.close();
  });
});
