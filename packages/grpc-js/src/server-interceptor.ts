import { Metadata, ResponderBuilder, ServerInterceptingCall, type ServerInterceptor, ServerListenerBuilder } from "@grpc/grpc-js";
import { report } from "./client-interceptor.js";
import { resolveOptions, type SzcryptGrpcOptions } from "./options.js";
import { asMessage } from "./service-definition.js";
import { decryptStatus, encryptStatus, type SzcryptStatus, unknownMethodStatus } from "./status.js";

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
  const ctx = resolveOptions(options);
  return (methodDescriptor, call) => {
    const method = ctx.methodFor(methodDescriptor.requestDeserialize, methodDescriptor.path);
    if (
      (method === undefined && ctx.passUnknown(methodDescriptor.path)) ||
      (method !== undefined && ctx.nothingToProtect(method, methodDescriptor.path))
    ) {
      return new ServerInterceptingCall(call);
    }
    const policy = ctx.cryptoFor(methodDescriptor.path);
    // Observed from the request's metadata on, which carries the caller's trace context.
    let crypto = policy;
    let failed = false;
    // Ends the call from here, below the handler: later messages and statuses
    // from the handler are dropped. A hook that threw instead would hang the call.
    const reject = (status: SzcryptStatus) => {
      if (failed) {
        return;
      }
      failed = true;
      report(ctx, status, methodDescriptor.path, "server");
      call.sendStatus({ code: status.code, details: status.details, metadata: new Metadata() });
    };
    const listener = new ServerListenerBuilder()
      .withOnReceiveMetadata((metadata, next) => {
        if (method === undefined) {
          reject(unknownMethodStatus(methodDescriptor.path));
          return;
        }
        crypto = ctx.telemetry.forCall(policy, method, "server", (name) => {
          const value = metadata.get(name)[0];
          return typeof value === "string" ? value : undefined;
        });
        const schemaError = ctx.schemaError(method, methodDescriptor.path);
        if (schemaError !== undefined) {
          reject(encryptStatus(schemaError, "response"));
          return;
        }
        next(metadata);
      })
      .withOnReceiveMessage((message, next) => {
        if (failed || method === undefined) {
          return;
        }
        let plain: unknown;
        try {
          plain = crypto.decryptMessage(method.input, message);
        } catch (err) {
          reject(decryptStatus(err, "request"));
          return;
        }
        next(plain);
      })
      .withOnReceiveHalfClose((next) => {
        if (!failed) {
          next();
        }
      })
      .build();
    const responder = new ResponderBuilder()
      .withStart((next) => next(listener))
      .withSendMessage((message, next) => {
        if (failed || method === undefined) {
          return;
        }
        let encrypted: unknown;
        try {
          encrypted = crypto.encryptMessage(method.output, asMessage(method.output, message) as never);
        } catch (err) {
          reject(encryptStatus(err, "response"));
          return;
        }
        next(encrypted);
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
