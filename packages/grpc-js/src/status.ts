import { status as Status } from "@grpc/grpc-js";
import { isSzcryptError, SzcryptError } from "@szcrypt/core";

/** A gRPC status szcrypt ends a call with. Details never hold a key, plaintext or ciphertext. */
export interface SzcryptStatus {
  readonly code: Status;
  readonly details: string;
  readonly error: SzcryptError;
}

type Where = "request" | "response";

/**
 * The status for a message that could not be decrypted: one code and one
 * message per field path, whatever the cause (bad padding, wrong key, bad
 * UTF-8, a plaintext where ciphertext belongs): no oracle.
 */
export function decryptStatus(err: unknown, where: Where): SzcryptStatus {
  const error = asSzcryptError(err);
  if (error.code !== "DECRYPT_FAILED") {
    return configStatus(error);
  }
  const field = error.fieldPath === undefined ? "a sensitive field" : `sensitive field ${error.fieldPath} (${error.fieldName})`;
  return {
    // A request the server cannot decrypt is the caller's to fix; a response the
    // client cannot decrypt means the two sides do not share a key or format.
    code: where === "request" ? Status.INVALID_ARGUMENT : Status.INTERNAL,
    details: `szcrypt: ${where} ${field} could not be decrypted`,
    error,
  };
}

/** The status for a message that could not be encrypted: nothing was sent. */
export function encryptStatus(err: unknown, where: Where): SzcryptStatus {
  const error = asSzcryptError(err);
  if (error.code !== "INVALID_PLAINTEXT") {
    return configStatus(error);
  }
  const field = error.fieldPath === undefined ? "a sensitive field" : `sensitive field ${error.fieldPath} (${error.fieldName})`;
  return {
    code: where === "request" ? Status.INVALID_ARGUMENT : Status.INTERNAL,
    details: `szcrypt: ${where} ${field} could not be encrypted, so nothing was sent: ${error.rawMessage}`,
    error,
  };
}

/** A method szcrypt has no schema for: it cannot know which fields to protect. */
export function unknownMethodStatus(path: string): SzcryptStatus {
  const error = new SzcryptError(
    "CONFIG_INVALID",
    `szcrypt has no protobuf schema for ${path}: define the service with createGrpcServiceDefinition(), ` +
      'list it in the interceptor\'s `services`, or set `unknownMethods: "pass"` for methods with nothing to protect',
  );
  return { code: Status.FAILED_PRECONDITION, details: `szcrypt: ${error.message}`, error };
}

function configStatus(error: SzcryptError): SzcryptStatus {
  // Key, schema and configuration problems: the service is misconfigured.
  return { code: Status.FAILED_PRECONDITION, details: `szcrypt: ${error.message}`, error };
}

function asSzcryptError(err: unknown): SzcryptError {
  if (isSzcryptError(err)) {
    return err;
  }
  // Not ours: a bug, or a value create() refused. Its message could quote the value, so it stays in `cause`.
  return new SzcryptError("CONFIG_INVALID", "the message could not be processed", { cause: err });
}
