import { isSzcryptError, type Szc1ContextPart } from "@szcrypt/core";
import type { Command } from "commander";
import { CliError, EXIT } from "./exit-codes.js";

/** The context options of one command, once parsed. */
export interface ContextOptions {
  /** The parts in command-line order, `--context` and `--context-hex` mixed; undefined when neither was given. */
  parts(): readonly Szc1ContextPart[] | undefined;
}

/**
 * Adds `--context PART` and `--context-hex HEX` (both repeatable) to a command.
 * Both feed one list, so the parts keep the order they were given in, whichever
 * option gave them: the order is part of what the value is bound to.
 */
export function addContextOptions(cmd: Command): ContextOptions {
  const parts: Szc1ContextPart[] = [];
  let given = false;
  const push = (part: Szc1ContextPart) => {
    given = true;
    parts.push(part);
    return parts;
  };
  cmd
    .option(
      "--context <part>",
      "szc1: one part of the context the value is bound to, as text (its UTF-8), e.g. a tenant id then a record id; repeat for each part, in order",
      (value: string) => push(value),
    )
    .option(
      "--context-hex <hex>",
      "szc1: one context part as hex, for binary parts; mixes with --context in the order given",
      (value: string) => {
        if (!/^(?:[0-9a-fA-F]{2})*$/.test(value)) {
          // The value is not quoted: context parts may be record ids a log should not hold.
          throw new CliError(`--context-hex (part ${parts.length + 1}) expects an even number of hex digits`, EXIT.USAGE);
        }
        return push(Buffer.from(value, "hex"));
      },
    );
  return { parts: () => (given ? parts : undefined) };
}

/**
 * Runs an szc1 operation under the command-line context, turning core's
 * context errors into the CLI's: a context outside SPEC.md's limits (bad usage,
 * naming the limit), and a context-bound token decrypted without `--context`.
 * Never quotes a part, a token or a plaintext.
 */
export function withContextErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isSzcryptError(err, "CONFIG_INVALID")) {
      throw new CliError(`--context/--context-hex: ${err.rawMessage}`, EXIT.USAGE);
    }
    if (isSzcryptError(err, "CONTEXT_REQUIRED")) {
      throw new CliError(
        "CONTEXT_REQUIRED: this token is context-bound: pass the same --context parts it was made with (`szcrypt inspect` shows whether a token is bound)",
        EXIT.USAGE,
      );
    }
    throw err;
  }
}
