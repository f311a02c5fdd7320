import type { DescMessage, DescMethod, DescService, MessageShape } from "@bufbuild/protobuf";
import { isSzcryptError, SzcryptError } from "../errors/szcrypt-error.js";
import type { CallInfo, ContextFunction, ContextParts, KeyForCall, MessageBinding } from "../fields/call-binding.js";
import type { FieldCrypto } from "../fields/field-crypto.js";
import { createFieldPolicy, type FieldPolicy, type FieldPolicyOptions } from "../fields/field-policy.js";
import { encodeSzc1Context } from "../formats/szc1-context.js";
import { isSzcryptKey } from "../keys/key.js";
import { isKeyring, Keyring } from "../keys/keyring.js";
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
 * the transport as an object literal; szcrypt turns it into the
 * {@link CallInfo} that `keyForCall` and `context` see.
 */
export interface CallStart {
  /**
   * The request's headers by lowercase name: a server passes the caller's
   * (when no span is active, szcrypt's spans join the trace the caller
   * propagated, see {@link HeaderLookup}), a client the outgoing ones, so that
   * both sides' `keyForCall` and `context` see the same values.
   */
  readonly header?: HeaderLookup;
  /**
   * Server only: the peer address as the framework reports it. Read only for
   * a policy with `keyForCall` or `context` (the only readers of CallInfo), so
   * a transport whose framework computes it may pass a getter.
   */
  readonly peer?: string;
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
  /**
   * Resolves the call's keyring (`keyForCall`) once per call; call it before
   * the first message and hold every message until it is done. `true` when
   * the call may go on (at once when there is no `keyForCall` or it answered
   * synchronously); `false` after handing the failure to `fail`
   * (KEY_UNAVAILABLE or CONFIG_INVALID, FAILED_PRECONDITION: end the call, send
   * nothing, run no handler). A promise when the lookup is async; it never rejects.
   */
  prepare(fail: FailureHandler): boolean | Promise<boolean>;
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
  startCall(plan: MethodPlan, info?: CallStart): TransportCall;
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
  // Without keyForCall and context nothing in a call depends on the call: its
  // messages go straight to the plan's FieldCrypto, and with no telemetry SDK
  // one Call per plan serves every call (it holds no per-call state).
  const unbound = policy.keyForCall === undefined && policy.context === undefined;
  const shared = new WeakMap<MethodPlan, Call>();
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
      const lookup = info?.header;
      if (unbound) {
        const observed = telemetry.forCall(plan.crypto, plan.method, side, side === "server" ? lookup : undefined);
        if (observed !== plan.crypto) {
          return new Call(plan, side, UNBOUND_KEYS, observed, report);
        }
        let call = shared.get(plan);
        if (call === undefined) {
          call = new Call(plan, side, UNBOUND_KEYS, plan.crypto, report);
          shared.set(plan, call);
        }
        return call;
      }
      // Read once: a transport may compute it in a getter.
      const peer = info?.peer;
      const call: CallInfo = {
        method: plan.path,
        side,
        header: (name) => lookup?.(name.toLowerCase()) ?? undefined,
        ...(peer === undefined ? {} : { peer }),
      };
      const keys = new CallKeys(policy.keyForCall, call);
      const bound = bindCall(plan.crypto, call, keys, policy.context);
      // Telemetry joins the caller's trace from a server's request headers only.
      const header = side === "server" ? lookup : undefined;
      return new Call(plan, side, keys, telemetry.forCall(bound, plan.method, side, header), report);
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

/** The one status text of a call whose keyring could not be had: names no tenant, header or key. */
const CALL_KEY_UNAVAILABLE = "no keyring is available for this call (`keyForCall` failed or found no key)";

/** A call's keyring from `keyForCall`, resolved once per call. */
class CallKeys {
  readonly #keyForCall: KeyForCall | undefined;
  readonly #call: CallInfo;
  #ring: Keyring | undefined;
  #pending: Promise<boolean> | undefined;

  constructor(keyForCall: KeyForCall | undefined, call: CallInfo) {
    this.#keyForCall = keyForCall;
    this.#call = call;
  }

  /** The resolved keyring: undefined when the policy has no keyForCall. */
  ring(): Keyring | undefined {
    if (this.#keyForCall === undefined) {
      return undefined;
    }
    if (this.#ring === undefined) {
      // A message before prepare() finished: never encrypted or decrypted under some other key.
      throw new SzcryptError("KEY_UNAVAILABLE", CALL_KEY_UNAVAILABLE);
    }
    return this.#ring;
  }

  prepare(fail: FailureHandler): boolean | Promise<boolean> {
    const keyForCall = this.#keyForCall;
    if (keyForCall === undefined || this.#ring !== undefined) {
      return true;
    }
    if (this.#pending !== undefined) {
      return this.#pending;
    }
    const failed = (err: unknown): false => {
      fail(encryptFailure(keyError(err), "request"));
      return false;
    };
    let result: unknown;
    try {
      result = keyForCall(this.#call);
    } catch (err) {
      return failed(err);
    }
    if (typeof (result as PromiseLike<unknown> | undefined)?.then === "function") {
      this.#pending = Promise.resolve(result).then(
        (ring) => this.#settle(ring) || failed(undefined),
        (err: unknown) => failed(err),
      );
      return this.#pending;
    }
    return this.#settle(result) || failed(undefined);
  }

  #settle(value: unknown): boolean {
    if (isKeyring(value)) {
      this.#ring = value;
    } else if (isSzcryptKey(value)) {
      this.#ring = Keyring.of(value);
    }
    return this.#ring !== undefined;
  }
}

/** The keys of every call of a policy without keyForCall: no lookup, no state. */
const UNBOUND_KEYS = new CallKeys(undefined, { method: "", side: "client", header: () => undefined });

// KEY_UNAVAILABLE with one message whatever the lookup said: its own error may
// quote the tenant id or a header value. createKeyringResolver's onLookupError
// is where the lookup's own error goes to logs.
function keyError(_err: unknown): SzcryptError {
  return new SzcryptError("KEY_UNAVAILABLE", CALL_KEY_UNAVAILABLE);
}

/**
 * The plan's FieldCrypto with this call's keyring and each message's context
 * passed down: what telemetry observes and the call's messages go through.
 */
function bindCall(crypto: FieldCrypto, call: CallInfo, keys: CallKeys, contextFn: ContextFunction | undefined): FieldCrypto {
  const bindingOf = (schema: DescMessage, message: MessageShape<DescMessage>): MessageBinding | undefined => {
    const keyring = keys.ring();
    const context = contextFn === undefined ? undefined : contextOf(contextFn, call, message, schema);
    if (keyring === undefined && context === undefined) {
      return undefined;
    }
    return { keyring, context };
  };
  return {
    format: crypto.format,
    accept: crypto.accept,
    plan: (schema) => crypto.plan(schema),
    keyring: () => keys.ring() ?? crypto.keyring(),
    encryptMessage(schema, message) {
      // A clear message type asks no context: contextFrom's field need not be in it.
      return crypto.plan(schema).isEmpty ? message : crypto.encryptMessage(schema, message, bindingOf(schema, message));
    },
    decryptMessage(schema, message) {
      return crypto.plan(schema).isEmpty ? message : crypto.decryptMessage(schema, message, bindingOf(schema, message));
    },
  };
}

/**
 * The context function's parts for one message, checked now: a function that
 * throws or gives no valid context fails the message closed, CONFIG_INVALID.
 */
function contextOf(contextFn: ContextFunction, call: CallInfo, message: MessageShape<DescMessage>, schema: DescMessage): ContextParts {
  let parts: ContextParts;
  try {
    parts = contextFn(call, message, schema);
  } catch (err) {
    if (isSzcryptError(err, "CONFIG_INVALID")) {
      throw err;
    }
    // Its message could quote a header or a field: keep only its type.
    throw new SzcryptError("CONFIG_INVALID", `the \`context\` function threw (${err instanceof Error ? err.name : typeof err})`);
  }
  // Limits checked once per message; the error names the limit, never a part.
  encodeSzc1Context(parts);
  return parts;
}

class Call implements TransportCall {
  readonly plan: MethodPlan;
  readonly side: TransportSide;
  readonly crypto: FieldCrypto;
  readonly #keys: CallKeys;
  readonly #report: (error: SzcryptError, path: string) => void;

  constructor(
    plan: MethodPlan,
    side: TransportSide,
    keys: CallKeys,
    crypto: FieldCrypto,
    report: (error: SzcryptError, path: string) => void,
  ) {
    this.plan = plan;
    this.side = side;
    this.crypto = crypto;
    this.#keys = keys;
    this.#report = report;
  }

  prepare(fail: FailureHandler): boolean | Promise<boolean> {
    return this.#keys.prepare(fail);
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
