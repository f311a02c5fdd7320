import type { DescMessage, DescMethod, DescService, MessageShape } from "@bufbuild/protobuf";
import type { SzcryptError } from "../errors/szcrypt-error.js";
import type { FieldCrypto } from "../fields/field-crypto.js";
import { createFieldPolicy, type FieldPolicy, type FieldPolicyOptions } from "../fields/field-policy.js";
import { createTelemetry, type HeaderLookup, type TelemetryOptions } from "../observe/telemetry.js";
import { compileServicePlans } from "../plans/service-plans.js";
import { asMessage } from "./as-message.js";
import { decryptFailure, encryptFailure, type MessageDirection, type TransportFailure } from "./failure.js";
import { methodPath } from "./method-path.js";
import { type OnError, reportError, type TransportSide } from "./on-error.js";
import { type UnknownMethods, unknownMethodPasses } from "./unknown-methods.js";

/**
 * The options every szcrypt transport takes: keys and format policy
 * ({@link FieldPolicyOptions}), the services it serves, what to do with
 * methods it has no schema for, the `onError` hook and telemetry. A transport's
 * own options interface extends this one (and may restate a member to document
 * it in its framework's terms).
 */
export interface AdapterOptions extends FieldPolicyOptions {
  /**
   * The services the transport serves. Their request and response types are
   * checked when the adapter is created (an invalid `(sz.crypt.v1.sensitive)`
   * annotation throws `SCHEMA_INVALID` then, not at a call); their methods can
   * be found by path ({@link TransportAdapter.methodAt}); and the paths of
   * per-method policies (`methods`) are checked against them.
   */
  readonly services?: readonly DescService[];
  /**
   * For transports that can see a call without its protobuf schema (grpc-js):
   * which of those calls go through untouched. Default `"reject"`.
   */
  readonly unknownMethods?: UnknownMethods;
  /** Called with every error szcrypt turns into a status, for the service's logs. */
  readonly onError?: OnError;
  /**
   * Where szcrypt's OpenTelemetry metrics and spans go. Default: the providers
   * registered with `@opentelemetry/api`; with none, nothing is recorded.
   */
  readonly telemetry?: TelemetryOptions;
}

/**
 * One method, resolved once and cached: its path, the FieldCrypto of its
 * format policy, and whether it has anything to protect.
 */
export interface MethodPlan {
  readonly method: DescMethod;
  /** `/package.Service/Method`. */
  readonly path: string;
  /** The FieldCrypto of the method's policy: its per-method override, or the service-wide one. */
  readonly crypto: FieldCrypto;
  /**
   * True when neither the request nor the response type has a sensitive
   * field: a transport may let such calls through with no hooks at all. False
   * when a type's plan does not compile, so that the schema error reaches the
   * caller as a status (see {@link MethodPlan.schemaError}).
   */
  readonly clear: boolean;
  /**
   * The error of a request or response type whose plan does not compile
   * (an invalid annotation, an `Any` as the whole message), or `undefined`.
   * Check it before a call goes further, so that no handler runs for a method
   * whose response could never be encrypted; end the call with
   * `encryptFailure(error, …)`. Costs nothing once both plans have compiled.
   */
  schemaError(): unknown;
}

/**
 * What a transport knows of a call when it starts, beyond its method. Built by
 * the transport as an object literal; more members may join (the peer, the
 * request's metadata for per-call keys), all optional.
 */
export interface CallInfo {
  /**
   * The request's headers by lowercase name. A server passes the caller's:
   * when no span is active, szcrypt's spans join the trace the caller
   * propagated (see {@link HeaderLookup}). Ignored on a client for telemetry.
   */
  readonly header?: HeaderLookup;
}

/**
 * Called with the failure when a message cannot be processed. The transport
 * ends the call its framework's way (cancel with a status, throw its error):
 * see {@link TransportCall.request}.
 */
export type FailureHandler = (failure: TransportFailure) => void;

/**
 * One call in progress: its messages go through {@link TransportCall.request}
 * and {@link TransportCall.response}, which encrypt or decrypt according to
 * the side.
 */
export interface TransportCall {
  readonly plan: MethodPlan;
  readonly side: TransportSide;
  /** The FieldCrypto this call uses: the plan's, observed by telemetry. */
  readonly crypto: FieldCrypto;
  /**
   * The request, encrypted on a client (a message or a plain init object,
   * which is not modified) or decrypted on a server (the message the
   * framework decoded). Returns a new message, or `undefined` after handing
   * the failure to `fail`: then nothing of this message may go further, and
   * the transport must end the call (fail closed). `fail` may also throw, as
   * a transport whose calls end by exception does; the exception propagates.
   */
  request(message: unknown, fail: FailureHandler): MessageShape<DescMessage> | undefined;
  /** The response, decrypted on a client or encrypted on a server: as {@link TransportCall.request}. */
  response(message: unknown, fail: FailureHandler): MessageShape<DescMessage> | undefined;
  /** Reports a failure of this call to `onError` (see {@link TransportAdapter.report}). */
  report(failure: TransportFailure): void;
}

/**
 * What a transport works from: created once per interceptor from its options,
 * then asked about each call. See `@szcrypt/core/adapter` for the whole flow.
 */
export interface TransportAdapter {
  readonly side: TransportSide;
  /** The schema of a method of `services`, by its gRPC path. */
  methodAt(path: string): DescMethod | undefined;
  /** Whether a call to `path`, a method with no schema, goes through untouched (`unknownMethods`). */
  passesUnknown(path: string): boolean;
  /** The plan of a method, resolved at its first call and cached. */
  plan(method: DescMethod): MethodPlan;
  /**
   * Starts a call of a planned method: per call (telemetry is bound here),
   * after the request's headers are known on a server.
   */
  startCall(plan: MethodPlan, info?: CallInfo): TransportCall;
  /**
   * Hands an error to the `onError` hook with the call's path and this side.
   * Whatever the hook throws is dropped: it never changes the call's outcome.
   */
  report(error: SzcryptError, path: string): void;
}

/**
 * Resolves a transport's options once, when its interceptor is created.
 *
 * @throws SzcryptError KEY_UNAVAILABLE without a key (there is never a default
 *   key), KEY_INVALID for an unreadable one, CONFIG_INVALID for a bad policy or
 *   `unknownMethods`, SCHEMA_INVALID for an invalid annotation in `services`.
 */
export function createTransportAdapter(options: AdapterOptions, side: TransportSide): TransportAdapter {
  const policy = createFieldPolicy(options);
  // Invalid annotations in the services given up front fail here, at creation.
  compileServicePlans(options.services ?? []);
  const passesUnknown = unknownMethodPasses(options.unknownMethods);
  const telemetry = createTelemetry(options.telemetry);
  const onError = options.onError;
  const byPath = new Map<string, DescMethod>();
  for (const service of options.services ?? []) {
    for (const method of service.methods) {
      byPath.set(methodPath(method), method);
    }
  }
  const plans = new WeakMap<DescMethod, MethodPlan>();
  const report = (error: SzcryptError, path: string): void => reportError(onError, error, { method: path, side });
  return {
    side,
    methodAt: (path) => byPath.get(path),
    passesUnknown,
    plan: (method) => {
      let plan = plans.get(method);
      if (plan === undefined) {
        plan = planMethod(method, policy);
        plans.set(method, plan);
      }
      return plan;
    },
    startCall: (plan, info) => {
      // Telemetry joins the caller's trace from a server's request headers only.
      const header = side === "server" ? info?.header : undefined;
      return new Call(plan, side, telemetry.forCall(plan.crypto, plan.method, side, header), report);
    },
    report,
  };
}

function planMethod(method: DescMethod, policy: FieldPolicy): MethodPlan {
  const path = methodPath(method);
  const crypto = policy.cryptoFor(path);
  const check = (): unknown => {
    try {
      crypto.plan(method.input);
      crypto.plan(method.output);
      return undefined;
    } catch (err) {
      return err;
    }
  };
  let clear = false;
  let compiled = false;
  try {
    // Both plans, not a short-circuit: a clear request must not hide a response that does not compile.
    const input = crypto.plan(method.input);
    const output = crypto.plan(method.output);
    clear = input.isEmpty && output.isEmpty;
    compiled = true;
  } catch {
    // Not clear: the call goes on to schemaError(), which reports it.
  }
  // Plans are cached once compiled; one that failed is tried again at each call.
  return { method, path, crypto, clear, schemaError: compiled ? () => undefined : check };
}

class Call implements TransportCall {
  readonly plan: MethodPlan;
  readonly side: TransportSide;
  readonly crypto: FieldCrypto;
  readonly #report: (error: SzcryptError, path: string) => void;

  constructor(plan: MethodPlan, side: TransportSide, crypto: FieldCrypto, report: (error: SzcryptError, path: string) => void) {
    this.plan = plan;
    this.side = side;
    this.crypto = crypto;
    this.#report = report;
  }

  request(message: unknown, fail: FailureHandler): MessageShape<DescMessage> | undefined {
    return through(this.crypto, this.plan.method.input, this.side === "client", "request", message, fail);
  }

  response(message: unknown, fail: FailureHandler): MessageShape<DescMessage> | undefined {
    return through(this.crypto, this.plan.method.output, this.side === "server", "response", message, fail);
  }

  report(failure: TransportFailure): void {
    this.#report(failure.error, this.plan.path);
  }
}

/** One message through `crypto`: a new message, or `undefined` after `fail` (which may throw). */
function through(
  crypto: FieldCrypto,
  schema: DescMessage,
  encrypt: boolean,
  where: MessageDirection,
  message: unknown,
  fail: FailureHandler,
): MessageShape<DescMessage> | undefined {
  try {
    return encrypt
      ? crypto.encryptMessage(schema, asMessage(schema, message))
      : crypto.decryptMessage(schema, message as MessageShape<DescMessage>);
  } catch (err) {
    fail(encrypt ? encryptFailure(err, where) : decryptFailure(err, where));
    return undefined;
  }
}
