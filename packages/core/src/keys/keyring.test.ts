import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { parseKeySpec } from "./key-spec.js";
import { Keyring } from "./keyring.js";

const HEX = "0011223344556677".repeat(2);
const SPEC = `hex:${HEX}`;
const SPEC_B = `base64:${Buffer.alloc(32, 7).toString("base64")}`;

// What a message must never contain: any piece of a key spec from the document.
function leaksNothing(err: unknown): boolean {
  assert.ok(isSzcryptError(err, "KEY_INVALID"), String(err));
  const text = `${err.message} ${String(err.stack)}`;
  for (const secret of [HEX, HEX.slice(0, 8), SPEC_B.slice(7, 20)]) {
    assert.ok(!text.includes(secret), `message quotes key material: ${err.message}`);
  }
  return true;
}

describe("Keyring.parse error messages", () => {
  it("a swapped keys map (spec as id) is refused without quoting it", () => {
    const doc = { primary: "k1", keys: { [SPEC]: "k1" } };
    assert.throws(() => Keyring.parse(JSON.stringify(doc)), leaksNothing);
  });

  it("a swapped keys map whose values are not strings is refused without quoting the id", () => {
    const doc = { primary: "k1", keys: { [SPEC]: 1 } };
    assert.throws(() => Keyring.parse(JSON.stringify(doc)), leaksNothing);
  });

  it("a key spec in primary or legacy is refused without quoting it", () => {
    assert.throws(() => Keyring.parse(JSON.stringify({ primary: SPEC, keys: { k1: SPEC_B } })), leaksNothing);
    assert.throws(() => Keyring.parse(JSON.stringify({ primary: "k1", legacy: SPEC, keys: { k1: SPEC_B } })), leaksNothing);
    assert.throws(() => Keyring.parse(JSON.stringify({ primary: "k1", legacy: 5, keys: { k1: SPEC_B } })), leaksNothing);
  });

  it("a key spec given as primary to the constructor is refused without quoting it", () => {
    const k1 = parseKeySpec(SPEC_B, { id: "k1" });
    assert.throws(() => new Keyring({ keys: [k1], primary: SPEC }), leaksNothing);
  });

  it("still names a valid id that is missing, which helps and shows nothing secret", () => {
    assert.throws(
      () => Keyring.parse(JSON.stringify({ primary: "k2", keys: { k1: SPEC_B } })),
      (err: unknown) => leaksNothing(err) && /'k2' is not among its keys \(k1\)/.test((err as Error).message),
    );
  });
});

describe("Keyring legacy key", () => {
  it("warns once, with ids only, when a ring of several keys does not pin legacy", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const a = parseKeySpec(`hex:${"5a".repeat(16)}`, { id: "old" });
      const b = parseKeySpec(`hex:${"6b".repeat(32)}`, { id: "new" });
      new Keyring({ keys: [a, b], primary: "new", legacy: "old" });
      new Keyring({ keys: [a], primary: "old" });
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(warnings.length, 0, "a pinned legacy key or a single key gives no warning");
      new Keyring({ keys: [a, b], primary: "new" });
      new Keyring({ keys: [a, b], primary: "new" });
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(warnings.length, 1);
      const w = warnings[0] as Error & { code?: string };
      assert.equal(w.code, "SZCRYPT_LEGACY_KEY_UNPINNED");
      assert.match(w.message, /'new'/);
      assert.ok(!w.message.includes("5a5a") && !w.message.includes("6b6b"));
    } finally {
      process.off("warning", onWarning);
    }
  });
});
