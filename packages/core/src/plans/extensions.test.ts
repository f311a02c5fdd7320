import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createRegistry, getExtension, hasExtension, setExtension, toBinary } from "@bufbuild/protobuf";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { createFieldCrypto } from "../fields/field-crypto.js";
import { ExtendableSchema } from "../gen/sz/testing/v1/bad_extension_pb.js";
import { EditionSchema, edition_ext_secret } from "../gen/sz/testing/v1/editions_pb.js";
import {
  ext_blobs,
  ext_defaulted,
  ext_leaf,
  ext_plain,
  ext_secret,
  type Legacy,
  LegacyLeafSchema,
  LegacySchema,
} from "../gen/sz/testing/v1/presence_pb.js";
import { SzcryptKey } from "../keys/key.js";
import { openLegacy, openLegacyBytes } from "../test-support/node-legacy.js";
import { compileFieldPlan } from "./field-plan.js";
import { REDACTED, redact, redactJson } from "./redact.js";

const KEY_BYTES = new Uint8Array(32).fill(3);
const key = SzcryptKey.fromBytes(KEY_BYTES);
const crypto = createFieldCrypto({ key });

function withExtensions(): Legacy {
  const msg = create(LegacySchema, { plain: "p" });
  setExtension(msg, ext_secret, "ext-secret-1");
  setExtension(msg, ext_blobs, [new Uint8Array([1]), new Uint8Array([2, 3])]);
  setExtension(msg, ext_leaf, create(LegacyLeafSchema, { secret: "ext-leaf-secret" }));
  setExtension(msg, ext_plain, "shown");
  return msg;
}

describe("extensions", () => {
  it("lists sensitive extensions in the plan, written (full.name)", () => {
    const paths = compileFieldPlan(LegacySchema).sensitiveFields.map((f) => f.path);
    for (const p of [
      "(sz.testing.v1.ext_secret)",
      "(sz.testing.v1.ext_blobs)[]",
      "(sz.testing.v1.ext_leaf).secret",
      "(sz.testing.v1.ext_defaulted)",
    ]) {
      assert.ok(paths.includes(p), `${p} in ${paths.join(", ")}`);
    }
  });

  it("encrypts marked extensions, at any depth, and decrypts them back", () => {
    const msg = withExtensions();
    const unknownBefore = msg.$unknown?.slice();
    const enc = crypto.encryptMessage(LegacySchema, msg);
    assert.equal(openLegacy(getExtension(enc, ext_secret), KEY_BYTES), "ext-secret-1");
    assert.deepEqual(
      getExtension(enc, ext_blobs).map((b) => openLegacyBytes(b, KEY_BYTES)),
      [new Uint8Array([1]), new Uint8Array([2, 3])],
    );
    assert.equal(openLegacy(getExtension(enc, ext_leaf).secret, KEY_BYTES), "ext-leaf-secret");
    assert.equal(getExtension(enc, ext_plain), "shown");
    assert.equal(hasExtension(enc, ext_defaulted), false, "an unset extension with a default stays unset");
    const wire = Buffer.from(toBinary(LegacySchema, enc));
    assert.ok(!wire.includes("ext-secret-1") && !wire.includes("ext-leaf-secret"));
    assert.deepEqual(msg.$unknown, unknownBefore, "the caller's message is not modified");
    const dec = crypto.decryptMessage(LegacySchema, enc);
    assert.equal(getExtension(dec, ext_secret), "ext-secret-1");
    assert.deepEqual(getExtension(dec, ext_blobs), [new Uint8Array([1]), new Uint8Array([2, 3])]);
    assert.equal(getExtension(dec, ext_leaf).secret, "ext-leaf-secret");
  });

  it("fails closed on an extension value that does not decrypt, naming it", () => {
    const msg = create(LegacySchema);
    setExtension(msg, ext_secret, "not a token");
    assert.throws(
      () => crypto.decryptMessage(LegacySchema, msg),
      (err: unknown) => isSzcryptError(err, "DECRYPT_FAILED") && err.fieldPath === "(sz.testing.v1.ext_secret)",
    );
  });

  it("refuses extension values in an object that does not name its type, rather than skip them", () => {
    const { $typeName: _, ...anonymous } = withExtensions();
    assert.throws(() => crypto.encryptMessage(LegacySchema, anonymous as Legacy));
    assert.throws(() => redact(LegacySchema, anonymous as Legacy));
  });

  it("encrypts editions extensions", () => {
    const msg = create(EditionSchema);
    setExtension(msg, edition_ext_secret, "ed-secret");
    assert.equal(openLegacy(getExtension(crypto.encryptMessage(EditionSchema, msg), edition_ext_secret), KEY_BYTES), "ed-secret");
  });

  it("refuses at plan compile a sensitive extension that is not string or bytes", () => {
    assert.throws(
      () => compileFieldPlan(ExtendableSchema),
      (err: unknown) =>
        isSzcryptError(err, "SCHEMA_INVALID") && err.fieldName === "sz.testing.v1.sensitive_pin" && /extension/.test(err.message),
    );
    // The same type in a registry without that extension compiles, with nothing
    // sensitive known, but is still walked: it has extension ranges to check.
    const plan = compileFieldPlan(ExtendableSchema, { registry: createRegistry(ExtendableSchema) });
    assert.equal(plan.sensitiveFields.length, 0);
    assert.equal(plan.isEmpty, false);
  });

  it("refuses an extension value the registry does not know, instead of sending it as it is", () => {
    // A registry without the file that declares the extensions: ext_secret is
    // invisible to it, and may be sensitive.
    const blind = createFieldCrypto({ key, registry: createRegistry(LegacySchema) });
    const msg = create(LegacySchema, { plain: "p" });
    setExtension(msg, ext_secret, "ext-secret-unknown");
    assert.throws(
      () => blind.encryptMessage(LegacySchema, msg),
      (err: unknown) =>
        isSzcryptError(err, "UNSUPPORTED_MESSAGE") && /extension field 1\d\d/.test(err.message) && !err.message.includes("ext-secret"),
    );
    assert.throws(
      () => blind.decryptMessage(LegacySchema, msg),
      (err: unknown) => isSzcryptError(err, "UNSUPPORTED_MESSAGE"),
    );
    // Without extension values, or with a registry that knows them, it goes through.
    assert.doesNotThrow(() => blind.encryptMessage(LegacySchema, create(LegacySchema, { plain: "p" })));
    const enc = crypto.encryptMessage(LegacySchema, msg);
    assert.ok(!Buffer.from(toBinary(LegacySchema, enc)).includes("ext-secret-unknown"));
  });

  it("redacts marked extensions, in messages and JSON", () => {
    const msg = withExtensions();
    const r = redact(LegacySchema, msg);
    assert.equal(getExtension(r, ext_secret), REDACTED);
    assert.equal(getExtension(r, ext_leaf).secret, REDACTED);
    assert.equal(getExtension(r, ext_plain), "shown");
    assert.equal(getExtension(msg, ext_secret), "ext-secret-1", "the input is not modified");
    const json = JSON.stringify(redactJson(LegacySchema, msg));
    assert.ok(!json.includes("ext-secret-1") && !json.includes("ext-leaf-secret"), json);
    assert.match(json, /"\[sz\.testing\.v1\.ext_secret\]":"\[REDACTED\]"/, "shown as set, masked");
  });

  it("drops from redaction what encryption refuses as an extension value the registry does not know", () => {
    const msg = create(LegacySchema, { plain: "p" });
    setExtension(msg, ext_secret, "ext-secret-unknown");
    const blind = { registry: createRegistry(LegacySchema) };
    const r = redact(LegacySchema, msg, blind);
    assert.equal(r.plain, "p");
    assert.ok(!Buffer.from(toBinary(LegacySchema, r)).includes("ext-secret-unknown"), "not in the redacted copy");
    assert.ok(!JSON.stringify(r.$unknown ?? []).includes("ext-secret-unknown"));
    assert.equal(getExtension(msg, ext_secret), "ext-secret-unknown", "the input is not modified");
    assert.ok(!JSON.stringify(redactJson(LegacySchema, msg, blind)).includes("ext-secret-unknown"));
  });
});
