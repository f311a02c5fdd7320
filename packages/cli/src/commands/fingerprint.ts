import type { Command } from "commander";
import { loadKeys } from "../io.js";

export function fingerprintCommand(program: Command): void {
  program
    .command("fingerprint")
    .description("print the fingerprint of each key in SZCRYPT_KEY (or --key-file), so two services can compare keys without showing them")
    .option("--key-file <path>", "read the key spec or keyring JSON from this file")
    .option("--key-env <name>", "environment variable holding the key spec or keyring JSON", "SZCRYPT_KEY")
    .action((opts: { keyFile?: string; keyEnv: string }) => {
      const ring = loadKeys(opts);
      for (const id of ring.ids) {
        const key = ring.get(id);
        if (key === undefined) {
          continue;
        }
        const roles = [ring.primary.id === id ? "primary" : "", ring.legacy.id === id ? "legacy" : ""].filter((r) => r !== "").join(",");
        process.stdout.write(`${key.fingerprint}  aes-${key.size * 8}  ${id}${roles === "" ? "" : `  (${roles})`}\n`);
      }
    });
}
