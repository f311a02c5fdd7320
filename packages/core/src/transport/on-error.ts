import type { SzcryptError } from "../errors/szcrypt-error.js";

/** Which end of a call a transport's interceptor is on. */
export type TransportSide = "client" | "server";

/** What `onError` is told about the call that failed. */
export interface ErrorContext {
  /** The call's gRPC path, `/package.Service/Method`. */
  readonly method: string;
  readonly side: TransportSide;
}

/**
 * A service's hook for the errors szcrypt turns into statuses, for its logs.
 * Errors never hold a key, a plaintext or a ciphertext. A hook that throws
 * does not change the call's outcome (see {@link reportError}).
 */
export type OnError = (error: SzcryptError, context: ErrorContext) => void;

/**
 * Hands `error` to the service's `onError` hook, if any, so that the hook
 * cannot break the call: whatever it throws is dropped, and so is the
 * rejection of an async hook; the transport goes on to end the call with the
 * status it was going to send.
 */
export function reportError(onError: OnError | undefined, error: SzcryptError, context: ErrorContext): void {
  if (onError === undefined) {
    return;
  }
  try {
    const result: unknown = onError(error, context);
    if (result instanceof Promise) {
      // An async hook (a remote log sink) that rejects would be an unhandled
      // rejection, which ends a Node process by default.
      result.catch(() => undefined);
    }
  } catch {
    // A logging hook must not break the call.
  }
}
