// Paths for tests: the repository's root and the vendored Wycheproof vectors.
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
 * The Wycheproof folder vendored in the repository (conformance/vectors/wycheproof, with
 * its Apache-2.0 LICENSE), or SZCRYPT_WYCHEPROOF_DIR to run another copy. A missing
 * folder is an error, never a skip: a run that silently skips them would prove nothing.
 */
export function wycheproofDir(): { dir: string } {
  const dir = process.env["SZCRYPT_WYCHEPROOF_DIR"] ?? resolve(repoRoot(), "conformance/vectors/wycheproof");
  if (!existsSync(join(dir, "aes_cbc_pkcs5_test.json"))) {
    throw new Error(`Wycheproof vectors not found at ${dir}`);
  }
  return { dir };
}
