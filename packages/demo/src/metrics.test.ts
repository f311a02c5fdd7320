// `pnpm demo:server --metrics-port M`: Prometheus text on /metrics, driven by
// the demo client with the right key and with another one.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { SENSITIVE_MARK } from "@szcrypt/testing";
import { type Sample, scrape, total } from "./scrape.js";

const dist = dirname(fileURLToPath(import.meta.url));
const KEY_HEX = "00112233445566778899aabbccddeeff";
const KEY = `hex:${KEY_HEX}`;
const OTHER_KEY = "hex:ffeeddccbbaa99887766554433221100";

function runClient(port: number, key: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dist, "client.js"), "--target", `127.0.0.1:${port}`], {
      env: { ...process.env, SZCRYPT_KEY: key },
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe("pnpm demo:server --metrics-port", () => {
  let child: ChildProcess;
  let grpcPort = 0;
  let metricsUrl = "";
  let text = "";
  let samples: Sample[] = [];
  before(async () => {
    child = spawn(process.execPath, [join(dist, "server.js"), "--port", "0", "--metrics-port", "0"], {
      env: { ...process.env, SZCRYPT_KEY: KEY },
      stdio: ["ignore", "pipe", "pipe"],
    });
    await new Promise<void>((resolve, reject) => {
      let out = "";
      child.stdout?.on("data", (d) => {
        out += d;
        const g = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
        const m = /(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(out);
        if (g && m) {
          grpcPort = Number(g[1]);
          metricsUrl = m[1] as string;
          resolve();
        }
      });
      child.on("exit", () => reject(new Error(`demo:server exited: ${out}`)));
    });
    assert.equal(await runClient(grpcPort, KEY), 0);
    assert.equal(await runClient(grpcPort, OTHER_KEY), 1);
    ({ text, samples } = await scrape(metricsUrl));
  });
  after(() => {
    child.kill();
  });

  it("counts decrypted and encrypted values by method, format and key id", () => {
    const server = {
      szcrypt_side: "server",
      rpc_system: "grpc",
      rpc_service: "sz.examples.v1.PaymentService",
      szcrypt_format: "legacy-cbc",
    };
    // Authorize: samplePayment(0) has ten non-empty sensitive values (example/src/payments.ts), in and out.
    for (const operation of ["decrypt", "encrypt"]) {
      assert.equal(
        total(samples, "szcrypt_fields_total", {
          ...server,
          rpc_method: "Authorize",
          szcrypt_operation: operation,
          szcrypt_key_id: "default",
        }),
        10,
        operation,
      );
    }
    for (const method of ["Upload", "Watch", "Exchange"]) {
      assert.ok(total(samples, "szcrypt_fields_total", { ...server, rpc_method: method, szcrypt_operation: "decrypt" }) > 0, method);
    }
  });

  it("counts each request the other key made as one decrypt_failed on its field, and times every message", () => {
    const failures = samples.filter((s) => s.name === "szcrypt_failures_total");
    assert.ok(failures.length > 0);
    for (const f of failures) {
      assert.equal(f.labels["szcrypt_reason"], "decrypt_failed");
      assert.equal(f.labels["szcrypt_field"], "sz.examples.v1.Payment.card_number");
    }
    // The failed client's Authorize, Upload and Watch fail at their first request; Exchange too.
    assert.equal(total(samples, "szcrypt_failures_total", { rpc_method: "Authorize" }), 1);
    assert.equal(total(samples, "szcrypt_duration_seconds_count", { rpc_method: "Authorize", szcrypt_operation: "decrypt" }), 2);
    assert.match(text, /^# TYPE szcrypt_duration_seconds histogram$/m);
    assert.ok(total(samples, "szcrypt_duration_seconds_bucket", { rpc_method: "Authorize", le: "+Inf" }) >= 2);
  });

  it("labels only with names from the schema and the keyring, and fixed values", () => {
    assert.ok(!text.includes(KEY_HEX) && !text.includes(SENSITIVE_MARK));
    const allowed: Record<string, RegExp> = {
      rpc_system: /^grpc$/,
      rpc_service: /^sz\.examples\.v1\.PaymentService$/,
      rpc_method: /^(Authorize|Upload|Watch|Exchange)$/,
      szcrypt_side: /^server$/,
      szcrypt_operation: /^(encrypt|decrypt)$/,
      szcrypt_format: /^legacy-cbc$/,
      szcrypt_key_id: /^default$/,
      szcrypt_reason: /^decrypt_failed$/,
      szcrypt_field: /^sz\.examples\.v1\.Payment\.card_number$/,
      le: /^([0-9.e+-]+|\+Inf)$/,
      otel_scope_name: /^@szcrypt\/core$/,
    };
    const ours = samples.filter((s) => s.name.startsWith("szcrypt_"));
    assert.ok(ours.length > 0);
    for (const s of ours) {
      for (const [k, v] of Object.entries(s.labels)) {
        assert.match(v, allowed[k] ?? /^$/, `${s.name} ${k}`);
      }
    }
  });

  it("answers 404 off /metrics", async () => {
    assert.equal((await fetch(metricsUrl.replace("/metrics", "/other"))).status, 404);
  });
});
