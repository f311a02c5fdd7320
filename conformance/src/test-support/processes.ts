// Child processes for cross-language tests: servers that print
// "listening on 127.0.0.1:PORT", and programs run to completion, each bounded
// in time so that a hang fails the test instead of stalling it.
import { type ChildProcess, spawn } from "node:child_process";

export interface Finished {
  readonly code: number | null;
  readonly out: string;
  readonly ms: number;
}

export function runToEnd(
  cmd: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  timeoutMs = 45_000,
): Promise<Finished> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n[killed after ${timeoutMs} ms]`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, ms: Date.now() - start });
    });
  });
}

export interface Listening {
  readonly port: number;
  readonly child: ChildProcess;
  /** What the process printed so far, both streams. */
  output(): string;
  stop(): Promise<void>;
}

export function startListening(cmd: string, args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Listening> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} did not start listening within 20 s: ${out}`));
    }, 20_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          port: Number(m[1]),
          child,
          output: () => out,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) {
                done();
                return;
              }
              child.once("exit", () => done());
              child.kill("SIGTERM");
              setTimeout(() => child.kill("SIGKILL"), 3000).unref();
            }),
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (d) => (out += d));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited (${code}) before listening: ${out}`));
    });
  });
}
