import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** A request of the peer protocol (conformance/README.md). */
export interface PeerRequest {
  readonly op: "hello" | "encrypt" | "decrypt";
  readonly [field: string]: unknown;
}

export interface PeerResponse {
  readonly ok: boolean;
  readonly error?: string;
  readonly [field: string]: unknown;
}

/**
 * A peer program spoken to over stdin/stdout, one JSON object per line each
 * way, answered in order. Requests may be pipelined; each carries an `id`
 * the answer echoes.
 */
export class PeerProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #pending = new Map<number, { resolve: (r: PeerResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  #nextId = 1;
  #exited: Error | undefined;
  #stderr = "";

  constructor(command: string) {
    this.#child = spawn(command, { shell: true, stdio: ["pipe", "pipe", "pipe"] });
    this.#child.stderr.on("data", (d) => {
      this.#stderr = (this.#stderr + d).slice(-2000);
    });
    createInterface({ input: this.#child.stdout }).on("line", (line) => this.#onLine(line));
    this.#child.on("error", (err) => this.#fail(new Error(`peer could not start: ${err.message}`)));
    this.#child.on("exit", (code, signal) =>
      this.#fail(new Error(`peer exited (code ${code}, signal ${signal})${this.#stderr ? `: ${this.#stderr.trim()}` : ""}`)),
    );
    this.#child.stdin.on("error", () => {});
  }

  request(req: PeerRequest, timeoutMs = 10_000): Promise<PeerResponse> {
    if (this.#exited !== undefined) {
      return Promise.reject(this.#exited);
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`peer did not answer request ${id} (${req.op}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer });
      this.#child.stdin.write(`${JSON.stringify({ ...req, id })}\n`);
    });
  }

  async close(): Promise<void> {
    this.#child.stdin.end();
    if (this.#child.exitCode === null) {
      await new Promise((resolve) => {
        const t = setTimeout(() => this.#child.kill(), 2000);
        this.#child.once("exit", () => {
          clearTimeout(t);
          resolve(undefined);
        });
      });
    }
  }

  #onLine(line: string): void {
    let msg: PeerResponse & { id?: unknown };
    try {
      msg = JSON.parse(line);
    } catch {
      this.#fail(new Error("peer wrote a line that is not JSON"));
      return;
    }
    const waiter = typeof msg.id === "number" ? this.#pending.get(msg.id) : undefined;
    if (waiter === undefined) {
      return;
    }
    this.#pending.delete(msg.id as number);
    clearTimeout(waiter.timer);
    waiter.resolve(msg);
  }

  #fail(err: Error): void {
    this.#exited ??= err;
    for (const [id, waiter] of this.#pending) {
      clearTimeout(waiter.timer);
      waiter.reject(err);
      this.#pending.delete(id);
    }
  }
}
