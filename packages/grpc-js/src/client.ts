import type { DescMessage, DescMethod, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import {
  type CallOptions,
  type ChannelCredentials,
  type ClientDuplexStream,
  type ClientOptions,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ClientWritableStream,
  type Metadata,
  makeGenericClientConstructor,
  type ServiceError,
} from "@grpc/grpc-js";
import { createGrpcServiceDefinition } from "./service-definition.js";

type In<M extends DescMethod> = MessageInitShape<M["input"] & DescMessage>;
type Out<M extends DescMethod> = MessageShape<M["output"] & DescMessage>;
type Callback<T> = (error: ServiceError | null, value?: T) => void;

/** The grpc-js call signatures of one method, typed by its protobuf messages. */
export type GrpcClientMethod<M extends DescMethod> = M["methodKind"] extends "unary"
  ? {
      (request: In<M>, callback: Callback<Out<M>>): ClientUnaryCall;
      (request: In<M>, metadata: Metadata, callback: Callback<Out<M>>): ClientUnaryCall;
      (request: In<M>, metadata: Metadata, options: Partial<CallOptions>, callback: Callback<Out<M>>): ClientUnaryCall;
    }
  : M["methodKind"] extends "server_streaming"
    ? (request: In<M>, metadata?: Metadata, options?: Partial<CallOptions>) => ClientReadableStream<Out<M>>
    : M["methodKind"] extends "client_streaming"
      ? {
          (callback: Callback<Out<M>>): ClientWritableStream<In<M>>;
          (metadata: Metadata, callback: Callback<Out<M>>): ClientWritableStream<In<M>>;
          (metadata: Metadata, options: Partial<CallOptions>, callback: Callback<Out<M>>): ClientWritableStream<In<M>>;
        }
      : (metadata?: Metadata, options?: Partial<CallOptions>) => ClientDuplexStream<In<M>, Out<M>>;

/** A grpc-js client for a protobuf-es service, with a method per RPC under its local name. */
export type GrpcClient<S extends DescService> = {
  [K in keyof S["method"]]: S["method"][K] extends DescMethod ? GrpcClientMethod<S["method"][K]> : never;
} & {
  close(): void;
  waitForReady(deadline: Date | number, callback: (error?: Error) => void): void;
};

/**
 * A typed grpc-js client for a protobuf-es v2 service. Pass szcrypt's client
 * interceptor in `options.interceptors`:
 *
 * ```ts
 * const client = createGrpcClient(PaymentService, "127.0.0.1:50051", credentials.createInsecure(), {
 *   interceptors: [createClientInterceptor()],
 * });
 * client.authorize({ cardNumber: "4111…" }, (err, payment) => { … });
 * ```
 */
export function createGrpcClient<S extends DescService>(
  service: S,
  address: string,
  credentials: ChannelCredentials,
  options?: ClientOptions,
): GrpcClient<S> {
  const Client = makeGenericClientConstructor(createGrpcServiceDefinition(service), service.typeName);
  return new Client(address, credentials, options) as unknown as GrpcClient<S>;
}
