import type { DescMethod, DescService } from "@bufbuild/protobuf";
import {
  assertMethodPath,
  compileServicePlans,
  createFieldPolicy,
  createTelemetry,
  type FieldCrypto,
  type FieldPolicyOptions,
  SzcryptError,
  type Telemetry,
  type TelemetryOptions,
} from "@szcrypt/core";
import { methodOfSerializer } from "./service-definition.js";

export { DEFAULT_KEY_ENV } from "@szcrypt/core";

export interface SzcryptGrpcOptions extends FieldPolicyOptions {
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
  readonly unknownMethods?: "reject" | { readonly pass: readonly string[] };
  /**
   * Called with every error szcrypt turns into a status, for the service's
   * logs. Errors never hold a key, a plaintext or a ciphertext.
   */
  readonly onError?: (error: SzcryptError, context: { readonly method: string; readonly side: "client" | "server" }) => void;
  /**
   * Where szcrypt's OpenTelemetry metrics and spans go. Default: the providers
   * registered with `@opentelemetry/api`; with none, nothing is recorded.
   */
  readonly telemetry?: TelemetryOptions;
}

/** @internal what both interceptors work from. */
export interface InterceptorContext {
  /** The FieldCrypto for a method path (its override, or the service-wide one). */
  cryptoFor(path: string): FieldCrypto;
  /** Whether a call to `path`, a method with no schema, goes through untouched. */
  passUnknown(path: string): boolean;
  readonly onError: SzcryptGrpcOptions["onError"];
  readonly telemetry: Telemetry;
  methodFor(serializer: unknown, path: string): DescMethod | undefined;
  /**
   * Whether neither the method's request nor its response type has a sensitive
   * field: such calls get no hooks at all. False when a plan does not compile,
   * so that the schema error reaches the caller as a status.
   */
  nothingToProtect(method: DescMethod, path: string): boolean;
  /**
   * The schema error of a method's request or response type, if any: checked
   * before a call goes further, so no handler runs for a method whose response
   * could never be encrypted.
   */
  schemaError(method: DescMethod, path: string): unknown;
}

/** @internal */
export function resolveOptions(options: SzcryptGrpcOptions): InterceptorContext {
  const policy = createFieldPolicy(options);
  // Invalid annotations in the services given up front fail here, at creation.
  compileServicePlans(options.services ?? []);
  const clear = new WeakMap<DescMethod, boolean>();
  const byPath = new Map<string, DescMethod>();
  for (const service of options.services ?? []) {
    for (const method of service.methods) {
      byPath.set(`/${service.typeName}/${method.name}`, method);
    }
  }
  return {
    cryptoFor: policy.cryptoFor,
    passUnknown: unknownMethodPasses(options.unknownMethods),
    onError: options.onError,
    telemetry: createTelemetry(options.telemetry),
    methodFor: (serializer, path) => methodOfSerializer(serializer) ?? byPath.get(path),
    nothingToProtect: (method, path) => {
      let answer = clear.get(method);
      if (answer === undefined) {
        try {
          const crypto = policy.cryptoFor(path);
          answer = crypto.plan(method.input).isEmpty && crypto.plan(method.output).isEmpty;
        } catch {
          answer = false;
        }
        clear.set(method, answer);
      }
      return answer;
    },
    schemaError: (method, path) => {
      try {
        const crypto = policy.cryptoFor(path);
        crypto.plan(method.input);
        crypto.plan(method.output);
        return undefined;
      } catch (err) {
        return err;
      }
    },
  };
}

function unknownMethodPasses(option: SzcryptGrpcOptions["unknownMethods"]): (path: string) => boolean {
  if (option === undefined || option === "reject") {
    return () => false;
  }
  if (typeof option !== "object" || option === null || !Array.isArray(option.pass)) {
    // "pass" for every method is gone: one typo'd or new method would cross unprotected.
    throw new SzcryptError(
      "CONFIG_INVALID",
      'unknownMethods is "reject" or { pass: [gRPC paths] }, the methods with nothing to protect, e.g. { pass: ["/grpc.health.v1.Health/Check"] }',
    );
  }
  const pass = new Set<string>();
  for (const path of option.pass) {
    assertMethodPath(path, "unknownMethods.pass");
    pass.add(path);
  }
  return (path) => pass.has(path);
}
