// Every TypeScript example in every README must compile under the project's
// strict settings and run as written. The only edits: the generated-code import
// points at @szcrypt/example (the README's ./gen path is the reader's own), and
// a fixed port becomes a free one. SZCRYPT_KEY is set, as each example says.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = resolve(here, "..");
const repo = resolve(packageDir, "../..");
// Inside this package, so that @szcrypt/* and @szcrypt/example resolve from its node_modules.
const work = join(packageDir, ".readme-examples");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

function readmes(): string[] {
  const dirs = ["", ...readdirSync(join(repo, "packages")).map((d) => `packages/${d}/`), "conformance/", "docs/"];
  return dirs.flatMap((d) => {
    try {
      return readdirSync(join(repo, d))
        .filter((f) => f.endsWith(".md") && !(d === "docs/" && f === "guide.md")) // the guide has its own test (packages/adoption)
        .map((f) => `${d}${f}`);
    } catch {
      return [];
    }
  });
}

function tsBlocks(file: string): string[] {
  return [...readFileSync(join(repo, file), "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** What each README's example prints when it works. */
const expected: Record<string, RegExp> = {
  "packages/core/README.md": /^This is a secret message$/m,
  "packages/grpc-js/README.md": /^4111 1111 1111 1111$/m,
  "packages/connect/README.md": /^4111 1111 1111 1111$/m,
};

const examples: { readme: string; name: string; code: string }[] = [];
for (const readme of readmes()) {
  tsBlocks(readme).forEach((code, i) => {
    examples.push({ readme, name: `${readme.replaceAll("/", "-").replace(/\.md$/, "")}-${i + 1}`, code });
  });
}

describe("README examples compile under strict and run as written", () => {
  before(async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, "src"), { recursive: true });
    writeFileSync(
      join(work, "tsconfig.json"),
      JSON.stringify({
        extends: "../../../tsconfig.base.json",
        compilerOptions: { rootDir: "src", outDir: "out", declaration: false, declarationMap: false, sourceMap: false },
        include: ["src"],
      }),
    );
    for (const e of examples) {
      const port = String(await freePort());
      const code = e.code.replaceAll("./gen/sz/examples/v1/payments_pb.js", "@szcrypt/example").replaceAll(/\b(50051|8080)\b/g, port);
      writeFileSync(join(work, "src", `${e.name}.ts`), code);
    }
  });

  it("finds an example in each package README that has one", () => {
    assert.deepEqual(
      Object.keys(expected).filter((r) => !examples.some((e) => e.readme === r)),
      [],
    );
  });

  it("every example type-checks under the repository's strict tsconfig", () => {
    const r = spawnSync(process.execPath, [tsc, "-p", join(work, "tsconfig.json")], { encoding: "utf8" });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });

  for (const e of examples) {
    it(`${e.readme} (example ${e.name.split("-").at(-1)}) runs`, () => {
      const env = { ...process.env, SZCRYPT_KEY: "hex:000102030405060708090a0b0c0d0e0f" };
      const r = spawnSync(process.execPath, [join(work, "out", `${e.name}.js`)], { encoding: "utf8", timeout: 30_000, env });
      assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      const want = expected[e.readme];
      assert.ok(want !== undefined, `${e.readme}: add what its example prints to \`expected\``);
      assert.match(r.stdout, want);
    });
  }
});
