import { isSzcryptError } from "@szcrypt/core";

/** Exit codes of `szcrypt`: stable, one per kind of failure, documented in --help. */
export const EXIT = {
  OK: 0,
  DECRYPT_FAILED: 1,
  USAGE: 2,
  KEY: 3,
  MALFORMED: 4,
  INVALID_PLAINTEXT: 5,
  LINT_ERRORS: 6,
  IO: 7,
  PROTO_COMPILE: 8,
} as const;

export const exitCodeHelp = `
Exit codes:
  0  success
  1  the token does not decrypt with this key (one message for every cause)
  2  bad usage: unknown option, missing argument, a context outside its limits
     or with legacy-cbc, a context-bound token decrypted without --context
  3  no usable key: SZCRYPT_KEY unset or unreadable, bad key spec or key file
  4  the input is not a token (or not JSON with --json)
  5  the plaintext cannot be encrypted faithfully (a lone UTF-16 surrogate)
  6  lint found invalid (sz.crypt.v1.sensitive) annotations
  7  a file or tool could not be read or run
  8  lint: the .proto files do not compile`;

/** A failure the CLI reports with a message and an exit code. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** The exit code and message for anything a command threw. Messages never hold key material or plaintext. */
export function describeFailure(err: unknown): { code: number; message: string } {
  if (err instanceof CliError) {
    return { code: err.exitCode, message: err.message };
  }
  if (isSzcryptError(err)) {
    const code =
      err.code === "DECRYPT_FAILED"
        ? EXIT.DECRYPT_FAILED
        : err.code === "KEY_INVALID" || err.code === "KEY_UNAVAILABLE"
          ? EXIT.KEY
          : err.code === "MALFORMED"
            ? EXIT.MALFORMED
            : err.code === "INVALID_PLAINTEXT"
              ? EXIT.INVALID_PLAINTEXT
              : err.code === "SCHEMA_INVALID"
                ? EXIT.LINT_ERRORS
                : EXIT.USAGE;
    const hint =
      err.code === "DECRYPT_FAILED"
        ? " (if every token from a peer fails, compare `szcrypt fingerprint` on both sides: the keys or their readings differ)"
        : "";
    return { code, message: `${err.code}: ${err.message}${hint}` };
  }
  return { code: EXIT.IO, message: err instanceof Error ? err.message : String(err) };
}
