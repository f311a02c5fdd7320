// A failed property prints its seed, and SZCRYPT_FC_SEED replays that very run:
// checked in child processes, one without a seed and one replaying it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const replay = fileURLToPath(new URL("./fast-check-replay.js", import.meta.url));
// Fails on a third of random integers; without shrinking, the counterexample is
// the first failing draw, so it differs from seed to seed.
const script = `
import fc from "fast-check";
await import(${JSON.stringify(replay)});
try {
  fc.assert(fc.property(fc.integer(), (n) => n % 3 !== 0), { endOnFailure: true });
  console.log("no failure");
} catch (e) { console.log(e.message); }`;

function run(env: Record<string, string>): string {
  return execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: fileURLToPath(new URL(".", import.meta.url)),
    env: { ...process.env, SZCRYPT_FC_SEED: "", ...env },
    encoding: "utf8",
  });
}

describe("fast-check replay", () => {
  it("prints the seed of a failure, and SZCRYPT_FC_SEED reproduces the same counterexample", () => {
    const first = run({});
    const seed = /\{ seed: (-?\d+), path: "([^"]*)"/.exec(first);
    assert.ok(seed, `no seed printed: ${first}`);
    const counterexample = /Counterexample: (.*)/.exec(first)?.[1];
    assert.ok(counterexample);
    const replayed = run({ SZCRYPT_FC_SEED: seed[1] ?? "" });
    assert.match(replayed, new RegExp(`replaying seed ${seed[1]}`));
    assert.equal(/Counterexample: (.*)/.exec(replayed)?.[1], counterexample);
    assert.match(replayed, new RegExp(`seed: ${seed[1]},`));
  });

  it("refuses a seed that is not an integer", () => {
    assert.throws(() => run({ SZCRYPT_FC_SEED: "abc" }), /SZCRYPT_FC_SEED must be the integer/);
  });
});
