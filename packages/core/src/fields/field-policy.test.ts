import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createFileRegistry, type DescService } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { SzcryptKey } from "../keys/key.js";
import { createFieldPolicy } from "./field-policy.js";

// A service made from a descriptor here, so the test depends on no generated code.
const registry = createFileRegistry(
  create(FileDescriptorProtoSchema, {
    name: "t/v1/t.proto",
    package: "t.v1",
    syntax: "proto3",
    messageType: [{ name: "M" }],
    service: [
      {
        name: "Payments",
        method: [
          { name: "Authorize", inputType: ".t.v1.M", outputType: ".t.v1.M" },
          { name: "Refund", inputType: ".t.v1.M", outputType: ".t.v1.M" },
        ],
      },
    ],
  }),
  () => undefined,
);
const Payments = registry.getService("t.v1.Payments") as DescService;
const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(4));
const configInvalid = (pattern: RegExp) => (err: unknown) => isSzcryptError(err, "CONFIG_INVALID") && pattern.test(err.message);

describe("per-method policy paths", () => {
  it("applies an override whose path names a method of the given services", () => {
    const policy = createFieldPolicy({
      key,
      services: [Payments],
      methods: { "/t.v1.Payments/Authorize": { format: "szc1" } },
    });
    assert.equal(policy.cryptoFor("/t.v1.Payments/Authorize").format, "szc1");
    assert.deepEqual(policy.cryptoFor("/t.v1.Payments/Authorize").accept, ["szc1"]);
    assert.equal(policy.cryptoFor("/t.v1.Payments/Refund").format, "legacy-cbc");
  });

  it("refuses a typo in the method name, naming the path and the methods there are", () => {
    assert.throws(
      () => createFieldPolicy({ key, services: [Payments], methods: { "/t.v1.Payments/Authorise": { format: "szc1" } } }),
      configInvalid(/"\/t\.v1\.Payments\/Authorise" matches no known method.*Authorize, Refund/),
    );
  });

  it("refuses a typo in the service name", () => {
    assert.throws(
      () => createFieldPolicy({ key, services: [Payments], methods: { "/t.v1.Payment/Authorize": { accept: ["szc1"] } } }),
      configInvalid(/"\/t\.v1\.Payment\/Authorize" matches no known method.*no service t\.v1\.Payment/),
    );
  });

  it("refuses overrides when no services were given to check them against, saying how to fix it", () => {
    assert.throws(
      () => createFieldPolicy({ key, methods: { "/t.v1.Payments/Authorize": { format: "szc1" } } }),
      configInvalid(/matches no known method.*`services`/),
    );
  });

  it("still refuses a key that is not a gRPC path", () => {
    assert.throws(
      () => createFieldPolicy({ key, services: [Payments], methods: { Authorize: { format: "szc1" } } }),
      configInvalid(/keyed by gRPC path/),
    );
  });
});
