// Paths for tests: the repository's root and the shared/ folder beside it.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error("cannot find the repository root (no pnpm-workspace.yaml above this file)");
    }
    dir = parent;
  }
  return dir;
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

/**
 * The Wycheproof folder: SZCRYPT_WYCHEPROOF_DIR, else ../shared/vectors/wycheproof
 * beside the checkout. Returns the folder, or a reason to skip. In CI it must be
 * there: a CI run that silently skips them would prove nothing.
 */
export function wycheproofDir(): { dir: string } | { skip: string } {
  const dir = process.env["SZCRYPT_WYCHEPROOF_DIR"] ?? resolve(repoRoot(), "../shared/vectors/wycheproof");
  if (existsSync(join(dir, "aes_cbc_pkcs5_test.json"))) {
    return { dir };
  }
  const reason = `Wycheproof vectors not found at ${dir} (set SZCRYPT_WYCHEPROOF_DIR)`;
  if (process.env["CI"] === "true") {
    throw new Error(`${reason}; CI must run them`);
  }
  console.log(`SKIPPED: ${reason}`);
  return { skip: reason };
}
