import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, type DescMessage } from "@bufbuild/protobuf";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { createFieldCrypto } from "../fields/field-crypto.js";
import {
  HoldsInvalidSchema,
  NotSensitiveSchema,
  SensitiveBoolSchema,
  SensitiveEnumSchema,
  SensitiveMessageMapSchema,
  SensitiveMessageSchema,
  SensitiveNumberSchema,
} from "../gen/sz/testing/v1/invalid_pb.js";
import { ClearSchema, NodeSchema, PingSchema, ShapesSchema } from "../gen/sz/testing/v1/shapes_pb.js";
import { SzcryptKey } from "../keys/key.js";
import { compileFieldPlan } from "./field-plan.js";

const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(7));
const crypto = createFieldCrypto({ key });

describe("compileFieldPlan", () => {
  it("finds every sensitive shape at any depth", () => {
    const paths = compileFieldPlan(ShapesSchema).sensitiveFields.map((f) => `${f.path} ${f.scalar}`);
    assert.deepEqual(paths, [
      "secret string",
      "maybe_secret string",
      "blob bytes",
      "secrets[] string",
      "blobs[] bytes",
      "by_name{} string",
      "by_id{} bytes",
      "secret_choice string",
      "leaf_choice.secret string",
      "leaf.secret string",
      "leaves[].secret string",
      "leaf_by_name{}.secret string",
      "deep.next.next.next.secret string",
      "tree.secret string",
    ]);
  });

  it("names full field names", () => {
    const names = new Set(compileFieldPlan(ShapesSchema).sensitiveFields.map((f) => f.fieldName));
    for (const n of [
      "sz.testing.v1.Shapes.secret",
      "sz.testing.v1.Leaf.secret",
      "sz.testing.v1.Level4.secret",
      "sz.testing.v1.Node.secret",
    ]) {
      assert.ok(names.has(n), n);
    }
  });

  it("describes recursive types without looping", () => {
    assert.deepEqual(
      compileFieldPlan(NodeSchema).sensitiveFields.map((f) => f.path),
      ["secret"],
    );
    const ping = compileFieldPlan(PingSchema);
    assert.equal(ping.isEmpty, false);
    assert.deepEqual(
      ping.sensitiveFields.map((f) => f.path),
      ["pong.secret"],
    );
  });

  it("has an empty plan for a type with nothing sensitive below it, even a recursive one", () => {
    assert.equal(compileFieldPlan(ClearSchema).isEmpty, true);
    assert.equal(compileFieldPlan(NotSensitiveSchema).isEmpty, true, "sensitive = false is no annotation");
    const clear = create(ClearSchema, { name: "x" });
    assert.equal(crypto.encryptMessage(ClearSchema, clear), clear, "passes through as the same object");
  });

  it("compiles once per type", () => {
    assert.equal(compileFieldPlan(ShapesSchema), compileFieldPlan(ShapesSchema));
  });

  const invalid: [DescMessage, string, RegExp][] = [
    [SensitiveNumberSchema, "sz.testing.v1.SensitiveNumber.amount", /a int64 field/],
    [SensitiveMessageSchema, "sz.testing.v1.SensitiveMessage.inner", /a message field \(sz\.testing\.v1\.Inner\)/],
    [SensitiveEnumSchema, "sz.testing.v1.SensitiveEnum.kind", /an enum field/],
    [SensitiveMessageMapSchema, "sz.testing.v1.SensitiveMessageMap.by_name", /a map whose values are messages/],
    [SensitiveBoolSchema, "sz.testing.v1.SensitiveBool.flag", /a bool field/],
    [HoldsInvalidSchema, "sz.testing.v1.SensitiveNumber.amount", /a int64 field/],
  ];
  for (const [schema, fieldName, what] of invalid) {
    it(`refuses the option on ${fieldName} when ${schema.typeName} is compiled`, () => {
      assert.throws(
        () => compileFieldPlan(schema),
        (err: unknown) => {
          assert.ok(isSzcryptError(err, "SCHEMA_INVALID"));
          assert.equal(err.fieldName, fieldName);
          assert.ok(err.message.includes(fieldName));
          assert.match(err.message, what);
          assert.match(err.message, /JSON text in a sensitive string field/);
          return true;
        },
      );
    });
  }
});
