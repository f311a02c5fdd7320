import { isSzcryptError, SzcryptError } from "../errors/szcrypt-error.js";

/**
 * The status a failed call ends with, named as gRPC and Connect name it
 * (`INVALID_ARGUMENT`/`Code.InvalidArgument`, …). A transport maps each to its
 * own code with a table of three entries, e.g. for grpc-js:
 *
 * ```ts
 * const CODES: Record<FailureKind, status> = {
 *   invalid_argument: status.INVALID_ARGUMENT,
 *   internal: status.INTERNAL,
 *   failed_precondition: status.FAILED_PRECONDITION,
 * };
 * ```
 */
export type FailureKind = "invalid_argument" | "internal" | "failed_precondition";

/** Which message of a call failed. */
export type MessageDirection = "request" | "response";

/**
 * How a transport should end a call that szcrypt could not process, in terms
 * every RPC framework has: gRPC's and Connect's codes of the same names.
 * Transports map `kind` to their own code type; `message` is the same for all,
 * so two transports answer the same failure with the same status and text.
 */
export interface TransportFailure {
  readonly kind: FailureKind;
  /** For the status: never a key, a plaintext or a ciphertext. */
  readonly message: string;
  /** For the service's own logs (through an onError hook). */
  readonly error: SzcryptError;
}

/**
 * A message that could not be decrypted: one kind and one message per field
 * path, whatever the cause (bad padding or tag, wrong key, bad UTF-8, a
 * plaintext where ciphertext belongs). A request the server cannot decrypt is
 * the caller's to fix; a response the client cannot decrypt means the two
 * sides do not share a key or format.
 */
export function decryptFailure(err: unknown, where: MessageDirection): TransportFailure {
  const error = asSzcryptError(err);
  if (error.code === "UNSUPPORTED_MESSAGE") {
    return unsupportedFailure(error, where);
  }
  if (error.code === "CONTEXT_REQUIRED")
    return { kind: where === "request" ? "failed_precondition" : "internal", message: `szcrypt: ${error.message}`, error };
  if (error.code !== "DECRYPT_FAILED") {
    return configFailure(error);
  }
  return {
    kind: where === "request" ? "invalid_argument" : "internal",
    message: `szcrypt: ${where} ${fieldOf(error)} could not be decrypted`,
    error,
  };
}

/**
 * A message that could not be encrypted: nothing was sent. Also the failure
 * for a method whose request or response type has an invalid annotation
 * (its plan does not compile), which is the service's to fix.
 */
export function encryptFailure(err: unknown, where: MessageDirection): TransportFailure {
  const error = asSzcryptError(err);
  if (error.code === "UNSUPPORTED_MESSAGE") {
    return unsupportedFailure(error, where);
  }
  if (error.code !== "INVALID_PLAINTEXT") {
    return configFailure(error);
  }
  return {
    kind: where === "request" ? "invalid_argument" : "internal",
    message: `szcrypt: ${where} ${fieldOf(error)} could not be encrypted, so nothing was sent: ${error.rawMessage}`,
    error,
  };
}

/**
 * A message szcrypt refuses to walk (an Any it cannot resolve, nesting over
 * the limit): the sender's message is at fault, so a request is the caller's
 * to fix and a response is the service's.
 */
function unsupportedFailure(error: SzcryptError, where: MessageDirection): TransportFailure {
  return {
    kind: where === "request" ? "invalid_argument" : "internal",
    message: `szcrypt: ${where} refused: ${error.message}`,
    error,
  };
}

function fieldOf(error: SzcryptError): string {
  return error.fieldPath === undefined ? "a sensitive field" : `sensitive field ${error.fieldPath} (${error.fieldName})`;
}

function configFailure(error: SzcryptError): TransportFailure {
  // Key, schema and configuration problems: the service is misconfigured.
  return { kind: "failed_precondition", message: `szcrypt: ${error.message}`, error };
}

function asSzcryptError(err: unknown): SzcryptError {
  if (isSzcryptError(err)) {
    return err;
  }
  // Not ours: a bug, or a value create() refused. Its message could quote the
  // caller's value, and onError reports go to logs: keep only its type.
  return new SzcryptError("CONFIG_INVALID", `the message could not be processed (${err instanceof Error ? err.name : typeof err})`);
}
