import type { DescMessage, DescService, MessageShape } from "@bufbuild/protobuf";
import { create, isMessage } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import {
  compileServicePlans,
  createFieldPolicy,
  createTelemetry,
  decryptFailure,
  encryptFailure,
  type FieldCrypto,
  type FieldPolicyOptions,
  type SzcryptError,
  type TelemetryOptions,
  type TransportFailure,
} from "@szcrypt/core";

export interface SzcryptConnectOptions extends FieldPolicyOptions {
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
  readonly onError?: (error: SzcryptError, context: { readonly method: string; readonly side: "client" | "server" }) => void;
  /**
   * Where szcrypt's OpenTelemetry metrics and spans go. Default: the providers
   * registered with `@opentelemetry/api`; with none, nothing is recorded.
   */
  readonly telemetry?: TelemetryOptions;
}

const CODES: Record<TransportFailure["kind"], Code> = {
  invalid_argument: Code.InvalidArgument,
  internal: Code.Internal,
  failed_precondition: Code.FailedPrecondition,
};

type Side = "client" | "server";
type Step = (crypto: FieldCrypto, schema: DescMessage, message: MessageShape<DescMessage>) => MessageShape<DescMessage>;

const encrypt: Step = (crypto, schema, message) => crypto.encryptMessage(schema, message);
const decrypt: Step = (crypto, schema, message) => crypto.decryptMessage(schema, message);

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

function makeInterceptor(options: SzcryptConnectOptions, side: Side): Interceptor {
  const policy = createFieldPolicy(options);
  compileServicePlans(options.services ?? []);
  const telemetry = createTelemetry(options.telemetry);
  // The client encrypts what it sends; the server decrypts what it receives.
  const outbound = side === "client" ? encrypt : decrypt;
  const inbound = side === "client" ? decrypt : encrypt;
  return (next) => async (req) => {
    const path = `/${req.service.typeName}/${req.method.name}`;
    const crypto = telemetry.forCall(
      policy.cryptoFor(path),
      req.method,
      side,
      side === "server" ? (name) => req.header.get(name) ?? undefined : undefined,
    );
    const fail = (failure: TransportFailure): ConnectError => {
      try {
        options.onError?.(failure.error, { method: path, side });
      } catch {
        // A logging hook must not break the call.
      }
      return new ConnectError(failure.message, CODES[failure.kind]);
    };
    try {
      // Both sides' plans before anything moves: no handler runs for a method
      // whose response could never be encrypted.
      crypto.plan(req.method.input);
      crypto.plan(req.method.output);
    } catch (err) {
      throw fail(encryptFailure(err, "request"));
    }
    const onRequest = (message: MessageShape<DescMessage>) => {
      try {
        return outbound(crypto, req.method.input, asMessage(req.method.input, message));
      } catch (err) {
        throw fail(side === "client" ? encryptFailure(err, "request") : decryptFailure(err, "request"));
      }
    };
    const onResponse = (message: MessageShape<DescMessage>) => {
      try {
        return inbound(crypto, req.method.output, asMessage(req.method.output, message));
      } catch (err) {
        throw fail(side === "client" ? decryptFailure(err, "response") : encryptFailure(err, "response"));
      }
    };
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

function asMessage(schema: DescMessage, value: unknown): MessageShape<DescMessage> {
  return isMessage(value, schema) ? value : create(schema, value as never);
}
