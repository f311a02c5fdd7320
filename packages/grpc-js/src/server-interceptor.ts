import { Metadata, ResponderBuilder, ServerInterceptingCall, type ServerInterceptor, ServerListenerBuilder } from "@grpc/grpc-js";
import { createTransportAdapter, encryptFailure, type TransportCall, type TransportFailure } from "@szcrypt/core/adapter";
import { headerOf, methodOf, type SzcryptGrpcOptions } from "./options.js";
import { toStatus, unknownMethodFailure } from "./status.js";

/**
 * A grpc-js server interceptor (grpc-js 1.10 or later) that decrypts the
 * sensitive fields of every request before the handler sees it and encrypts
 * those of every response, for unary and streaming methods.
 *
 * Fails closed: a request that cannot be decrypted is answered with
 * `INVALID_ARGUMENT` naming the field path, the same status and message
 * whatever the cause, and never reaches the handler; a response that cannot
 * be encrypted ends the call with `INTERNAL` and is never sent.
 *
 * ```ts
 * const server = new Server({ interceptors: [createServerInterceptor()] });
 * server.addService(createGrpcServiceDefinition(PaymentService), handlers);
 * ```
 *
 * @throws SzcryptError KEY_UNAVAILABLE or KEY_INVALID when created without a usable key.
 */
export function createServerInterceptor(options: SzcryptGrpcOptions = {}): ServerInterceptor {
  const adapter = createTransportAdapter(options, "server");
  return (methodDescriptor, call) => {
    const method = methodOf(adapter, methodDescriptor.requestDeserialize, methodDescriptor.path);
    const plan = method === undefined ? undefined : adapter.plan(method);
    if (plan === undefined ? adapter.passesUnknown(methodDescriptor.path) : plan.clear) {
      return new ServerInterceptingCall(call);
    }
    // Started from the request's metadata on, which carries the caller's trace context.
    let crypt: TransportCall | undefined;
    let failed = false;
    // true once the call's keyring is resolved; a promise while keyForCall runs.
    let ready: boolean | Promise<boolean> = false;
    // Runs `step` once the keyring is known, in the order steps were asked for.
    const whenReady = (step: () => void): void => {
      if (ready === true) {
        step();
      } else if (ready !== false) {
        void ready.then((ok) => {
          if (ok && !failed) {
            step();
          }
        });
      }
    };
    // Ends the call from here, below the handler: later messages and statuses
    // from the handler are dropped. A hook that threw instead would hang the call.
    const reject = (failure: TransportFailure) => {
      if (failed) {
        return;
      }
      failed = true;
      const status = toStatus(failure);
      adapter.report(status.error, methodDescriptor.path);
      call.sendStatus({ code: status.code, details: status.details, metadata: new Metadata() });
    };
    // A request decrypted and handed on, or dropped after `reject`.
    const receive = (current: TransportCall, message: unknown, next: (message: unknown) => void): void => {
      const plain = current.request(message, reject);
      if (plain !== undefined) {
        next(plain);
      }
    };
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (plan === undefined) {
          reject(unknownMethodFailure(methodDescriptor.path));
          return;
        }
        crypt = adapter.startCall(plan, {
          header: (name) => headerOf(metadata, name),
          // Read only by keyForCall and context: grpc-js builds it from the socket at each call.
          get peer() {
            return call.getPeer();
          },
        });
        const schemaError = plan.schemaError();
        if (schemaError !== undefined) {
          reject(encryptFailure(schemaError, "response"));
          return;
        }
        // The handler starts only once the call's keyring is known: a failed
        // lookup ends the call before any handler runs.
        ready = crypt.prepare(reject);
        whenReady(() => next(metadata));
      })
      .withOnReceiveMessage((message, next) => {
        if (failed || crypt === undefined) {
          return;
        }
        const current = crypt;
        // Once the keyring is known (the common case), no closure per message.
        if (ready === true) {
          receive(current, message, next);
        } else {
          whenReady(() => receive(current, message, next));
        }
      })
      .withOnReceiveHalfClose((next) => {
        if (!failed) {
          whenReady(next);
        }
      })
      .build();
    const responder = new ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendMessage((message, next) => {
        if (failed || crypt === undefined) {
          return;
        }
        const encrypted = crypt.response(message, reject);
        if (encrypted !== undefined) {
          next(encrypted);
        }
      })
      .withSendStatus((status, next) => {
        if (!failed) {
          next(status);
        }
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}
