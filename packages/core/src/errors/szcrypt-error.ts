import type { SzcryptErrorCode } from "./code.js";

/**
 * The one message every decryption failure carries, whatever its cause.
 *
 * @internal
 */
export const DECRYPT_FAILED_MESSAGE = "decryption failed";

/** What a {@link SzcryptError} carries besides its code and message. */
export interface SzcryptErrorOptions {
  /**
   * Detail for the process's own logs. Never set for DECRYPT_FAILED: the
   * cause of a decryption failure is exactly what must not leak. The one
   * exception is the oracle guard's DECRYPT_REFUSED, which says nothing of the
   * key or the plaintext, only that the value was not decrypted at all.
   */
  readonly cause?: unknown;
  /** Full protobuf name of the field involved, e.g. `sz.examples.v1.Payment.card_number`. */
  readonly fieldName?: string;
  /** Path from the root message to the value, e.g. `billing.line1` or `notes[2]`. */
  readonly fieldPath?: string;
}

/**
 * The error szcrypt raises for everything but wrong argument types at a public
 * boundary (those are `TypeError` / `RangeError`).
 *
 * Messages never contain a key, a plaintext or a ciphertext. They name the
 * field and, where there is one, the fix.
 *
 * @example
 * ```ts
 * try {
 *   decryptLegacy(token, key);
 * } catch (err) {
 *   if (isSzcryptError(err, "DECRYPT_FAILED")) {
 *     // one code and message whatever went wrong: never tell the caller more
 *   }
 *   throw err;
 * }
 * ```
 */
export class SzcryptError extends Error {
  override readonly name = "SzcryptError";
  readonly code: SzcryptErrorCode;
  /** The message without the field context prefixed by {@link SzcryptError.withField}. */
  readonly rawMessage: string;
  readonly fieldName: string | undefined;
  readonly fieldPath: string | undefined;

  constructor(code: SzcryptErrorCode, message: string, options: SzcryptErrorOptions = {}) {
    const context = formatContext(options.fieldPath, options.fieldName);
    super(context === "" ? message : `${message} ${context}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.rawMessage = message;
    this.fieldName = options.fieldName;
    this.fieldPath = options.fieldPath;
  }

  /**
   * A copy of this error that also names the field it happened in. Used while
   * an error travels up through nested messages, each level adding its part of
   * the path.
   */
  withField(fieldPath: string, fieldName: string | undefined): SzcryptError {
    const name = this.fieldName ?? fieldName;
    return new SzcryptError(this.code, this.rawMessage, {
      ...(this.cause === undefined ? {} : { cause: this.cause }),
      fieldPath,
      ...(name === undefined ? {} : { fieldName: name }),
    });
  }
}

function formatContext(fullPath: string | undefined, name: string | undefined): string {
  if (fullPath === undefined && name === undefined) {
    return "";
  }
  // A path through deep nesting can run to kilobytes: keep messages readable (fieldPath keeps it whole).
  const path = fullPath !== undefined && fullPath.length > 200 ? `${fullPath.slice(0, 100)}…${fullPath.slice(-80)}` : fullPath;
  if (path !== undefined && name !== undefined) {
    return `(field ${path}, ${name})`;
  }
  return `(field ${path ?? name})`;
}

/**
 * Whether `arg` is a {@link SzcryptError}. Checks the name and code rather than
 * `instanceof`, so it holds when two copies of this package are installed.
 *
 * @example
 * ```ts
 * if (isSzcryptError(err, "KEY_UNAVAILABLE")) console.error(err.message); // names the fix, never a key
 * ```
 */
export function isSzcryptError(arg: unknown, code?: SzcryptErrorCode): arg is SzcryptError {
  if (!(arg instanceof Error) || arg.name !== "SzcryptError" || !("code" in arg)) {
    return false;
  }
  return code === undefined || arg.code === code;
}

/**
 * The uniform decryption failure. Carries no cause by design.
 *
 * @internal
 */
export function decryptFailed(): SzcryptError {
  return new SzcryptError("DECRYPT_FAILED", DECRYPT_FAILED_MESSAGE);
}
