import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import {
  type AdapterOptions,
  createTransportAdapter,
  encryptFailure,
  type FailureKind,
  type OnError,
  type TelemetryOptions,
  type TransportFailure,
  type TransportSide,
} from "@szcrypt/core/adapter";

export interface SzcryptConnectOptions extends Omit<AdapterOptions, "unknownMethods"> {
  /**
   * The services this interceptor will see. Their request and response types
   * are checked when the interceptor is created, so an invalid
   * `(sz.crypt.v1.sensitive)` annotation throws `SCHEMA_INVALID` then rather
   * than failing calls. Without it, each method is checked at its first call,
   * still before any handler runs.
   */
  readonly services?: readonly DescService[];
  /**
   * Called with every error szcrypt turns into a ConnectError, for the
   * service's logs. Errors never hold a key, a plaintext or a ciphertext.
   */
  readonly onError?: OnError;
  /**
   * Where szcrypt's OpenTelemetry metrics and spans go. Default: the providers
   * registered with `@opentelemetry/api`; with none, nothing is recorded.
   */
  readonly telemetry?: TelemetryOptions;
}

const CODES: Record<FailureKind, Code> = {
  invalid_argument: Code.InvalidArgument,
  internal: Code.Internal,
  failed_precondition: Code.FailedPrecondition,
};

/**
 * A Connect-ES client interceptor: encrypts the sensitive fields of every
 * request and decrypts those of every response, unary and streaming.
 *
 * Interceptors run in an onion: the first in `interceptors` sees the caller's
 * plaintext on the way out and the last sees what crosses the wire. Put
 * szcrypt's last, so that logging or retry interceptors before it work on
 * plaintext and nothing after it sees a sensitive value in the clear.
 *
 * ```ts
 * const transport = createGrpcTransport({ baseUrl, interceptors: [createConnectClientInterceptor()] });
 * const client = createClient(PaymentService, transport);
 * ```
 *
 * Fails closed: a request that cannot be encrypted throws `InvalidArgument`
 * and nothing is sent; a response that cannot be decrypted throws `Internal`
 * and is never handed over. Codes and messages match `@szcrypt/grpc-js`.
 *
 * @throws SzcryptError KEY_UNAVAILABLE or KEY_INVALID when created without a usable key.
 */
export function createConnectClientInterceptor(options: SzcryptConnectOptions = {}): Interceptor {
  return makeInterceptor(options, "client");
}

/**
 * A Connect-ES server interceptor, for connect-node's router options
 * (`connectNodeAdapter({ routes, interceptors: [createConnectServerInterceptor()] })`):
 * decrypts the sensitive fields of every request before the handler sees them
 * and encrypts those of every response.
 *
 * On the server the onion is the other way round: the first interceptor sees
 * the wire. Put szcrypt's first.
 *
 * Fails closed: a request that cannot be decrypted is answered
 * `InvalidArgument` naming the field path, the same for every cause, and a
 * unary handler is never called; a stream fails at the first bad message.
 *
 * @throws SzcryptError KEY_UNAVAILABLE or KEY_INVALID when created without a usable key.
 */
export function createConnectServerInterceptor(options: SzcryptConnectOptions = {}): Interceptor {
  return makeInterceptor(options, "server");
}

function makeInterceptor(options: SzcryptConnectOptions, side: TransportSide): Interceptor {
  const adapter = createTransportAdapter(options, side);
  return (next) => async (req) => {
    const plan = adapter.plan(req.method);
    const call = adapter.startCall(plan, { header: (name) => req.header.get(name) ?? undefined });
    // Connect ends a call by exception: the failure propagates out of call.request/response.
    const fail = (failure: TransportFailure): never => {
      call.report(failure);
      throw new ConnectError(failure.message, CODES[failure.kind]);
    };
    // Both sides' plans before anything moves: no handler runs for a method
    // whose response could never be encrypted.
    const schemaError = plan.schemaError();
    if (schemaError !== undefined) {
      fail(encryptFailure(schemaError, "request"));
    }
    // The call's keyring (keyForCall) before any message: a failed lookup throws
    // through `fail`, so nothing is sent and no handler runs.
    if (!plan.clear) {
      const ready = call.prepare(fail);
      // Awaited only when keyForCall is async: no extra microtask for a call that needs no lookup.
      if (ready !== true) {
        await ready;
      }
    }
    const onRequest = (message: MessageShape<DescMessage>) => call.request(message, fail) as MessageShape<DescMessage>;
    const onResponse = (message: MessageShape<DescMessage>) => call.response(message, fail) as MessageShape<DescMessage>;
    const res = req.stream
      ? await next({ ...req, message: mapStream(req.message, onRequest) })
      : await next({ ...req, message: onRequest(req.message) });
    return res.stream ? { ...res, message: mapStream(res.message, onResponse) } : { ...res, message: onResponse(res.message) };
  };
}

async function* mapStream<T, U>(source: AsyncIterable<T>, fn: (value: T) => U): AsyncIterable<U> {
  for await (const value of source) {
    yield fn(value);
  }
}
