import {
  InterceptingCall,
  type InterceptingListener,
  type Interceptor,
  ListenerBuilder,
  Metadata,
  RequesterBuilder,
  type StatusObject,
} from "@grpc/grpc-js";
import { createTransportAdapter, type TransportCall, type TransportFailure } from "@szcrypt/core/adapter";
import { headerOf, methodOf, type SzcryptGrpcOptions } from "./options.js";
import { toStatus, unknownMethodFailure } from "./status.js";

/**
 * A grpc-js client interceptor that encrypts the sensitive fields of every
 * request and decrypts those of every response, for unary and streaming calls.
 *
 * Fails closed: a request that cannot be encrypted fails the call locally and
 * nothing is sent; a response that cannot be decrypted fails the call with
 * `INTERNAL` and is never handed to the caller. The caller's request objects
 * are never modified.
 *
 * ```ts
 * const client = createGrpcClient(PaymentService, target, credentials.createInsecure(), {
 *   interceptors: [createClientInterceptor({ key: process.env.SZCRYPT_KEY })],
 * });
 * ```
 *
 * @throws SzcryptError KEY_UNAVAILABLE or KEY_INVALID when created without a usable key.
 */
export function createClientInterceptor(options: SzcryptGrpcOptions = {}): Interceptor {
  const adapter = createTransportAdapter(options, "client");
  return (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const method = methodOf(adapter, definition.requestSerialize, definition.path);
    const plan = method === undefined ? undefined : adapter.plan(method);
    if (plan === undefined ? adapter.passesUnknown(definition.path) : plan.clear) {
      return new InterceptingCall(nextCall(callOptions));
    }
    const call = nextCall(callOptions);
    // Started with the outgoing metadata, which keyForCall and context read.
    let crypt: TransportCall | undefined;
    // true once the call's keyring is resolved; a promise while keyForCall runs; false after a failure.
    let ready: boolean | Promise<boolean> = false;
    let upstream: InterceptingListener | undefined;
    let failure: StatusObject | undefined;
    const fail = (cause: TransportFailure) => {
      if (failure !== undefined) {
        return;
      }
      const status = toStatus(cause);
      const failed: StatusObject = { code: status.code, details: status.details, metadata: new Metadata() };
      failure = failed;
      adapter.report(status.error, definition.path);
      call.cancelWithStatus(status.code, status.details);
      process.nextTick(() => upstream?.onReceiveStatus(failed));
    };
    // Runs `step` once the keyring is known, in the order steps were asked for.
    const whenReady = (step: () => void): void => {
      if (ready === true) {
        step();
      } else if (ready !== false) {
        void ready.then((ok) => {
          if (ok && failure === undefined) {
            step();
          }
        });
      }
    };
    // A request encrypted and sent, or dropped after `fail`.
    const send = (message: unknown, next: (message: unknown) => void): void => {
      const encrypted = crypt?.request(message, fail);
      if (encrypted !== undefined) {
        next(encrypted);
      }
    };
    const requester = new RequesterBuilder()
      .withStart((metadata, listener, next) => {
        upstream = listener;
        const inner = new ListenerBuilder()
          .withOnReceiveMessage((message, nextMessage) => {
            if (failure !== undefined || crypt === undefined) {
              return;
            }
            if (message === null || message === undefined) {
              nextMessage(message);
              return;
            }
            const plain = crypt.response(message, fail);
            if (plain !== undefined) {
              nextMessage(plain);
            }
          })
          .withOnReceiveStatus((status, nextStatus) => {
            if (failure === undefined) {
              nextStatus(status);
            }
          })
          .build();
        next(metadata, inner);
        if (plan === undefined) {
          fail(unknownMethodFailure(definition.path));
          return;
        }
        crypt = adapter.startCall(plan, { header: (name) => headerOf(metadata, name) });
        // Messages wait for the keyring (see whenReady): none is sent before it is known.
        ready = crypt.prepare(fail);
      })
      .withSendMessage((message, next) => {
        if (failure !== undefined) {
          return;
        }
        // Once the keyring is known (the common case), no closure per message.
        if (ready === true) {
          send(message, next);
        } else {
          whenReady(() => send(message, next));
        }
      })
      .withHalfClose((next) => {
        if (failure === undefined) {
          whenReady(next);
        }
      })
      .build();
    return new InterceptingCall(call, requester);
  };
}
