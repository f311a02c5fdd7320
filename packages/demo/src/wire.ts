// Taps that record messages as they cross the wire, outside szcrypt's interceptors.
import { InterceptingCall, type Interceptor, ServerInterceptingCall, type ServerInterceptor } from "@grpc/grpc-js";
import type { Payment } from "@szcrypt/example";

/** Server tap: must come first in the server's interceptors, so it sees requests before szcrypt decrypts them. */
export function serverWireTap(seen: Payment[]): ServerInterceptor {
  return (_method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            seen.push(message as Payment);
            nextMessage(message);
          },
        }),
    });
}

/** Client tap: must come last in the client's interceptors, so it sees responses before szcrypt decrypts them. */
export function clientWireTap(seen: Payment[]): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start: (metadata, _listener, next) =>
        next(metadata, {
          onReceiveMessage: (message, nextMessage) => {
            if (message !== null && typeof message === "object" && "cardNumber" in message) {
              seen.push(message as Payment);
            }
            nextMessage(message);
          },
        }),
    });
}
