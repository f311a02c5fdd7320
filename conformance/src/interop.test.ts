// Cross-language interop: szcrypt's grpc-js interceptors against Python grpcio
// programs that encrypt with the platform page's snippet by hand, both ways,
// for all four call kinds, every sensitive shape of Payment and each key reading.
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { pythonGrpcReady, pythonPath } from "./python.js";
import { type Listening, runToEnd, startListening } from "./test-support/processes.js";

const here = dirname(fileURLToPath(import.meta.url));
const pythonDir = resolve(here, "../python");
const demoDist = resolve(here, "../../packages/demo/dist");

const ready = pythonGrpcReady();
if (!ready.ok && process.env["CI"] === "true") {
  throw new Error(`cross-language tests cannot run in CI: ${ready.reason}`);
}
const skip = ready.ok ? false : `SKIPPED: ${ready.reason}`;
if (skip) {
  console.log(`SKIPPED cross-language gRPC tests: ${ready.ok ? "" : ready.reason}`);
}

const PAGE_KEY = "39b96ec8e9f303bfbb14917b232866d5";
const READINGS = [
  ["hex (AES-128)", "hex:8f1c2a7e5b3d9c4f0a6e1b2d3c4f5a6b"],
  ["utf8, the page's example key (AES-256)", `utf8:${PAGE_KEY}`],
  ["base64 (AES-192)", `base64:${Buffer.alloc(24, 0x5c).toString("base64")}`],
] as const;

const pythonServer = (keySpec: string, ...extra: string[]) =>
  startListening(pythonPath(), [pythonDir, "interop-server", "--port", "0", "--key-spec", keySpec, ...extra]);
const tsServer = (keySpec: string, ...extra: string[]) =>
  startListening(process.execPath, [join(demoDist, "server.js"), "--port", "0", ...extra], { SZCRYPT_KEY: keySpec });
const tsClient = (port: number, keySpec: string, ...extra: string[]) =>
  runToEnd(process.execPath, [join(demoDist, "client.js"), "--target", `127.0.0.1:${port}`, ...extra], { SZCRYPT_KEY: keySpec });
const pythonClient = (port: number, keySpec: string, ...extra: string[]) =>
  runToEnd(pythonPath(), [pythonDir, "interop-client", "--target", `127.0.0.1:${port}`, "--key-spec", keySpec, ...extra]);

const CALL_KINDS = ["Authorize", "Upload", "Watch", "Exchange"];

/**
 * The checks the Python client reported, one JSON line each. Asserts first that
 * exactly `expected` came back: a traceback instead of results must not pass a
 * loop over nothing.
 */
function pythonChecks(out: string, expected: readonly string[] = CALL_KINDS): { check: string; ok: boolean; detail: string }[] {
  const checks = parse(out);
  assert.deepEqual(checks.map((c) => c.check).sort(), [...expected].sort(), `the Python client did not report every check:\n${out}`);
  return checks;
}

function parse(out: string): { check: string; ok: boolean; detail: string }[] {
  return out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l));
}

for (const [reading, keySpec] of READINGS) {
  describe(`TS client with szcrypt → Python grpcio server, key ${reading}`, { skip }, () => {
    let server: Listening;
    before(async () => {
      server = await pythonServer(keySpec);
    });
    after(() => server.stop());

    it("all four call kinds round-trip every sensitive shape", async () => {
      const r = await tsClient(server.port, keySpec);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /4 passed, 0 failed/);
    });
  });

  describe(`Python grpcio client → TS server with szcrypt, key ${reading}`, { skip }, () => {
    let server: Listening;
    before(async () => {
      server = await tsServer(keySpec);
    });
    after(() => server.stop());

    it("all four call kinds round-trip every sensitive shape", async () => {
      const r = await pythonClient(server.port, keySpec);
      assert.equal(r.code, 0, r.out);
      assert.deepEqual(
        pythonChecks(r.out).map((c) => [c.check, c.ok]),
        [
          ["Authorize", true],
          ["Upload", true],
          ["Watch", true],
          ["Exchange", true],
        ],
      );
    });
  });
}

describe("szc1 across languages, key id 2026-06 from keyring JSON", { skip }, () => {
  const spec = `base64:${Buffer.alloc(32, 0x2a).toString("base64")}`;
  const keyring = JSON.stringify({ primary: "2026-06", keys: { "2026-06": spec } });

  it("TS client → Python server, all four call kinds", async () => {
    const server = await pythonServer(spec, "--szc1-key-id", "2026-06");
    try {
      const r = await tsClient(server.port, keyring, "--format", "szc1");
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /4 passed, 0 failed/);
    } finally {
      await server.stop();
    }
  });

  it("Python client → TS server, all four call kinds", async () => {
    const server = await tsServer(keyring, "--format", "szc1");
    try {
      const r = await pythonClient(server.port, spec, "--szc1-key-id", "2026-06");
      assert.equal(r.code, 0, r.out);
      assert.deepEqual(
        pythonChecks(r.out).map((c) => [c.check, c.ok]),
        CALL_KINDS.map((k) => [k, true]),
      );
    } finally {
      await server.stop();
    }
  });

  it("a legacy-cbc Python client is refused by a szc1-only TS server, with the usual status", async () => {
    const server = await tsServer(keyring, "--format", "szc1");
    try {
      const r = await pythonClient(server.port, spec);
      assert.equal(r.code, 1, r.out);
      for (const c of pythonChecks(r.out)) {
        assert.equal(c.ok, false, c.check);
        assert.match(c.detail, /^INVALID_ARGUMENT: szcrypt: request sensitive field .* could not be decrypted$/);
      }
    } finally {
      await server.stop();
    }
  });
});

describe("failures across languages", { skip }, () => {
  const keySpec = `utf8:${PAGE_KEY}`;
  const otherReading = `hex:${PAGE_KEY}`;

  it("a tampered value from Python gets INVALID_ARGUMENT with one message, whatever the cause", async () => {
    const server = await tsServer(keySpec);
    try {
      const r = await pythonClient(server.port, keySpec, "--tamper");
      assert.equal(r.code, 0, r.out);
      const checks = pythonChecks(r.out, [
        "tamper/bad-padding",
        "tamper/bad-utf8",
        "tamper/plaintext",
        "tamper/truncated",
        "tamper/wrong-key",
      ]);
      assert.deepEqual(
        new Set(checks.map((c) => c.detail)),
        new Set([
          "INVALID_ARGUMENT: szcrypt: request sensitive field card_number (sz.examples.v1.Payment.card_number) could not be decrypted",
        ]),
      );
    } finally {
      await server.stop();
    }
  });

  it("a Python client using the other reading of the key is refused the same way", async () => {
    const server = await tsServer(keySpec);
    try {
      const r = await pythonClient(server.port, otherReading);
      assert.equal(r.code, 1, r.out);
      for (const c of pythonChecks(r.out)) {
        assert.equal(c.ok, false);
        assert.match(c.detail, /^INVALID_ARGUMENT: szcrypt: request sensitive field .* could not be decrypted$/);
      }
    } finally {
      await server.stop();
    }
  });

  it("a TS client using another key gets the Python server's error on every call kind, and nothing hangs", async () => {
    const server = await pythonServer(keySpec);
    try {
      const r = await tsClient(server.port, otherReading);
      assert.equal(r.code, 1, r.out);
      assert.equal(r.out.match(/failed with gRPC status 3: python: could not decrypt the payment/g)?.length, 4, r.out);
      assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
    } finally {
      await server.stop();
    }
  });
});
