// A service whose response type carries an invalid annotation two levels down
// (an int32 marked sensitive), built from a descriptor at run time so that
// each transport's tests can show the schema error comes before any call.
import { create, createFileRegistry, type DescService, setExtension } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  file_google_protobuf_descriptor,
} from "@bufbuild/protobuf/wkt";
import { file_sz_crypt_v1_options, sensitive } from "@szcrypt/core/options";

/** The full name of the invalid field: what a SCHEMA_INVALID error must name. */
export const INVALID_FIELD = "sz.testing.v1.Amount.cents";

/**
 * `sz.testing.v1.InvalidResponseService`: `Echo(Note) returns (Receipt)`, where
 * `Receipt.total` is an `Amount` whose `int32 cents` is marked sensitive.
 * `Note.text` is a valid sensitive string, so requests alone look fine.
 */
export function invalidResponseService(): DescService {
  const marked = create(FieldOptionsSchema);
  setExtension(marked, sensitive, true);
  const optional = FieldDescriptorProto_Label.OPTIONAL;
  const file = create(FileDescriptorProtoSchema, {
    name: "sz/testing/v1/invalid_service.proto",
    package: "sz.testing.v1",
    syntax: "proto3",
    dependency: ["sz/crypt/v1/options.proto"],
    messageType: [
      {
        name: "Note",
        field: [{ name: "text", number: 1, label: optional, type: FieldDescriptorProto_Type.STRING, jsonName: "text", options: marked }],
      },
      {
        name: "Amount",
        field: [{ name: "cents", number: 1, label: optional, type: FieldDescriptorProto_Type.INT32, jsonName: "cents", options: marked }],
      },
      {
        name: "Receipt",
        field: [
          {
            name: "total",
            number: 1,
            label: optional,
            type: FieldDescriptorProto_Type.MESSAGE,
            typeName: ".sz.testing.v1.Amount",
            jsonName: "total",
          },
        ],
      },
    ],
    service: [
      {
        name: "InvalidResponseService",
        method: [{ name: "Echo", inputType: ".sz.testing.v1.Note", outputType: ".sz.testing.v1.Receipt" }],
      },
    ],
  });
  const registry = createFileRegistry(file, (name) =>
    name === "sz/crypt/v1/options.proto"
      ? file_sz_crypt_v1_options
      : name === "google/protobuf/descriptor.proto"
        ? file_google_protobuf_descriptor
        : undefined,
  );
  const service = registry.getService("sz.testing.v1.InvalidResponseService");
  if (service === undefined) {
    throw new Error("the invalid test service did not build");
  }
  return service;
}
