// szcrypt's OpenTelemetry metrics and spans, one scenario over every transport:
// grpc-js and Connect clients against grpc-js and connect-node servers, with the
// SDK's pull reader and in-memory span exporter.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { credentials, Metadata } from "@grpc/grpc-js";
import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { MeterProvider, MetricReader, type SumMetricData } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { parseKeySpec, type SzcryptKey, type TelemetryOptions } from "@szcrypt/core";
import { PaymentService } from "@szcrypt/example";
import { createClientInterceptor, createGrpcClient, createGrpcServiceDefinition, createServerInterceptor } from "@szcrypt/grpc-js";
import { type RunningServer, samplePayment, startConnectServer, startGrpcServer } from "@szcrypt/testing";
import { createConnectClientInterceptor, createConnectServerInterceptor } from "./interceptors.js";

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const KEY = parseKeySpec("base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").withId("2026-06");
const OTHER_KEY = parseKeySpec(`base64:${Buffer.alloc(32, 9).toString("base64")}`).withId("2026-06");
// samplePayment(0) holds ten non-empty sensitive values (payments.ts): card number,
// cardholder, two notes, two attribute values, billing line1, token, iban, one previous line1.
const SAMPLE_VALUES = 10;
const CALL = { "rpc.system": "grpc", "rpc.service": "sz.examples.v1.PaymentService", "rpc.method": "Authorize" };

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

interface Env {
  readonly telemetry: TelemetryOptions;
  readonly spans: InMemorySpanExporter;
  readonly tracerProvider: BasicTracerProvider;
  sums(name: string): Promise<{ attributes: Record<string, unknown>; value: number }[]>;
}

function telemetryEnv(): Env {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  return {
    telemetry: { meterProvider, tracerProvider },
    spans,
    tracerProvider,
    async sums(name) {
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name) as
        | SumMetricData
        | undefined;
      return (metric?.dataPoints ?? []).map((p) => ({ attributes: { ...p.attributes }, value: p.value }));
    },
  };
}

/** Calls Authorize; `traceparent` stands in for what gRPC instrumentation would send. */
type Authorize = (key: SzcryptKey, traceparent?: string) => Promise<unknown>;
type Pairing = {
  name: string;
  server: (env: Env) => Promise<RunningServer>;
  client: (env: Env, port: number) => { authorize: Authorize; close(): void };
};

const grpcJsServer = (env: Env) =>
  startGrpcServer({
    definition: createGrpcServiceDefinition(PaymentService),
    interceptors: [createServerInterceptor({ key: KEY, format: "szc1", telemetry: env.telemetry })],
  });
const connectServer = (env: Env) =>
  startConnectServer([createConnectServerInterceptor({ key: KEY, format: "szc1", telemetry: env.telemetry })]);
const grpcJsClient = (env: Env, port: number) => {
  const clients: { close(): void }[] = [];
  return {
    authorize: (key: SzcryptKey, traceparent?: string) => {
      const client = createGrpcClient(PaymentService, `127.0.0.1:${port}`, credentials.createInsecure(), {
        interceptors: [createClientInterceptor({ key, format: "szc1", telemetry: env.telemetry })],
      });
      clients.push(client);
      const metadata = new Metadata();
      if (traceparent !== undefined) {
        metadata.set("traceparent", traceparent);
      }
      return new Promise((resolve, reject) =>
        client.authorize(samplePayment(0), metadata, (err, res) => (err ? reject(err) : resolve(res))),
      );
    },
    close: () => {
      for (const c of clients) {
        c.close();
      }
    },
  };
};
const connectClient = (env: Env, port: number) => ({
  authorize: (key: SzcryptKey, traceparent?: string) => {
    const client: Client<typeof PaymentService> = createClient(
      PaymentService,
      createGrpcTransport({
        baseUrl: `http://127.0.0.1:${port}`,
        interceptors: [createConnectClientInterceptor({ key, format: "szc1", telemetry: env.telemetry })],
      }),
    );
    return client.authorize(samplePayment(0), { timeoutMs: 10_000, headers: traceparent === undefined ? {} : { traceparent } });
  },
  close: () => {},
});

const pairings: Pairing[] = [
  { name: "grpc-js client → grpc-js server", server: grpcJsServer, client: grpcJsClient },
  { name: "Connect client → connect-node server", server: connectServer, client: connectClient },
  { name: "Connect client → grpc-js server", server: grpcJsServer, client: connectClient },
  { name: "grpc-js client → connect-node server", server: connectServer, client: grpcJsClient },
];

for (const pairing of pairings) {
  describe(`telemetry: ${pairing.name}`, () => {
    let env: Env;
    let server: RunningServer;
    let client: ReturnType<Pairing["client"]>;
    let rpcSpan: ReturnType<ReturnType<BasicTracerProvider["getTracer"]>["startSpan"]>;
    before(async () => {
      env = telemetryEnv();
      server = await pairing.server(env);
      client = pairing.client(env, server.port);
      rpcSpan = env.tracerProvider.getTracer("test").startSpan("sz.examples.v1.PaymentService/Authorize");
      // One good call inside the caller's span, one under a key the server does not hold.
      const { traceId, spanId } = rpcSpan.spanContext();
      await context.with(trace.setSpan(context.active(), rpcSpan), () => client.authorize(KEY, `00-${traceId}-${spanId}-01`));
      await assert.rejects(() => client.authorize(OTHER_KEY));
      rpcSpan.end();
    });
    after(async () => {
      client.close();
      await server.close();
    });

    it("counts every sensitive value once per side and direction, under the keyring's key id", async () => {
      const fields = await env.sums("szcrypt.fields");
      const row = (side: string, operation: string) => ({
        attributes: {
          ...CALL,
          "szcrypt.side": side,
          "szcrypt.operation": operation,
          "szcrypt.format": "szc1",
          "szcrypt.key_id": "2026-06",
        },
        value: side === "client" && operation === "encrypt" ? 2 * SAMPLE_VALUES : SAMPLE_VALUES,
      });
      // The client encrypted both requests; the server decrypted one and encrypted its answer; the client decrypted it.
      assert.deepEqual(
        sortRows(fields),
        sortRows([row("client", "encrypt"), row("server", "decrypt"), row("server", "encrypt"), row("client", "decrypt")]),
      );
    });

    it("counts the refused request once, on the server, with its reason and field", async () => {
      assert.deepEqual(await env.sums("szcrypt.failures"), [
        {
          attributes: {
            ...CALL,
            "szcrypt.side": "server",
            "szcrypt.operation": "decrypt",
            "szcrypt.reason": "decrypt_failed",
            "szcrypt.field": "sz.examples.v1.Payment.card_number",
          },
          value: 1,
        },
      ]);
    });

    it("runs both sides' work in child spans of the caller's span (the server through traceparent), and marks the failed decrypt", () => {
      const finished = env.spans.getFinishedSpans();
      const ours = (side: string) => finished.filter((s) => s.name.startsWith("szcrypt ") && s.attributes["szcrypt.side"] === side);
      const inCall = ours("client").filter((s) => s.spanContext().traceId === rpcSpan.spanContext().traceId);
      assert.deepEqual(summary(inCall), [
        ["szcrypt encrypt", SAMPLE_VALUES, "szc1", 0],
        ["szcrypt decrypt", SAMPLE_VALUES, "szc1", 0],
      ]);
      for (const span of inCall) {
        assert.equal(span.parentSpanContext?.spanId, rpcSpan.spanContext().spanId);
      }
      // The server has no span of its own here: its work joins the trace the caller sent.
      const serverInCall = ours("server").filter((s) => s.spanContext().traceId === rpcSpan.spanContext().traceId);
      assert.deepEqual(summary(serverInCall), [
        ["szcrypt decrypt", SAMPLE_VALUES, "szc1", 0],
        ["szcrypt encrypt", SAMPLE_VALUES, "szc1", 0],
      ]);
      for (const span of serverInCall) {
        assert.equal(span.parentSpanContext?.spanId, rpcSpan.spanContext().spanId);
      }
      assert.deepEqual(summary(ours("server")), [
        ["szcrypt decrypt", SAMPLE_VALUES, "szc1", 0],
        ["szcrypt encrypt", SAMPLE_VALUES, "szc1", 0],
        ["szcrypt decrypt", undefined, undefined, 2],
      ]);
    });
  });
}

function summary(spans: ReadableSpan[]) {
  return spans.map((s) => [s.name, s.attributes["szcrypt.fields"], s.attributes["szcrypt.format"], s.status.code]);
}

function sortRows(rows: { attributes: Record<string, unknown>; value: number }[]): string[] {
  return rows.map((r) => JSON.stringify({ attributes: Object.fromEntries(Object.entries(r.attributes).sort()), value: r.value })).sort();
}
