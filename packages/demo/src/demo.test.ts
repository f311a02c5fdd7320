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
  it("runs all four call kinds, shows the fields, finds no plaintext on the wire, and says the key was ephemeral", async () => {
    const { code, out } = await run("demo.js", [], { SZCRYPT_KEY: undefined });
    assert.equal(code, 0, out);
    assert.match(out, /ephemeral: SZCRYPT_KEY is not set/);
    for (const rpc of ["Authorize (unary)", "Upload (client streaming)", "Watch (server streaming)", "Exchange (bidi streaming)"]) {
      assert.ok(out.includes(`▶ ${rpc}`), rpc);
    }
    assert.match(out, /0 sensitive values in the clear, 5\/5 clear values readable ✔/);
    assert.doesNotMatch(out, /✘/);
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
