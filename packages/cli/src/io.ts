import { isUtf8 } from "node:buffer";
import { DEFAULT_KEY_ENV, fileKeyProvider, type Keyring, keyringFromEnv } from "@szcrypt/core";
import type { Command } from "commander";
import { CliError, EXIT } from "./exit-codes.js";

export interface KeyOptions {
  readonly keyFile?: string;
  readonly keyEnv: string;
}

/** --key-file and --key-env, the same on every command that needs a key. */
export function keyOptions(cmd: Command): Command {
  return cmd
    .option("--key-file <path>", "read the key spec or keyring JSON from this file (default: the environment variable)")
    .option("--key-env <name>", "environment variable holding the key spec or keyring JSON", DEFAULT_KEY_ENV);
}

/**
 * The keyring from --key-file, else from the environment variable (SZCRYPT_KEY),
 * read as every szcrypt component reads it (keyringFromEnv).
 * Never from a command-line argument: argv shows in `ps` and shell history.
 */
export function loadKeys(options: KeyOptions): Keyring {
  if (options.keyFile !== undefined) {
    const provider = fileKeyProvider(options.keyFile);
    provider.close();
    return provider.current();
  }
  return keyringFromEnv(options.keyEnv);
}

/** The text argument, or all of stdin. One trailing newline from stdin is dropped unless `keepNewline`. */
export async function inputText(arg: string | undefined, what: string, keepNewline = false): Promise<string> {
  if (arg !== undefined) {
    return arg;
  }
  if (process.stdin.isTTY) {
    throw new CliError(`give the ${what} as an argument or on stdin`, EXIT.USAGE);
  }
  const chunks: Buffer[] = [];
  try {
    // A stream, not readFileSync(0): a pipe from a process still writing is non-blocking and fails with EAGAIN.
    for await (const chunk of process.stdin) {
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    throw new CliError(`cannot read stdin: ${(err as Error).message}`, EXIT.IO);
  }
  const bytes = Buffer.concat(chunks);
  if (!isUtf8(bytes)) {
    // Decoding would quietly turn the invalid bytes into U+FFFD and encrypt something else.
    throw new CliError(`stdin is not UTF-8 text, so the ${what} cannot be read faithfully`, EXIT.INVALID_PLAINTEXT);
  }
  const text = bytes.toString("utf8");
  return keepNewline ? text : text.replace(/\r?\n$/, "");
}
