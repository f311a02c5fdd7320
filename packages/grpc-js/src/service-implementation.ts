import type { DescMessage, DescMethod, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type {
  handleBidiStreamingCall,
  handleClientStreamingCall,
  handleServerStreamingCall,
  handleUnaryCall,
  Server,
  UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { createGrpcServiceDefinition } from "./service-definition.js";

// Handlers receive messages and may answer with messages or plain init objects
// (the service definition's serializer accepts both).
type Req<M extends DescMethod> = MessageShape<M["input"] & DescMessage>;
type Res<M extends DescMethod> = MessageInitShape<M["output"] & DescMessage>;

/** The grpc-js handler type of one method, typed by its protobuf messages. */
export type GrpcHandler<M extends DescMethod> = M["methodKind"] extends "unary"
  ? handleUnaryCall<Req<M>, Res<M>>
  : M["methodKind"] extends "server_streaming"
    ? handleServerStreamingCall<Req<M>, Res<M>>
    : M["methodKind"] extends "client_streaming"
      ? handleClientStreamingCall<Req<M>, Res<M>>
      : handleBidiStreamingCall<Req<M>, Res<M>>;

/**
 * The handlers of a protobuf-es service for grpc-js, keyed by each method's
 * local name: `call.request` is the request message type, so a typo in a
 * field name fails to compile.
 */
export type GrpcServiceImplementation<S extends DescService> = {
  [K in keyof S["method"]]: S["method"][K] extends DescMethod ? GrpcHandler<S["method"][K]> : never;
};

/**
 * Adds a protobuf-es v2 service to a grpc-js server with typed handlers: the
 * typed form of `server.addService(createGrpcServiceDefinition(service), impl)`.
 * Methods left out answer `UNIMPLEMENTED`, as grpc-js does.
 *
 * @example
 * ```ts
 * addGrpcService(server, PaymentService, {
 *   authorize: (call, callback) => callback(null, { ...call.request, id: "p-1" }),
 *   // methods left out answer UNIMPLEMENTED
 * });
 * ```
 * @throws SzcryptError SCHEMA_INVALID when a method's request or response type
 * carries an invalid `(sz.crypt.v1.sensitive)` annotation, naming the field.
 */
export function addGrpcService<S extends DescService>(
  server: Server,
  service: S,
  implementation: Partial<GrpcServiceImplementation<S>>,
): void {
  server.addService(createGrpcServiceDefinition(service), implementation as unknown as UntypedServiceImplementation);
}
