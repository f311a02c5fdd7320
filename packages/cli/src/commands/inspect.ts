import { describeToken, isSzcryptError, type TokenInfo } from "@szcrypt/core";
import type { Command } from "commander";
import { CliError, EXIT } from "../exit-codes.js";
import { inputText } from "../io.js";

export type { TokenInfo } from "@szcrypt/core";

/**
 * What a token is, read without any key, by core's own token parsing (the one
 * decryption uses): a token core would refuse is refused here too, and every
 * string in the answer (the key id) is validated, so printing it is safe.
 */
export function inspectToken(text: string, hex: boolean): TokenInfo {
  let token: string | Uint8Array = text;
  if (hex) {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) {
      throw new CliError("not a szcrypt token: --hex expects an even number of hex digits", EXIT.MALFORMED);
    }
    token = Buffer.from(text, "hex");
  }
  try {
    return describeToken(token);
  } catch (err) {
    if (isSzcryptError(err, "MALFORMED")) {
      // Core's message describes the shape, never the input.
      const hint = text.trim() !== text ? " (the text has spaces or line breaks around it, which no token has)" : "";
      throw new CliError(`not a szcrypt token: ${err.rawMessage}${hint}`, EXIT.MALFORMED);
    }
    throw err;
  }
}

export function inspectCommand(program: Command): void {
  program
    .command("inspect")
    .description("say what a token is (format, key id, sizes) without decrypting it: no key needed")
    .argument("[token]", "the token; read from stdin when left out")
    .option("--hex", "the token is a bytes field's raw value, as hex")
    .option("--json", "print JSON")
    .action(async (token: string | undefined, opts: { hex?: boolean; json?: boolean }) => {
      // Not trimmed: a token with spaces around it is no token to core either (stdin's newline is already gone).
      const info = inspectToken(await inputText(token, "token"), opts.hex === true);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(info)}\n`);
        return;
      }
      const plain =
        typeof info.plaintextBytes === "number"
          ? `${info.plaintextBytes} bytes`
          : `${info.plaintextBytes[0]} to ${info.plaintextBytes[1]} bytes (padding hides the exact length)`;
      const lines = [
        `format      ${info.format} (${info.form === "text" ? "string field" : "bytes field"}${info.format === "legacy-cbc" ? ", unauthenticated" : ", authenticated"})`,
        ...(info.keyId === undefined ? [] : [`key id      ${info.keyId}`]),
        ...(info.contextBound === undefined
          ? []
          : [
              `context     ${info.contextBound ? "bound: decrypting needs the same context (e.g. tenant, record) as the sender" : "none (unbound)"}`,
            ]),
        `size        ${info.bytes} bytes: ${info.format === "szc1" ? `header ${info.headerBytes} (magic, flags, key id), nonce ${info.nonceBytes}, ciphertext ${info.ciphertextBytes}, tag ${info.tagBytes}` : `IV ${info.ivBytes}, ciphertext ${info.ciphertextBytes} (${info.ciphertextBytes / (info.ivBytes ?? 16)} blocks)`}`,
        `plaintext   ${plain}`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
