/**
 * For authors of szcrypt transports: what `@szcrypt/grpc-js` and
 * `@szcrypt/connect` share, so that a third transport (another RPC framework,
 * a message queue) behaves like them, with the same statuses and messages. An
 * application does not need this entry point: it uses a transport package and
 * `@szcrypt/core`.
 *
 * A transport adapts one framework's interceptor to a {@link TransportAdapter}:
 *
 * 1. When its interceptor is created, {@link createTransportAdapter} resolves
 *    the options (keys, format policy, per-method overrides, `services`,
 *    `unknownMethods`, `onError`, telemetry) and throws for a bad
 *    configuration, so a service fails at start rather than at its first call.
 * 2. At each call, it finds the method's protobuf schema (from the framework,
 *    or {@link TransportAdapter.methodAt} by gRPC path) and its
 *    {@link MethodPlan} (cached per method). A call with no schema is rejected
 *    unless {@link TransportAdapter.passesUnknown} says otherwise; a plan that
 *    is {@link MethodPlan.clear} may skip the hooks; a
 *    {@link MethodPlan.schemaError} ends the call before any handler runs.
 * 3. {@link TransportAdapter.startCall} binds the call (telemetry, and the
 *    {@link CallInfo} that `keyForCall` and `context` see: pass the request's
 *    headers on both sides, the peer on a server). Then
 *    {@link TransportCall.prepare} resolves the call's keyring once; hold every
 *    message until it is done (it may be a promise). Every request and response message
 *    then goes through {@link TransportCall.request} and
 *    {@link TransportCall.response}, which encrypt or decrypt according to the
 *    side and hand any failure to the transport.
 * 4. A failure is a {@link TransportFailure}: a kind that the transport maps to
 *    its status code, and a message that is the status text. Report it with
 *    {@link TransportCall.report} (the `onError` hook, which cannot break the
 *    call), then end the call: never pass the message on (fail closed).
 *
 * @example A minimal server-side transport for a framework whose handlers
 * take and return messages (`Codes` is the framework's status enum):
 * ```ts
 * import { type AdapterOptions, createTransportAdapter, encryptFailure, type FailureKind } from "@szcrypt/core/adapter";
 *
 * const CODES: Record<FailureKind, Codes> = {
 *   invalid_argument: Codes.InvalidArgument,
 *   internal: Codes.Internal,
 *   failed_precondition: Codes.FailedPrecondition,
 * };
 *
 * export function createMyServerInterceptor(options: AdapterOptions = {}): MyInterceptor {
 *   const adapter = createTransportAdapter(options, "server");
 *   return async (req, next) => {
 *     const plan = adapter.plan(req.method); // a DescMethod
 *     const call = adapter.startCall(plan, { header: (name) => req.headers.get(name) ?? undefined });
 *     const fail = (failure: TransportFailure): never => {
 *       call.report(failure);
 *       throw new MyError(CODES[failure.kind], failure.message);
 *     };
 *     const schemaError = plan.schemaError();
 *     if (schemaError !== undefined) fail(encryptFailure(schemaError, "request"));
 *     await call.prepare(fail); // the per-call keyring (keyForCall); fail throws here
 *     const res = await next({ ...req, message: call.request(req.message, fail) });
 *     return { ...res, message: call.response(res.message, fail) };
 *   };
 * }
 * ```
 *
 * @packageDocumentation
 */

export type { CallInfo, ContextFunction, ContextParts, KeyForCall, MessageBinding } from "./fields/call-binding.js";
export type { FieldPolicy, FieldPolicyOptions, MethodPolicy } from "./fields/field-policy.js";
export { assertMethodPath, createFieldPolicy } from "./fields/field-policy.js";
export type { HeaderLookup, Telemetry, TelemetryOptions, TelemetrySide } from "./observe/telemetry.js";
export { createTelemetry } from "./observe/telemetry.js";
export { compileServicePlans } from "./plans/service-plans.js";
export { asMessage } from "./transport/as-message.js";
export type { FailureKind, MessageDirection, TransportFailure } from "./transport/failure.js";
export { decryptFailure, encryptFailure } from "./transport/failure.js";
export { methodPath } from "./transport/method-path.js";
export type { ErrorContext, OnError, TransportSide } from "./transport/on-error.js";
export { reportError } from "./transport/on-error.js";
export type {
  AdapterOptions,
  CallStart,
  FailureHandler,
  MethodPlan,
  TransportAdapter,
  TransportCall,
} from "./transport/transport-adapter.js";
export { createTransportAdapter } from "./transport/transport-adapter.js";
export type { UnknownMethods } from "./transport/unknown-methods.js";
