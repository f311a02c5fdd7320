import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { Metadata } from "@grpc/grpc-js";
import type { AdapterOptions, OnError, TelemetryOptions, TransportAdapter, UnknownMethods } from "@szcrypt/core/adapter";
import { methodOfSerializer } from "./service-definition.js";

export { DEFAULT_KEY_ENV } from "@szcrypt/core";

export interface SzcryptGrpcOptions extends AdapterOptions {
  /**
   * The services this interceptor serves. Needed for those whose methods were
   * not defined with `createGrpcServiceDefinition` (szcrypt finds their
   * schemas by path), and for every service that `methods` names (its paths
   * are checked against them).
   */
  readonly services?: readonly DescService[];
  /**
   * What to do with a call to a method szcrypt has no schema for. `"reject"`
   * (default) fails the call: szcrypt cannot know which of its fields are
   * sensitive. `{ pass: [paths] }` lets exactly those paths through untouched,
   * e.g. `{ pass: ["/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch"] }`;
   * every other schema-less method is still rejected.
   */
  readonly unknownMethods?: UnknownMethods;
  /**
   * Called with every error szcrypt turns into a status, for the service's
   * logs. Errors never hold a key, a plaintext or a ciphertext.
   */
  readonly onError?: OnError;
  /**
   * Where szcrypt's OpenTelemetry metrics and spans go. Default: the providers
   * registered with `@opentelemetry/api`; with none, nothing is recorded.
   */
  readonly telemetry?: TelemetryOptions;
}

/**
 * The protobuf method of a grpc-js call: from the serializer that
 * `createGrpcServiceDefinition` tagged, or by path among `services`.
 */
export function methodOf(adapter: TransportAdapter, serializer: unknown, path: string): DescMethod | undefined {
  return methodOfSerializer(serializer) ?? adapter.methodAt(path);
}

/** A metadata value by lower-case name, as text: what CallInfo.header gives `keyForCall` and `context`. */
export function headerOf(metadata: Metadata, name: string): string | undefined {
  const value = metadata.get(name)[0];
  return typeof value === "string" ? value : undefined;
}
