import { isSzc1Bytes, parseSzc1Body, SZC1_TEXT_PREFIX } from "@szcrypt/core";
import type { Command } from "commander";
import { CliError, EXIT } from "../exit-codes.js";
import { inputText } from "../io.js";

export interface TokenInfo {
  readonly format: "legacy-cbc" | "szc1";
  readonly form: "text" | "bytes";
  readonly bytes: number;
  readonly keyId?: string;
  readonly ivBytes?: number;
  readonly nonceBytes?: number;
  readonly ciphertextBytes: number;
  readonly tagBytes?: number;
  /** The plaintext's length in bytes, or its range for legacy-cbc (padding hides the exact length). */
  readonly plaintextBytes: number | readonly [number, number];
}

/** What a token is, read without any key. */
export function inspectToken(text: string, hex: boolean): TokenInfo {
  const malformed = (why: string) => new CliError(`not a szcrypt token: ${why}`, EXIT.MALFORMED);
  if (!hex && text.startsWith(SZC1_TEXT_PREFIX)) {
    const body = text.slice(SZC1_TEXT_PREFIX.length);
    if (!/^[A-Za-z0-9_-]*$/.test(body) || body.length % 4 === 1) {
      throw malformed("'szc1:' must be followed by unpadded base64url");
    }
    return szc1Info(Buffer.from(body, "base64url"), "text");
  }
  let raw: Buffer;
  if (hex) {
    if (!/^(?:[0-9a-fA-F]{2})*$/.test(text)) {
      throw malformed("--hex expects an even number of hex digits");
    }
    raw = Buffer.from(text, "hex");
    if (isSzc1Bytes(raw)) {
      return szc1Info(raw.subarray(4), "bytes");
    }
  } else {
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
      throw malformed("neither 'szc1:' text nor strict standard base64");
    }
    raw = Buffer.from(text, "base64");
  }
  if (raw.length < 32 || raw.length % 16 !== 0) {
    throw malformed(`legacy-cbc is a 16-byte IV plus whole 16-byte blocks; this is ${raw.length} bytes`);
  }
  const ct = raw.length - 16;
  return {
    format: "legacy-cbc",
    form: hex ? "bytes" : "text",
    bytes: raw.length,
    ivBytes: 16,
    ciphertextBytes: ct,
    plaintextBytes: [ct - 16, ct - 1],
  };

  function szc1Info(body: Buffer, form: "text" | "bytes"): TokenInfo {
    const parts = parseSzc1Body(body);
    if (parts === undefined) {
      throw malformed("too short for szc1 (magic, key id, 12-byte nonce, 16-byte tag)");
    }
    const ct = parts.sealed.length - 16;
    return {
      format: "szc1",
      form,
      bytes: body.length + 4,
      keyId: parts.keyId,
      nonceBytes: 12,
      ciphertextBytes: ct,
      tagBytes: 16,
      plaintextBytes: ct,
    };
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
      const info = inspectToken((await inputText(token, "token")).trim(), opts.hex === true);
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
        `size        ${info.bytes} bytes: ${info.format === "szc1" ? `magic 4, key id ${1 + (info.keyId?.length ?? 0)}, nonce ${info.nonceBytes}, ciphertext ${info.ciphertextBytes}, tag ${info.tagBytes}` : `IV ${info.ivBytes}, ciphertext ${info.ciphertextBytes} (${info.ciphertextBytes / 16} blocks)`}`,
        `plaintext   ${plain}`,
      ];
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
