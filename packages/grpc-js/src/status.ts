import { status as Status } from "@grpc/grpc-js";
import { decryptFailure, encryptFailure, type SzcryptError, type TransportFailure, unknownMethodFailure } from "@szcrypt/core";

/** A gRPC status szcrypt ends a call with. Details never hold a key, plaintext or ciphertext. */
export interface SzcryptStatus {
  readonly code: Status;
  readonly details: string;
  readonly error: SzcryptError;
}

const CODES: Record<TransportFailure["kind"], Status> = {
  invalid_argument: Status.INVALID_ARGUMENT,
  internal: Status.INTERNAL,
  failed_precondition: Status.FAILED_PRECONDITION,
};

function toStatus(failure: TransportFailure): SzcryptStatus {
  return { code: CODES[failure.kind], details: failure.message, error: failure.error };
}

/** A message that could not be decrypted: the same status and message for every cause (no oracle). */
export const decryptStatus = (err: unknown, where: "request" | "response"): SzcryptStatus => toStatus(decryptFailure(err, where));
/** A message that could not be encrypted: nothing was sent. */
export const encryptStatus = (err: unknown, where: "request" | "response"): SzcryptStatus => toStatus(encryptFailure(err, where));
/** A method szcrypt has no schema for. */
export const unknownMethodStatus = (path: string): SzcryptStatus => toStatus(unknownMethodFailure(path));
