import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { create, type DescMethod } from "@bufbuild/protobuf";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { type HistogramMetricData, MeterProvider, MetricReader, type SumMetricData } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { createFieldCrypto, type FieldCrypto } from "../fields/field-crypto.js";
import { SensitiveNumberSchema } from "../gen/sz/testing/v1/invalid_pb.js";
import { ShapesSchema } from "../gen/sz/testing/v1/shapes_pb.js";
import { SzcryptKey } from "../keys/key.js";
import { Keyring } from "../keys/keyring.js";
import { createTelemetry } from "./telemetry.js";

// Pulls what the SDK aggregated, on demand: the SDK's own test pattern.
class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const oldBytes = randomBytes(32);
const newBytes = randomBytes(32);
const oldKey = SzcryptKey.fromBytes(oldBytes, { id: "2025-01" });
const newKey = SzcryptKey.fromBytes(newBytes, { id: "2026-06" });
// A DescMethod as the transports hand it over: only its names are read.
const method = { name: "Authorize", parent: { typeName: "sz.examples.v1.PaymentService" } } as unknown as DescMethod;
const CALL = { "rpc.system": "grpc", "rpc.service": "sz.examples.v1.PaymentService", "rpc.method": "Authorize" };

function setup() {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const telemetry = createTelemetry({ meterProvider, tracerProvider });
  const collect = async () => {
    const { resourceMetrics } = await reader.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const sum = (name: string) =>
      ((all.find((m) => m.descriptor.name === name) as SumMetricData | undefined)?.dataPoints ?? []).map((p) => ({
        attributes: p.attributes,
        value: p.value,
      }));
    const histogram = all.find((m) => m.descriptor.name === "szcrypt.duration") as HistogramMetricData | undefined;
    return { fields: sum("szcrypt.fields"), failures: sum("szcrypt.failures"), histogram };
  };
  return { telemetry, collect, exporter, tracerProvider };
}

/** legacy-cbc made with node:crypto directly, not with the code under test. */
function legacyToken(plain: string, key: Buffer): string {
  const iv = randomBytes(16);
  const c = createCipheriv(`aes-${key.length * 8}-cbc`, key, iv);
  return Buffer.concat([iv, c.update(plain, "utf8"), c.final()]).toString("base64");
}

/** szc1 text made with node:crypto from the spec (conformance/SPEC.md), under any key id. */
function szc1Token(plain: string, key: Buffer, keyId: string, fieldName: string): string {
  const nonce = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, nonce);
  c.setAAD(Buffer.from(`szc1\0${keyId}\0${fieldName}`, "utf8"));
  const sealed = Buffer.concat([c.update(plain, "utf8"), c.final(), c.getAuthTag()]);
  return `szc1:${Buffer.concat([Buffer.from([keyId.length]), Buffer.from(keyId, "latin1"), nonce, sealed]).toString("base64url")}`;
}

describe("telemetry: with no SDK", () => {
  it("hands back the FieldCrypto itself, so messages cost nothing extra", () => {
    const crypto = createFieldCrypto({ key: oldKey });
    assert.equal(createTelemetry().forCall(crypto, method, "client"), crypto);
  });
});

describe("telemetry: metrics", () => {
  const keys = new Keyring({ keys: [oldKey, newKey], primary: "2026-06", legacy: "2025-01" });

  it("counts the values of a message once, by format and key id from the keyring", async () => {
    const { telemetry, collect } = setup();
    const crypto = telemetry.forCall(createFieldCrypto({ key: keys }), method, "client");
    // Five non-empty sensitive values; the empty one is not sent, so not counted.
    crypto.encryptMessage(
      ShapesSchema,
      create(ShapesSchema, { secret: "a", secrets: ["b", "c", ""], byName: { k: "d" }, blob: new Uint8Array([1]) }),
    );
    const { fields, histogram } = await collect();
    assert.deepEqual(fields, [
      {
        attributes: {
          ...CALL,
          "szcrypt.side": "client",
          "szcrypt.operation": "encrypt",
          "szcrypt.format": "legacy-cbc",
          "szcrypt.key_id": "2025-01",
        },
        value: 5,
      },
    ]);
    assert.equal(histogram?.descriptor.unit, "s");
    assert.deepEqual(
      histogram?.dataPoints.map((p) => [p.attributes, p.value.count]),
      [[{ "szcrypt.operation": "encrypt", "rpc.method": "Authorize" }, 1]],
    );
  });

  it("tells szc1 values by the key that opened them and legacy values by the legacy key", async () => {
    const { telemetry, collect } = setup();
    const crypto = telemetry.forCall(createFieldCrypto({ key: keys, format: "szc1", accept: ["szc1", "legacy-cbc"] }), method, "server");
    const fieldName = "sz.testing.v1.Shapes.secrets";
    const message = create(ShapesSchema, {
      secrets: [szc1Token("x", oldBytes, "2025-01", fieldName), szc1Token("y", newBytes, "2026-06", fieldName)],
      secret: legacyToken("z", oldBytes),
    });
    const plain = crypto.decryptMessage(ShapesSchema, message);
    assert.deepEqual([plain.secret, ...plain.secrets], ["z", "x", "y"]);
    const { fields } = await collect();
    const base = { ...CALL, "szcrypt.side": "server", "szcrypt.operation": "decrypt" };
    assert.deepEqual(
      new Set(fields.map((f) => JSON.stringify(sortKeys(f)))),
      new Set(
        [
          { attributes: { ...base, "szcrypt.format": "legacy-cbc", "szcrypt.key_id": "2025-01" }, value: 1 },
          { attributes: { ...base, "szcrypt.format": "szc1", "szcrypt.key_id": "2025-01" }, value: 1 },
          { attributes: { ...base, "szcrypt.format": "szc1", "szcrypt.key_id": "2026-06" }, value: 1 },
        ].map((f) => JSON.stringify(sortKeys(f))),
      ),
    );
  });

  it("counts each failure once, with its reason and the field's full name, never a value", async () => {
    const { telemetry, collect } = setup();
    const legacyOnly = telemetry.forCall(createFieldCrypto({ key: keys }), method, "server");
    const szc1Only = telemetry.forCall(createFieldCrypto({ key: keys, format: "szc1" }), method, "server");
    const retired = telemetry.forCall(
      createFieldCrypto({ key: new Keyring({ keys: [newKey], primary: "2026-06" }), format: "szc1" }),
      method,
      "server",
    );
    const goodLegacy = legacyToken("secret text", oldBytes);
    const tampered = flipLastByte(goodLegacy);
    const oldSzc1 = szc1Token("secret text", oldBytes, "2025-01", "sz.testing.v1.Shapes.secret");
    const attempts: [FieldCrypto, string][] = [
      [legacyOnly, tampered], // bad padding or wrong plaintext: decrypt_failed
      [szc1Only, goodLegacy], // legacy-cbc at an szc1-only service
      [legacyOnly, oldSzc1], // szc1 at a legacy-only service
      [retired, oldSzc1], // a key id the keyring no longer holds
      [legacyOnly, "not a token"], // plaintext where ciphertext belongs
    ];
    for (const [crypto, token] of attempts) {
      assert.throws(() => crypto.decryptMessage(ShapesSchema, create(ShapesSchema, { secret: token })));
    }
    assert.throws(() => legacyOnly.encryptMessage(ShapesSchema, create(ShapesSchema, { secrets: ["ok", "\ud800"] })));
    assert.throws(() => legacyOnly.encryptMessage(SensitiveNumberSchema, create(SensitiveNumberSchema, {})));
    const { failures, fields } = await collect();
    const side = { ...CALL, "szcrypt.side": "server" };
    const dec = { ...side, "szcrypt.operation": "decrypt", "szcrypt.field": "sz.testing.v1.Shapes.secret" };
    assert.deepEqual(
      new Set(failures.map((f) => JSON.stringify(sortKeys(f)))),
      new Set(
        [
          { attributes: { ...dec, "szcrypt.reason": "decrypt_failed" }, value: 2 },
          { attributes: { ...dec, "szcrypt.reason": "format_not_accepted" }, value: 2 },
          { attributes: { ...dec, "szcrypt.reason": "key_unavailable" }, value: 1 },
          {
            attributes: {
              ...side,
              "szcrypt.operation": "encrypt",
              "szcrypt.reason": "encrypt_failed",
              "szcrypt.field": "sz.testing.v1.Shapes.secrets",
            },
            value: 1,
          },
          {
            attributes: {
              ...side,
              "szcrypt.operation": "encrypt",
              "szcrypt.reason": "schema",
              "szcrypt.field": "sz.testing.v1.SensitiveNumber.amount",
            },
            value: 1,
          },
        ].map((f) => JSON.stringify(sortKeys(f))),
      ),
    );
    assert.deepEqual(fields, [], "a message that failed counts no field");
    const text = JSON.stringify(failures);
    for (const secret of [goodLegacy, tampered, oldSzc1, "secret text", "not a token", "2025-01"]) {
      assert.ok(!text.includes(secret), "no token, plaintext, caller string or unknown key id in an attribute");
    }
  });
});

describe("telemetry: spans", () => {
  it("runs each message's work in a child span of the active one, with field count, format and an error status", () => {
    const { telemetry, exporter, tracerProvider } = setup();
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const crypto = createFieldCrypto({ key: newKey, format: "szc1" });
      const rpc = tracerProvider.getTracer("test").startSpan("sz.examples.v1.PaymentService/Authorize");
      const observed = context.with(trace.setSpan(context.active(), rpc), () => telemetry.forCall(crypto, method, "client"));
      const sent = observed.encryptMessage(ShapesSchema, create(ShapesSchema, { secret: "a", secrets: ["b"] }));
      observed.decryptMessage(ShapesSchema, sent);
      assert.throws(() => observed.decryptMessage(ShapesSchema, create(ShapesSchema, { secret: "szc1:AAAA" })));
      rpc.end();
      const spans = exporter.getFinishedSpans().filter((s) => s.name.startsWith("szcrypt "));
      assert.deepEqual(
        spans.map((s) => [s.name, s.attributes["szcrypt.fields"], s.attributes["szcrypt.format"], s.status.code]),
        [
          ["szcrypt encrypt", 2, "szc1", 0],
          ["szcrypt decrypt", 2, "szc1", 0],
          ["szcrypt decrypt", undefined, undefined, 2],
        ],
      );
      for (const span of spans) {
        assert.equal(span.parentSpanContext?.spanId, rpc.spanContext().spanId);
        assert.equal(span.spanContext().traceId, rpc.spanContext().traceId);
      }
      assert.equal(spans[2]?.status.message, "decrypt_failed");
    } finally {
      context.disable();
    }
  });
});

function flipLastByte(token: string): string {
  const raw = Buffer.from(token, "base64");
  raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
  return raw.toString("base64");
}

function sortKeys(f: { attributes: object; value: number }) {
  return { attributes: Object.fromEntries(Object.entries(f.attributes).sort()), value: f.value };
}
