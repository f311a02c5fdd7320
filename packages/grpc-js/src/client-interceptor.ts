import type { DescMethod } from "@bufbuild/protobuf";
import {
  InterceptingCall,
  type InterceptingListener,
  type Interceptor,
  ListenerBuilder,
  Metadata,
  RequesterBuilder,
  type StatusObject,
} from "@grpc/grpc-js";
import type { FieldCrypto } from "@szcrypt/core";
import { type InterceptorContext, resolveOptions, type SzcryptGrpcOptions } from "./options.js";
import { asMessage } from "./service-definition.js";
import { decryptStatus, encryptStatus, type SzcryptStatus, unknownMethodStatus } from "./status.js";

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
  const ctx = resolveOptions(options);
  return (callOptions, nextCall) => {
    const definition = callOptions.method_definition;
    const method = ctx.methodFor(definition.requestSerialize, definition.path);
    if (
      (method === undefined && ctx.passUnknown(definition.path)) ||
      (method !== undefined && ctx.nothingToProtect(method, definition.path))
    ) {
      return new InterceptingCall(nextCall(callOptions));
    }
    const policy = ctx.cryptoFor(definition.path);
    const crypto = method === undefined ? policy : ctx.telemetry.forCall(policy, method, "client");
    const call = nextCall(callOptions);
    // grpc-js holds a call's status until the last message's `next` runs, so a
    // message szcrypt drops would hold it forever: on failure the status goes
    // straight to the caller's listener, and whatever arrives later is dropped.
    let upstream: InterceptingListener | undefined;
    let failure: StatusObject | undefined;
    const fail = (status: SzcryptStatus) => {
      if (failure !== undefined) {
        return;
      }
      const failed: StatusObject = { code: status.code, details: status.details, metadata: new Metadata() };
      failure = failed;
      report(ctx, status, definition.path);
      call.cancelWithStatus(status.code, status.details);
      // Next tick: a caller's callback never runs inside its own call to the client.
      process.nextTick(() => upstream?.onReceiveStatus(failed));
    };
    const requester = new RequesterBuilder()
      .withStart((metadata, listener, next) => {
        upstream = listener;
        const inner = new ListenerBuilder()
          .withOnReceiveMessage((message, nextMessage) => {
            if (failure !== undefined || method === undefined) {
              return;
            }
            if (message === null || message === undefined) {
              // grpc-js's unary calls report "no message" this way before a status.
              nextMessage(message);
              return;
            }
            let plain: unknown;
            try {
              plain = crypto.decryptMessage(method.output, message);
            } catch (err) {
              fail(decryptStatus(err, "response"));
              return;
            }
            nextMessage(plain);
          })
          .withOnReceiveStatus((status, nextStatus) => {
            if (failure === undefined) {
              nextStatus(status);
            }
          })
          .build();
        next(metadata, inner);
        if (method === undefined) {
          fail(unknownMethodStatus(definition.path));
        }
      })
      .withSendMessage((message, next) => {
        if (failure !== undefined || method === undefined) {
          return;
        }
        const encrypted = encryptRequest(crypto, method, message, fail);
        if (encrypted !== undefined) {
          next(encrypted);
        }
      })
      .withHalfClose((next) => {
        if (failure === undefined) {
          next();
        }
      })
      .build();
    return new InterceptingCall(call, requester);
  };
}

function encryptRequest(crypto: FieldCrypto, method: DescMethod, message: unknown, fail: (s: SzcryptStatus) => void): unknown {
  try {
    return crypto.encryptMessage(method.input, asMessage(method.input, message) as never);
  } catch (err) {
    fail(encryptStatus(err, "request"));
    return undefined;
  }
}

/** @internal */
export function report(ctx: InterceptorContext, status: SzcryptStatus, method: string, side: "client" | "server" = "client"): void {
  try {
    ctx.onError?.(status.error, { method, side });
  } catch {
    // A logging hook must not break the call.
  }
}
