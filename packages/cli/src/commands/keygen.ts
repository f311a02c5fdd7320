import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { CliError, EXIT } from "../exit-codes.js";

export function keygenCommand(program: Command): void {
  program
    .command("keygen")
    .description("make a random AES key and print it as a key spec: 16 bytes (hex:, AES-128) by default, as the platform page's generator")
    .option("--size <bytes>", "16, 24 or 32", "16")
    .option("--encoding <encoding>", "hex or base64", "hex")
    .action((opts: { size: string; encoding: string }) => {
      const size = Number(opts.size);
      if (size !== 16 && size !== 24 && size !== 32) {
        throw new CliError(`--size must be 16, 24 or 32 bytes, got ${JSON.stringify(opts.size)}`, EXIT.USAGE);
      }
      if (opts.encoding !== "hex" && opts.encoding !== "base64") {
        throw new CliError(`--encoding must be hex or base64, got ${JSON.stringify(opts.encoding)}`, EXIT.USAGE);
      }
      process.stdout.write(`${opts.encoding}:${randomBytes(size).toString(opts.encoding)}\n`);
    });
}
