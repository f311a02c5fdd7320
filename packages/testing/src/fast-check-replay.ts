// Replays a failed property run. fast-check prints `{ seed, path }` with every
// counterexample; setting SZCRYPT_FC_SEED (and, for one property, SZCRYPT_FC_PATH)
// reruns exactly that run, locally or in CI. Imported for its effect by every
// test file that uses fast-check.
import fc from "fast-check";

/** Applies SZCRYPT_FC_SEED / SZCRYPT_FC_PATH from `env` to fast-check's global settings, if set. */
export function configureReplay(env: NodeJS.ProcessEnv = process.env): void {
  const seed = env["SZCRYPT_FC_SEED"];
  if (seed === undefined || seed === "") {
    return;
  }
  if (!/^-?\d+$/.test(seed)) {
    throw new Error(`SZCRYPT_FC_SEED must be the integer fast-check printed; got ${JSON.stringify(seed)}`);
  }
  const path = env["SZCRYPT_FC_PATH"];
  fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(seed), ...(path ? { path } : {}) });
  console.log(`fast-check: replaying seed ${seed}${path ? ` path ${path}` : ""}`);
}

configureReplay();
