import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const dist = dirname(fileURLToPath(import.meta.url));
const KEY = "hex:00112233445566778899aabbccddeeff";

function run(script: string, args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dist, script), ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function startServer(key: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(dist, "server.js"), "--port", "0"], {
    env: { ...process.env, SZCRYPT_KEY: key },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        resolve(Number(m[1]));
      }
    });
    child.on("exit", () => reject(new Error(`demo:server exited: ${out}`)));
  });
  return { child, port };
}

describe("pnpm demo", () => {
  // One run without SZCRYPT_KEY serves the tests that read its output.
  let ephemeral: Promise<{ code: number | null; out: string }> | undefined;
  const runEphemeral = () => {
    ephemeral ??= run("demo.js", [], { SZCRYPT_KEY: undefined });
    return ephemeral;
  };

  it("runs all four call kinds, shows the fields, finds no plaintext on the wire, and says the key was ephemeral", async () => {
    const { code, out } = await runEphemeral();
    assert.equal(code, 0, out);
    assert.match(out, /ephemeral: SZCRYPT_KEY is not set/);
    for (const rpc of ["Authorize (unary)", "Upload (client streaming)", "Watch (server streaming)", "Exchange (bidi streaming)"]) {
      assert.ok(out.includes(`▶ ${rpc}`), rpc);
    }
    assert.match(out, /0 sensitive values in the clear, 5\/5 clear values readable ✔/);
    assert.doesNotMatch(out, /✘/);
  });

  it("shows two tenants: each round-trips, acme's values fail in globex's calls, and die with acme's key", async () => {
    const { code, out } = await runEphemeral();
    assert.equal(code, 0, out);
    const lines = out.split("\n");
    const line = (re: RegExp) => lines.filter((l) => re.test(l));
    assert.equal(line(/^ {2}acme +Authorize +round trip ✔ +card_number on the wire: szc1:.*context-bound/).length, 1, out);
    assert.equal(line(/^ {2}globex Authorize +round trip ✔ +card_number on the wire: szc1:.*context-bound/).length, 2, out);
    assert.match(out, /acme's stored values, sent as globex +INVALID_ARGUMENT, the handler never ran ✔/);
    assert.match(out, /acme's stored values, moved to another acme record +INVALID_ARGUMENT, the handler never ran ✔/);
    const sameRecord = line(/acme's stored values, sent again as acme, same record/);
    assert.equal(sameRecord.length, 2, out);
    assert.match(sameRecord[0] ?? "", /OK, the handler saw acme's card number ✔/);
    assert.match(sameRecord[1] ?? "", /FAILED_PRECONDITION, the handler never ran ✔/);
    // Shredding comes between the two replays of the same record.
    assert.ok(out.indexOf('forget("acme")') > out.indexOf(sameRecord[0] ?? "?"));
    assert.ok(out.indexOf('forget("acme")') < out.indexOf(sameRecord[1] ?? "?"));
  });

  it("uses SZCRYPT_KEY when set", async () => {
    const { code, out } = await run("demo.js", [], { SZCRYPT_KEY: KEY });
    assert.equal(code, 0, out);
    assert.match(out, /from SZCRYPT_KEY/);
    assert.ok(!out.includes("00112233445566778899aabbccddeeff"), "the key must not be printed");
  });
});

describe("pnpm demo:server and demo:client", () => {
  it("talk to each other through all four call kinds", async () => {
    const { child, port } = await startServer(KEY);
    try {
      const { code, out } = await run("client.js", ["--target", `127.0.0.1:${port}`], { SZCRYPT_KEY: KEY });
      assert.equal(code, 0, out);
      assert.match(out, /4 passed, 0 failed/);
    } finally {
      child.kill();
    }
  });

  it("demo:client fails, naming what failed, when the keys differ", async () => {
    const { child, port } = await startServer(KEY);
    try {
      const { code, out } = await run("client.js", ["--target", `127.0.0.1:${port}`], {
        SZCRYPT_KEY: "hex:ffeeddccbbaa99887766554433221100",
      });
      assert.equal(code, 1, out);
      assert.match(out, /✘ Authorize \(unary\)/);
      assert.match(out, /status 3: szcrypt: request sensitive field .* could not be decrypted/);
    } finally {
      child.kill();
    }
  });

  it("refuse to start without a key, saying how to set one", async () => {
    for (const [script, args] of [
      ["server.js", ["--port", "0"]],
      ["client.js", ["--target", "127.0.0.1:1"]],
    ] as const) {
      const { code, out } = await run(script, [...args], { SZCRYPT_KEY: undefined });
      assert.equal(code, 2, out);
      assert.match(out, /set SZCRYPT_KEY/);
    }
  });
});
