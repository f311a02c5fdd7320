import { status as Status } from "@grpc/grpc-js";
import { SzcryptError } from "@szcrypt/core";
import type { FailureKind, TransportFailure } from "@szcrypt/core/adapter";

/** A gRPC status szcrypt ends a call with. Details never hold a key, plaintext or ciphertext. */
export interface SzcryptStatus {
  readonly code: Status;
  readonly details: string;
  readonly error: SzcryptError;
}

const CODES: Record<FailureKind, Status> = {
  invalid_argument: Status.INVALID_ARGUMENT,
  internal: Status.INTERNAL,
  failed_precondition: Status.FAILED_PRECONDITION,
};

/** The gRPC status of a failure. */
export function toStatus(failure: TransportFailure): SzcryptStatus {
  return { code: CODES[failure.kind], details: failure.message, error: failure.error };
}

/**
 * A method szcrypt has no schema for: it cannot know which fields to protect.
 * Only grpc-js sees such calls (a service definition not made by
 * `createGrpcServiceDefinition`); Connect always hands over the schema.
 */
export function unknownMethodFailure(path: string): TransportFailure {
  const error = new SzcryptError(
    "CONFIG_INVALID",
    `szcrypt has no protobuf schema for ${path}: define the service with its protobuf-es descriptor, ` +
      "list it in the interceptor's `services`, or, if it has nothing to protect, list its path in `unknownMethods: { pass: [...] }`",
  );
  return { kind: "failed_precondition", message: `szcrypt: ${error.message}`, error };
}
