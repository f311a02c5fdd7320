import { randomBytes } from "node:crypto";
import { DEFAULT_KEY_ENV, isSzcryptError, type Keyring, keyringFromEnv, parseKeySpec, type SzcryptKey } from "@szcrypt/core";

/** The key or keyring in SZCRYPT_KEY; with `ephemeral`, a fresh AES-128 key when it is unset, empty or blank. */
export function demoKey(ephemeral: boolean): { key: SzcryptKey | Keyring; source: string } {
  try {
    return { key: keyringFromEnv(DEFAULT_KEY_ENV, "shared with the peer"), source: `from ${DEFAULT_KEY_ENV}` };
  } catch (err) {
    if (!ephemeral || !isSzcryptError(err, "KEY_UNAVAILABLE")) {
      throw err;
    }
  }
  return {
    key: parseKeySpec(`hex:${randomBytes(16).toString("hex")}`),
    source: `ephemeral: ${DEFAULT_KEY_ENV} is not set, so this run made a fresh AES-128 key that only it knows`,
  };
}

/** The --format option of demo:server and demo:client. */
export function parseFormat(value: string | undefined, program: string): "legacy-cbc" | "szc1" {
  if (value === undefined || value === "legacy-cbc" || value === "szc1") {
    return value ?? "legacy-cbc";
  }
  console.error(`${program}: --format is legacy-cbc or szc1, got ${JSON.stringify(value)}`);
  process.exit(2);
}

/** The --accept option (comma-separated formats); default: only the format written. */
export function parseAccept(value: string | undefined, format: "legacy-cbc" | "szc1", program: string): ("legacy-cbc" | "szc1")[] {
  if (value === undefined) {
    return [format];
  }
  const names = value.split(",").map((s) => s.trim());
  if (names.length === 0 || names.some((n) => n !== "legacy-cbc" && n !== "szc1")) {
    console.error(`${program}: --accept is a comma-separated list of legacy-cbc and szc1, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return names as ("legacy-cbc" | "szc1")[];
}

/** The key from SZCRYPT_KEY for demo:server and demo:client, or exit 2 saying how to set it. */
export function demoKeyOrExit(program: string): SzcryptKey | Keyring {
  try {
    return demoKey(false).key;
  } catch (err) {
    console.error(`${program}: ${(err as Error).message}`);
    process.exit(2);
  }
}
