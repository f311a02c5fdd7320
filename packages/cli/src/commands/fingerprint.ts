import type { Command } from "commander";
import { keyOptions, loadKeys } from "../io.js";

export function fingerprintCommand(program: Command): void {
  keyOptions(
    program
      .command("fingerprint")
      .description(
        "print the fingerprint of each key in SZCRYPT_KEY (or --key-file), so two services can compare keys without showing them",
      ),
  ).action((opts: { keyFile?: string; keyEnv: string }) => {
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
