// The example each package README starts with must run as written. The only
// edits: the generated-code import points at @szcrypt/example (the README's
// ./gen path is the reader's own), and a fixed port becomes a free one.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const packages = resolve(here, "../..");

function firstCodeBlock(readme: string): string {
  const m = /```ts\n([\s\S]*?)```/.exec(readFileSync(readme, "utf8"));
  assert.ok(m?.[1], `${readme} has no ts code block`);
  return m[1];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

const cases: [string, RegExp][] = [
  ["core", /^This is a secret message$/m],
  ["grpc-js", /^4111 1111 1111 1111$/m],
  ["connect", /^4111 1111 1111 1111$/m],
];

describe("README examples run as written", () => {
  for (const [pkg, expected] of cases) {
    it(`packages/${pkg}/README.md`, async () => {
      const port = String(await freePort());
      const code = firstCodeBlock(join(packages, pkg, "README.md"))
        .replaceAll("./gen/sz/examples/v1/payments_pb.js", "@szcrypt/example")
        .replaceAll(/\b(50051|8080)\b/g, port);
      const file = join(here, `readme-${pkg}.example.mjs`);
      writeFileSync(file, code);
      const env = { ...process.env };
      delete env["SZCRYPT_KEY"];
      const r = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 30_000, env });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, expected);
    });
  }
});
