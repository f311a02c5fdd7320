import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { decryptSzc1, encryptSzc1 } from "../formats/szc1.js";
import { SzcryptKey } from "./key.js";
import { Keyring } from "./keyring.js";
import { createKeyringResolver, KEYRING_UNAVAILABLE_MESSAGE, type KeyringLookupResult } from "./keyring-resolver.js";

// No sleeps: the clock is injected and lookups settle when the test says so.
function clock() {
  let t = 1_000;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const ringFor = (tenant: string, fill = tenant.length) =>
  Keyring.of(SzcryptKey.fromBytes(new Uint8Array(32).fill(fill), { id: `${tenant}-k1` }));
const flush = () => new Promise<void>((r) => setImmediate(r));

// A tenant id is the caller's text: it must never show in szcrypt's error.
const HOSTILE = "evil\x1b]0;tenant\x07-4111";
const isUnavailable = (err: unknown) =>
  isSzcryptError(err, "KEY_UNAVAILABLE") &&
  err.message === KEYRING_UNAVAILABLE_MESSAGE &&
  err.cause === undefined &&
  !err.message.includes("evil");

function counting(result: (tenant: string) => KeyringLookupResult | Promise<KeyringLookupResult>) {
  const calls: string[] = [];
  return {
    calls,
    lookup: (tenant: string) => {
      calls.push(tenant);
      return result(tenant);
    },
  };
}

describe("createKeyringResolver: caching", () => {
  it("looks a tenant up once while fresh, and again once ttlMs has passed since the lookup", async () => {
    const c = clock();
    const l = counting((t) => ringFor(t));
    const r = createKeyringResolver(l.lookup, { maxEntries: 10, ttlMs: 60_000, now: c.now });
    const first = await r.resolve("acme");
    c.advance(59_999);
    assert.equal(await r.resolve("acme"), first);
    assert.equal(r.cached("acme"), first);
    assert.deepEqual(l.calls, ["acme"]);
    c.advance(1);
    assert.equal(r.cached("acme"), undefined);
    await r.resolve("acme");
    assert.deepEqual(l.calls, ["acme", "acme"]);
  });

  it("shares one lookup between concurrent calls for one tenant", async () => {
    const d = deferred<Keyring>();
    const l = counting(() => d.promise);
    const r = createKeyringResolver(l.lookup, { maxEntries: 10, ttlMs: 1000, now: clock().now });
    const calls = [r.resolve("acme"), r.resolve("acme"), r.resolve("acme")];
    const ring = ringFor("acme");
    d.resolve(ring);
    for (const got of await Promise.all(calls)) {
      assert.equal(got, ring);
    }
    assert.deepEqual(l.calls, ["acme"]);
  });

  it("keeps at most maxEntries keyrings, dropping the least recently used", async () => {
    const l = counting((t) => ringFor(t));
    const r = createKeyringResolver(l.lookup, { maxEntries: 2, ttlMs: 60_000, now: clock().now });
    await r.resolve("a");
    await r.resolve("b");
    await r.resolve("a"); // a is now the most recently used
    await r.resolve("c"); // evicts b
    assert.equal(r.size, 2);
    assert.notEqual(r.cached("a"), undefined);
    assert.equal(r.cached("b"), undefined);
    await r.resolve("b");
    assert.deepEqual(l.calls, ["a", "b", "c", "b"]);
  });

  it("takes a keyring, a key, a key spec or keyring JSON, from a sync or an async lookup", async () => {
    const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(1), { id: "x" });
    const json = JSON.stringify({ primary: "t-1", keys: { "t-1": `hex:${"ab".repeat(32)}` } });
    const answers: Record<string, KeyringLookupResult | Promise<KeyringLookupResult>> = {
      ring: ringFor("ring"),
      key,
      spec: `hex:${"cd".repeat(16)}`,
      json: Promise.resolve(json),
    };
    const r = createKeyringResolver((t) => answers[t], { maxEntries: 10, ttlMs: 1000 });
    assert.equal(await r.resolve("ring"), answers["ring"]);
    assert.equal((await r.resolve("key")).primary, key);
    assert.equal((await r.resolve("spec")).primary.size, 16);
    assert.equal((await r.resolve("json")).primary.id, "t-1");
  });
});

describe("createKeyringResolver: failing closed", () => {
  it("a lookup that throws, rejects, finds nothing or returns no key: one KEY_UNAVAILABLE naming no tenant, never cached", async () => {
    const answers: ((t: string) => KeyringLookupResult | Promise<KeyringLookupResult>)[] = [
      (t) => {
        throw new Error(`secret ${t} not found`);
      },
      (t) => Promise.reject(new Error(`AccessDenied for ${t}`)),
      () => undefined,
      () => null,
      () => Promise.resolve(undefined),
      () => "hex:zz",
      () => 42 as unknown as KeyringLookupResult,
    ];
    for (const answer of answers) {
      const seen: [unknown, string][] = [];
      const l = counting(answer);
      const r = createKeyringResolver(l.lookup, {
        maxEntries: 10,
        ttlMs: 60_000,
        onLookupError: (e, t) => seen.push([e, t]),
        now: clock().now,
      });
      await assert.rejects(r.resolve(HOSTILE), isUnavailable);
      await assert.rejects(r.resolve(HOSTILE), isUnavailable);
      assert.equal(l.calls.length, 2, "a failure is not cached");
      assert.equal(r.size, 0);
      for (const [, tenant] of seen) {
        assert.equal(tenant, HOSTILE);
      }
    }
  });

  it("a missing or empty tenant is refused without a lookup", async () => {
    const l = counting((t) => ringFor(t));
    const r = createKeyringResolver(l.lookup, { maxEntries: 10, ttlMs: 1000 });
    await assert.rejects(r.resolve(undefined), isUnavailable);
    await assert.rejects(r.resolve(""), isUnavailable);
    await assert.rejects(r.resolve(7 as unknown as string), isUnavailable);
    assert.deepEqual(l.calls, []);
  });

  it("negativeTtlMs remembers a failure that long, apart from the keyrings", async () => {
    const c = clock();
    const l = counting((t) => (t.startsWith("good") ? ringFor(t) : undefined));
    const r = createKeyringResolver(l.lookup, { maxEntries: 2, ttlMs: 60_000, negativeTtlMs: 5_000, now: c.now });
    await r.resolve("good-1");
    await r.resolve("good-2");
    await assert.rejects(r.resolve("bad-1"), isUnavailable);
    await assert.rejects(r.resolve("bad-1"), isUnavailable);
    assert.deepEqual(l.calls, ["good-1", "good-2", "bad-1"]);
    // A flood of unknown tenants does not push known ones out.
    for (let i = 0; i < 10; i++) {
      await assert.rejects(r.resolve(`bad-x${i}`), isUnavailable);
    }
    assert.notEqual(r.cached("good-1"), undefined);
    assert.notEqual(r.cached("good-2"), undefined);
    c.advance(5_000);
    await assert.rejects(r.resolve("bad-1"), isUnavailable);
    assert.equal(l.calls.filter((t) => t === "bad-1").length, 2);
  });

  it("a throwing onLookupError changes nothing", async () => {
    const r = createKeyringResolver(
      () => {
        throw new Error("down");
      },
      {
        maxEntries: 1,
        ttlMs: 1,
        onLookupError: () => {
          throw new Error("logger broke");
        },
      },
    );
    await assert.rejects(r.resolve("t"), isUnavailable);
  });

  it("refuses options out of range", () => {
    const lookup = () => undefined;
    for (const bad of [
      { maxEntries: 0, ttlMs: 1 },
      { maxEntries: 1.5, ttlMs: 1 },
      { maxEntries: 1, ttlMs: 0 },
      { maxEntries: 1, ttlMs: Number.POSITIVE_INFINITY },
      { maxEntries: 1, ttlMs: Number.NaN },
      { maxEntries: 1, ttlMs: 1, negativeTtlMs: -1 },
    ]) {
      assert.throws(
        () => createKeyringResolver(lookup, bad),
        (err: unknown) => isSzcryptError(err, "CONFIG_INVALID"),
      );
    }
  });
});

describe("createKeyringResolver: crypto-shredding", () => {
  it("a forgotten tenant whose key is deleted at the source cannot decrypt its tokens; other tenants keep working", async () => {
    const store = new Map([
      ["acme", ringFor("acme", 1)],
      ["globex", ringFor("globex", 2)],
    ]);
    const r = createKeyringResolver((t) => store.get(t), { maxEntries: 10, ttlMs: 3_600_000, now: clock().now });
    const seal = async (tenant: string) => encryptSzc1("4111", (await r.resolve(tenant)).primary, { fieldName: "f", context: [tenant] });
    const open = async (tenant: string, token: string) =>
      decryptSzc1(token, await r.resolve(tenant), { fieldName: "f", context: [tenant] });
    const acme = await seal("acme");
    const globex = await seal("globex");
    assert.equal(await open("acme", acme), "4111");

    store.delete("acme");
    // Still cached for up to ttlMs in a process that is not told: forget() is what makes it immediate.
    assert.equal(await open("acme", acme), "4111");
    r.forget("acme");
    await assert.rejects(open("acme", acme), isUnavailable);
    assert.equal(await open("globex", globex), "4111");
    // Another tenant's keyring does not open it either: the key and the context differ.
    assert.throws(
      () => decryptSzc1(acme, ringFor("globex", 2), { fieldName: "f", context: ["acme"] }),
      (e: unknown) => isSzcryptError(e, "DECRYPT_FAILED"),
    );
  });

  it("a lookup in flight when its tenant is forgotten is neither handed out nor cached", async () => {
    const d = deferred<Keyring>();
    const l = counting(() => d.promise);
    const r = createKeyringResolver(l.lookup, { maxEntries: 10, ttlMs: 60_000, now: clock().now });
    const inFlight = r.resolve("acme");
    r.forget("acme");
    d.resolve(ringFor("acme"));
    await assert.rejects(inFlight, isUnavailable);
    await flush();
    assert.equal(r.cached("acme"), undefined);
    assert.equal(r.size, 0);
  });

  it("clear() forgets every tenant, lookups in flight included", async () => {
    const d = deferred<Keyring>();
    let slow = false;
    const r = createKeyringResolver((t) => (slow ? d.promise : ringFor(t)), { maxEntries: 10, ttlMs: 60_000, now: clock().now });
    await r.resolve("a");
    await r.resolve("b");
    slow = true;
    const inFlight = r.resolve("c");
    r.clear();
    d.resolve(ringFor("c"));
    await assert.rejects(inFlight, isUnavailable);
    assert.equal(r.size, 0);
    assert.equal(r.cached("a"), undefined);
  });
});
