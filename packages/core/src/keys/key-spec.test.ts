import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inspect } from "node:util";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { decryptLegacy, encryptLegacy } from "../formats/legacy-cbc.js";
import { keyMaterial, SzcryptKey } from "./key.js";
import { parseKeySpec } from "./key-spec.js";

const PAGE_KEY = "39b96ec8e9f303bfbb14917b232866d5";

describe("parseKeySpec", () => {
  it("reads utf8: as the bytes of the text: the page's example key is AES-256", () => {
    const key = parseKeySpec(`utf8:${PAGE_KEY}`);
    assert.equal(key.size, 32);
    assert.deepEqual([...keyMaterial(key)], [...Buffer.from(PAGE_KEY, "ascii")]);
  });

  it("reads hex: as the bytes the digits spell: the same text is AES-128", () => {
    const key = parseKeySpec(`hex:${PAGE_KEY}`);
    assert.equal(key.size, 16);
    assert.equal(keyMaterial(key).toString("hex"), PAGE_KEY);
  });

  it("reads base64:", () => {
    const key = parseKeySpec(`base64:${Buffer.alloc(24, 7).toString("base64")}`);
    assert.equal(key.size, 24);
    assert.deepEqual([...keyMaterial(key)], Array(24).fill(7));
  });

  it("ignores one trailing newline, as secret files have", () => {
    assert.equal(parseKeySpec(`hex:${PAGE_KEY}\n`).fingerprint, parseKeySpec(`hex:${PAGE_KEY}`).fingerprint);
  });

  it("tells non-hex characters after 'hex:' from an odd number of digits, never quoting the value", () => {
    const text = "TOPSECRETTOPSECRETTOPSECRETTOPSE";
    assert.throws(
      () => parseKeySpec(`hex:${text}`),
      (err: unknown) => isSzcryptError(err, "KEY_INVALID") && /only hex digits/.test(err.message) && !err.message.includes(text),
    );
    assert.throws(
      () => parseKeySpec(`hex:${"a".repeat(31)}`),
      (err: unknown) => isSzcryptError(err, "KEY_INVALID") && /even number of hex digits/.test(err.message),
    );
  });

  it("refuses a bare base64 value with a message about base64, never quoting it", () => {
    const bare = Buffer.alloc(32, 7).toString("base64"); // "BwcH…": base64, not hex digits
    assert.throws(
      () => parseKeySpec(bare),
      (err: unknown) =>
        isSzcryptError(err, "KEY_INVALID") &&
        /looks like standard base64/.test(err.message) &&
        /'base64:<value>'/.test(err.message) &&
        !err.message.includes(bare) &&
        !/hex digits to 16 bytes/.test(err.message),
    );
  });

  it("refuses a bare 32-character hex value, explaining both readings", () => {
    assert.throws(
      () => parseKeySpec(PAGE_KEY),
      (err: unknown) => {
        assert.ok(isSzcryptError(err, "KEY_INVALID"));
        assert.match(err.message, /two readings/);
        assert.match(err.message, /'hex:<value>'.*AES-128/);
        assert.match(err.message, /'utf8:<value>'.*AES-256/);
        assert.ok(!err.message.includes(PAGE_KEY), "the message must not show the key");
        return true;
      },
    );
  });

  it("refuses an unknown prefix without showing the value", () => {
    assert.throws(
      () => parseKeySpec("pem:supersecretvalue"),
      (err: unknown) => isSzcryptError(err, "KEY_INVALID") && !err.message.includes("supersecretvalue"),
    );
  });

  it("names the size found and the sizes allowed", () => {
    assert.throws(() => parseKeySpec("hex:00112233"), /decodes to 4 bytes; an AES key must be 16, 24 or 32 bytes/);
    assert.throws(() => parseKeySpec("utf8:short"), /decodes to 5 bytes/);
  });

  it("refuses malformed hex and base64", () => {
    assert.throws(() => parseKeySpec("hex:zz112233445566778899aabbccddeeff"), /hex digits/);
    assert.throws(() => parseKeySpec("hex:0"), /even number/);
    assert.throws(() => parseKeySpec("base64:!!!!"), /standard base64/);
  });

  it("throws TypeError for a non-string", () => {
    assert.throws(() => parseKeySpec(42 as unknown as string), TypeError);
  });

  it("keys made under the two readings are different keys", () => {
    const token = encryptLegacy("x", parseKeySpec(`utf8:${PAGE_KEY}`));
    assert.throws(() => decryptLegacy(token, parseKeySpec(`hex:${PAGE_KEY.slice(0, 32)}`)));
  });
});

describe("SzcryptKey", () => {
  const secretHex = "00112233445566778899aabbccddeeff";
  const key = parseKeySpec(`hex:${secretHex}`);
  const material = [secretHex, Buffer.from(secretHex, "hex").toString("base64"), Buffer.from(secretHex, "hex").toString("latin1")];

  it("shows no key material through toString, JSON.stringify or util.inspect", () => {
    for (const shown of [
      String(key),
      `${key}`,
      JSON.stringify(key),
      JSON.stringify({ key }),
      inspect(key),
      inspect({ nested: { key } }, { depth: 5, showHidden: true }),
    ]) {
      for (const m of material) {
        assert.ok(!shown.includes(m), `key material leaked in ${shown}`);
      }
      assert.match(shown, /szfp1:[0-9a-f]{16}/);
    }
  });

  it("has an enumerable surface without material", () => {
    assert.deepEqual(Object.keys(key).sort(), ["id", "size"]);
  });

  it("fingerprints are SHA-256 over a domain-separated key, truncated", async () => {
    const { createHash } = await import("node:crypto");
    const expected = createHash("sha256")
      .update(Buffer.concat([Buffer.from("szcrypt/key-fingerprint/v1\0"), Buffer.from(secretHex, "hex")]))
      .digest("hex")
      .slice(0, 16);
    assert.equal(key.fingerprint, `szfp1:${expected}`);
    assert.notEqual(key.fingerprint, parseKeySpec(`utf8:${secretHex.slice(0, 32)}`).fingerprint);
  });

  it("copies the bytes it is made from", () => {
    const bytes = new Uint8Array(16).fill(1);
    const k = SzcryptKey.fromBytes(bytes);
    bytes.fill(2);
    assert.deepEqual([...keyMaterial(k)], Array(16).fill(1));
  });

  it("validates key ids", () => {
    assert.equal(key.withId("k-2026.01").id, "k-2026.01");
    assert.equal(key.withId("k1").fingerprint, key.fingerprint);
    assert.throws(() => key.withId("has space"), /key id/);
    assert.throws(() => key.withId(""), /key id/);
  });

  it("refuses sizes other than 16, 24 and 32 bytes", () => {
    for (const n of [0, 15, 17, 31, 33, 64]) {
      assert.throws(
        () => SzcryptKey.fromBytes(new Uint8Array(n)),
        (err: unknown) => isSzcryptError(err, "KEY_INVALID"),
      );
    }
  });
});
