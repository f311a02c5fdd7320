import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, type DescMessage, fromBinary, isFieldSet, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { createFieldCrypto } from "../fields/field-crypto.js";
import { EditionLeafSchema, EditionSchema } from "../gen/sz/testing/v1/editions_pb.js";
import { LegacyLeafSchema, LegacySchema } from "../gen/sz/testing/v1/presence_pb.js";
import { SzcryptKey } from "../keys/key.js";
import { openLegacy, openLegacyBytes } from "../test-support/node-legacy.js";
import { redact } from "./redact.js";

const KEY_BYTES = new Uint8Array(32).fill(5);
const key = SzcryptKey.fromBytes(KEY_BYTES);

type Msg = MessageShape<DescMessage>;
// The two fixtures share these field names; the generated types differ.
type Fields = Msg & { secret: string; blob: Uint8Array; leaf: Msg & { secret: string } };
const fields = (m: Msg): Fields => m as Fields;

const field = (schema: DescMessage, name: string) => {
  const f = schema.fields.find((x) => x.name === name);
  assert.ok(f !== undefined, name);
  return f;
};

// proto2 and editions alike: explicit presence with declared defaults, and a
// leaf type whose own field has a default.
const suites = [
  { syntax: "proto2", schema: LegacySchema, leaf: LegacyLeafSchema },
  { syntax: "editions 2023", schema: EditionSchema, leaf: EditionLeafSchema },
] as const;

for (const { syntax, schema, leaf } of suites) {
  describe(`explicit presence and defaults (${syntax})`, () => {
    for (const format of ["legacy-cbc", "szc1"] as const) {
      const crypto = createFieldCrypto({ key, format });

      it(`leaves unset fields with defaults unset, both ways (${format})`, () => {
        const msg = create(schema as DescMessage, { leaf: {} });
        assert.equal(fields(msg).secret, "abc", "the fixture reads its default");
        const enc = crypto.encryptMessage(schema as DescMessage, msg);
        for (const name of ["secret", "blob"]) {
          assert.equal(isFieldSet(enc, field(schema, name)), false, `${name} stays unset`);
        }
        assert.equal(isFieldSet(fields(enc).leaf, field(leaf, "secret")), false, "leaf.secret stays unset");
        assert.deepEqual(toBinary(schema as DescMessage, enc), toBinary(schema as DescMessage, msg), "nothing new on the wire");
        // A peer that leaves them unset: what the wire carries decrypts.
        const received = fromBinary(schema as DescMessage, toBinary(schema as DescMessage, msg));
        const dec = crypto.decryptMessage(schema as DescMessage, received);
        assert.equal(isFieldSet(dec, field(schema, "secret")), false);
        assert.equal(fields(dec).secret, "abc");
      });

      it(`encrypts fields that are set, to their default or to empty too (${format})`, () => {
        const msg = create(schema as DescMessage, {
          secret: "abc",
          blob: new Uint8Array(0),
          leaf: { secret: "leafy" },
        });
        const enc = crypto.encryptMessage(schema as DescMessage, msg);
        assert.notEqual(fields(enc).secret, "abc");
        if (format === "legacy-cbc") {
          assert.equal(openLegacy(fields(enc).secret, KEY_BYTES), "abc");
          assert.equal(openLegacy(fields(enc).leaf.secret, KEY_BYTES), "leafy");
        }
        assert.equal(isFieldSet(enc, field(schema, "blob")), true, "an empty value set stays set");
        assert.equal(fields(enc).blob.length, 0);
        const dec = crypto.decryptMessage(schema as DescMessage, fromBinary(schema as DescMessage, toBinary(schema as DescMessage, enc)));
        assert.deepEqual(toBinary(schema as DescMessage, dec), toBinary(schema as DescMessage, msg));
      });
    }

    it("redacts only what is set", () => {
      const r = redact(schema as DescMessage, create(schema as DescMessage, { plain: "x" }));
      assert.equal(isFieldSet(r, field(schema, "secret")), false);
      assert.deepEqual(toBinary(schema as DescMessage, r), toBinary(schema as DescMessage, create(schema as DescMessage, { plain: "x" })));
    });
  });
}

describe("explicit presence, bytes (proto2)", () => {
  it("encrypts a set bytes field with a default", () => {
    const crypto = createFieldCrypto({ key });
    const enc = crypto.encryptMessage(LegacySchema, create(LegacySchema, { blob: new Uint8Array([1, 2, 3]) }));
    assert.deepEqual(openLegacyBytes(enc.blob, KEY_BYTES), new Uint8Array([1, 2, 3]));
    assert.equal(isFieldSet(enc, field(LegacySchema, "secret")), false);
  });

  it("treats implicit presence in editions like proto3: empty is unset", () => {
    const crypto = createFieldCrypto({ key });
    const enc = crypto.encryptMessage(EditionSchema, create(EditionSchema, { implicitSecret: "imp" }));
    assert.equal(openLegacy(enc.implicitSecret, KEY_BYTES), "imp");
    assert.equal(crypto.encryptMessage(EditionSchema, create(EditionSchema)).implicitSecret, "");
  });
});
