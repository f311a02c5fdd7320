import { type DescMessage, type DescMethod, type DescService, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import { asMessage, compileServicePlans, methodPath } from "@szcrypt/core/adapter";

// Marks the serializer functions of a method definition with its protobuf
// method, so interceptors find the schema from what grpc-js hands them. A
// global symbol, so two copies of this package still recognise each other.
const METHOD = Symbol.for("@szcrypt/grpc-js/method");

/**
 * A grpc-js service definition for a protobuf-es v2 service: methods keyed by
 * their local name (`authorize`), binary protobuf on the wire. Requests and
 * responses may be messages or plain init objects, as grpc-js callers pass.
 *
 * Servers: `server.addService(createGrpcServiceDefinition(PaymentService), impl)`.
 *
 * @throws SzcryptError SCHEMA_INVALID when a request or response type of any
 * method carries an invalid `(sz.crypt.v1.sensitive)` annotation, naming the field.
 */
export function createGrpcServiceDefinition(service: DescService): ServiceDefinition {
  compileServicePlans([service]);
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: methodPath(method),
      originalName: method.name,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: tag(serializer(method.input), method),
      requestDeserialize: tag(deserializer(method.input), method),
      responseSerialize: tag(serializer(method.output), method),
      responseDeserialize: tag(deserializer(method.output), method),
    };
  }
  return definition;
}

/** The protobuf method behind a serializer made by {@link createGrpcServiceDefinition}. */
export function methodOfSerializer(fn: unknown): DescMethod | undefined {
  return typeof fn === "function" ? ((fn as unknown as Record<symbol, DescMethod | undefined>)[METHOD] ?? undefined) : undefined;
}

function serializer(schema: DescMessage): (value: unknown) => Buffer {
  return (value) => {
    const bytes = toBinary(schema, asMessage(schema, value));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

function deserializer(schema: DescMessage): (bytes: Buffer) => unknown {
  return (bytes) => fromBinary(schema, bytes);
}

function tag<F extends object>(fn: F, method: DescMethod): F {
  Object.defineProperty(fn, METHOD, { value: method });
  return fn;
}
