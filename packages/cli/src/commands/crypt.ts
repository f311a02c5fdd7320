import {
  decryptLegacy,
  decryptSzc1,
  encryptLegacy,
  encryptSzc1,
  isSzcryptError,
  parsePythonJson,
  pythonJsonDumps,
  SZC1_TEXT_PREFIX,
  SzcryptError,
} from "@szcrypt/core";
import { type Command, Option } from "commander";
import { CliError, EXIT } from "../exit-codes.js";
import { inputText, keyOptions, loadKeys } from "../io.js";

interface CryptOptions {
  format: "legacy-cbc" | "szc1";
  json?: boolean;
  field: string;
  keyFile?: string;
  keyEnv: string;
  keepNewline?: boolean;
}

export function encryptCommand(program: Command): void {
  keyOptions(
    program
      .command("encrypt")
      .description("encrypt text (an argument, or stdin) and print the token")
      .argument("[text]", "the plaintext; read from stdin when left out")
      .addOption(new Option("--format <format>", "token format").choices(["legacy-cbc", "szc1"]).default("legacy-cbc"))
      .option("--json", "the input is JSON: encrypt Python's json.dumps text of it, as the platform page does with dicts")
      .option("--field <name>", "szc1: the field's full protobuf name the token is bound to", "")
      .option("--keep-newline", "keep a trailing newline read from stdin"),
  ).action(async (text: string | undefined, opts: CryptOptions) => {
    let plaintext = await inputText(text, "plaintext", opts.keepNewline);
    if (opts.json) {
      let value: unknown;
      try {
        value = parsePythonJson(plaintext, { objects: "map", floats: "pyfloat" });
      } catch (err) {
        throw new CliError(
          `--json: the input is not JSON (${(err as SzcryptError).message.replace(/^not Python JSON: /, "")})`,
          EXIT.MALFORMED,
        );
      }
      plaintext = pythonJsonDumps(value as never);
    }
    const keys = loadKeys(opts);
    const token =
      opts.format === "szc1" ? encryptSzc1(plaintext, keys.primary, { fieldName: opts.field }) : encryptLegacy(plaintext, keys.legacy);
    process.stdout.write(`${token}\n`);
  });
}

export function decryptCommand(program: Command): void {
  keyOptions(
    program
      .command("decrypt")
      .description("decrypt a token (an argument, or stdin), legacy-cbc or szc1 by its form, and print the plaintext")
      .argument("[token]", "the token; read from stdin when left out")
      .option("--json", "the plaintext is JSON (a dict the page encrypted): check it parses as Python's json.loads would")
      .option("--field <name>", "szc1: the field's full protobuf name the token was bound to", ""),
  ).action(async (token: string | undefined, opts: CryptOptions) => {
    const text = (await inputText(token, "token")).trim();
    const keys = loadKeys(opts);
    const plaintext = text.startsWith(SZC1_TEXT_PREFIX) ? decryptSzc1Hinted(text, keys, opts.field) : decryptLegacy(text, keys.legacy);
    if (opts.json) {
      try {
        parsePythonJson(plaintext);
      } catch {
        throw new SzcryptError("DECRYPT_FAILED", "decryption failed");
      }
    }
    process.stdout.write(`${plaintext}\n`);
  });
}

/** szc1 binds a token to its field's name: a failure says so, since a missing --field is the likeliest cause. */
function decryptSzc1Hinted(text: string, keys: Parameters<typeof decryptSzc1>[1], field: string): string {
  try {
    return decryptSzc1(text, keys, { fieldName: field });
  } catch (err) {
    if (!isSzcryptError(err, "DECRYPT_FAILED")) {
      throw err;
    }
    const which = field === "" ? "no --field was given" : "check that --field is the name it was encrypted for";
    throw new CliError(
      `DECRYPT_FAILED: decryption failed (an szc1 token is bound to its field's full name and ${which}; ` +
        "if every token from a peer fails, compare `szcrypt fingerprint` on both sides)",
      EXIT.DECRYPT_FAILED,
    );
  }
}
