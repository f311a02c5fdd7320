import {
  decryptLegacy,
  decryptSzc1,
  describeToken,
  encryptLegacy,
  encryptSzc1,
  isSzcryptError,
  parsePythonJson,
  pythonJsonDumps,
  SZC1_TEXT_PREFIX,
  type Szc1Context,
  SzcryptError,
} from "@szcrypt/core";
import { type Command, Option } from "commander";
import { addContextOptions, withContextErrors } from "../context-options.js";
import { CliError, EXIT } from "../exit-codes.js";
import { inputText, keyOptions, loadKeys } from "../io.js";

interface CryptOptions {
  format: "legacy-cbc" | "szc1";
  json?: boolean;
  field: string;
  keyFile?: string;
  keyEnv: string;
  keepNewline?: boolean;
  acceptUnbound?: boolean;
}

export function encryptCommand(program: Command): void {
  const encrypt = program
    .command("encrypt")
    .description("encrypt text (an argument, or stdin) and print the token")
    .argument("[text]", "the plaintext; read from stdin when left out")
    .addOption(new Option("--format <format>", "token format").choices(["legacy-cbc", "szc1"]).default("legacy-cbc"))
    .option("--json", "the input is JSON: encrypt Python's json.dumps text of it, as the platform page does with dicts")
    .option("--field <name>", "szc1: the field's full protobuf name the token is bound to", "");
  const context = addContextOptions(encrypt);
  keyOptions(encrypt.option("--keep-newline", "keep a trailing newline read from stdin")).action(
    async (text: string | undefined, opts: CryptOptions) => {
      const parts = context.parts();
      if (parts !== undefined && opts.format !== "szc1") {
        throw new CliError(
          "--context binds szc1 values only: legacy-cbc has no associated data and cannot be bound (add --format szc1)",
          EXIT.USAGE,
        );
      }
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
        opts.format === "szc1"
          ? withContextErrors(() => encryptSzc1(plaintext, keys.primary, { fieldName: opts.field, context: parts }))
          : encryptLegacy(plaintext, keys.legacy);
      process.stdout.write(`${token}\n`);
    },
  );
}

export function decryptCommand(program: Command): void {
  const decrypt = program.command("decrypt");
  keyOptions(
    decrypt
      .description("decrypt a token (an argument, or stdin), legacy-cbc or szc1 by its form, and print the plaintext")
      .argument("[token]", "the token; read from stdin when left out")
      .option("--json", "the plaintext is JSON (a dict the page encrypted): check it parses as Python's json.loads would")
      .option("--field <name>", "szc1: the field's full protobuf name the token was bound to", ""),
  );
  const context = addContextOptions(decrypt);
  decrypt
    .option("--accept-unbound", "with --context: also accept a token that is not context-bound (migration only)")
    .action(async (token: string | undefined, opts: CryptOptions) => {
      const parts = context.parts();
      if (opts.acceptUnbound === true && parts === undefined) {
        throw new CliError("--accept-unbound only applies with --context (a token that is not bound needs no context)", EXIT.USAGE);
      }
      const text = (await inputText(token, "token")).trim();
      const keys = loadKeys(opts);
      let plaintext: string;
      if (text.startsWith(SZC1_TEXT_PREFIX)) {
        plaintext = decryptSzc1Hinted(text, keys, opts.field, parts, opts.acceptUnbound === true);
      } else {
        if (parts !== undefined && opts.acceptUnbound !== true) {
          // The format is public (`szcrypt inspect` says it): naming it tells nothing about the value.
          throw new CliError(
            "this is a legacy-cbc token, which cannot be bound to a context: drop --context, or pass --accept-unbound to accept it anyway",
            EXIT.USAGE,
          );
        }
        plaintext = decryptLegacy(text, keys.legacy);
      }
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

/**
 * szc1 binds a token to its field's name, and a bound token to its context: a
 * failure says which of those to check, since a missing --field or --context is
 * the likeliest cause. Only what is public is used (the header's flag, which
 * `szcrypt inspect` shows); the failure itself stays the uniform one.
 */
function decryptSzc1Hinted(
  text: string,
  keys: Parameters<typeof decryptSzc1>[1],
  field: string,
  context: Szc1Context | undefined,
  acceptUnbound: boolean,
): string {
  try {
    return withContextErrors(() => decryptSzc1(text, keys, { fieldName: field, context, acceptUnbound }));
  } catch (err) {
    if (!isSzcryptError(err, "DECRYPT_FAILED")) {
      throw err;
    }
    const which = field === "" ? "no --field was given" : "check that --field is the name it was encrypted for";
    let bound: boolean | undefined;
    try {
      bound = describeToken(text).contextBound;
    } catch {
      bound = undefined;
    }
    const contextHint =
      context === undefined
        ? ""
        : bound === false && !acceptUnbound
          ? "; the token is not context-bound, and with --context an unbound token is refused (pass --accept-unbound, or drop --context)"
          : bound === true
            ? "; a bound token also needs the very --context parts, in the order, it was made with"
            : "";
    throw new CliError(
      `DECRYPT_FAILED: decryption failed (an szc1 token is bound to its field's full name and ${which}${contextHint}; ` +
        "if every token from a peer fails, compare `szcrypt fingerprint` on both sides)",
      EXIT.DECRYPT_FAILED,
    );
  }
}
