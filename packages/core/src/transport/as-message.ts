import { create, type DescMessage, isMessage, type MessageShape } from "@bufbuild/protobuf";

/**
 * A message of `schema` from what a caller or handler passed: the message
 * itself, or a new message made from a plain init object (`{ cardNumber: "…" }`,
 * as grpc-js callers and handlers pass), which is not modified.
 *
 * @throws whatever protobuf-es's `create` throws for a value that is not an init object of `schema`.
 */
export function asMessage<Desc extends DescMessage>(schema: Desc, value: unknown): MessageShape<Desc> {
  return isMessage(value, schema) ? value : create(schema, value as never);
}
