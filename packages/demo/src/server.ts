// `pnpm demo:server --port N [--format szc1] [--accept szc1,legacy-cbc] [--metrics-port M]`:
// PaymentService with szcrypt's server interceptor (legacy-cbc by default, key
// from SZCRYPT_KEY), serving until stopped, for clients written in any language,
// and with --metrics-port szcrypt's metrics as Prometheus text on /metrics.
// It runs with szcrypt's defaults, the legacy-cbc oracle guard included: what
// an independent attack against it meets is what a service gets.
import { parseArgs } from "node:util";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { isOracleGuardRefusal, ORACLE_GUARD_DEFAULTS } from "@szcrypt/core";
import { grpcPaymentHandlers, PaymentService } from "@szcrypt/example";
import { createGrpcServiceDefinition, createServerInterceptor } from "@szcrypt/grpc-js";
import { demoKeyOrExit, parseAccept, parseFormat } from "./key.js";
import { type MetricsEndpoint, serveMetrics } from "./metrics.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "50051" },
    host: { type: "string", default: "127.0.0.1" },
    format: { type: "string" },
    accept: { type: "string" },
    "metrics-port": { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(
    "usage: SZCRYPT_KEY=<key spec or keyring JSON> pnpm demo:server [--port 50051] [--host 127.0.0.1] [--format legacy-cbc|szc1]\n" +
      "         [--accept szc1,legacy-cbc] [--metrics-port M (Prometheus text on http://HOST:M/metrics)]\n\n" +
      "Runs with szcrypt's defaults. With legacy-cbc accepted that includes the padding-oracle guard: a value carrying a\n" +
      `ciphertext block that failed to decrypt ${ORACLE_GUARD_DEFAULTS.threshold} times within ${ORACLE_GUARD_DEFAULTS.windowMs / 60_000} minutes is refused, without decrypting,\n` +
      `for ${ORACLE_GUARD_DEFAULTS.refuseMs / 60_000} minutes, with the same INVALID_ARGUMENT as any other failure; refusals are logged (see SECURITY.md).`,
  );
  process.exit(0);
}
const port = portOrExit("--port", values.port);
const metricsPort = values["metrics-port"] === undefined ? undefined : portOrExit("--metrics-port", values["metrics-port"]);
const format = parseFormat(values.format, "demo:server");
const accept = parseAccept(values.accept, format, "demo:server");
const key = demoKeyOrExit("demo:server");

let metricsEndpoint: MetricsEndpoint | undefined;
if (metricsPort !== undefined) {
  try {
    metricsEndpoint = await serveMetrics(values.host, metricsPort);
  } catch (err) {
    console.error(`demo:server: cannot serve metrics on ${values.host}:${metricsPort}: ${(err as Error).message}`);
    process.exit(1);
  }
  console.log(`Prometheus metrics at http://${values.host}:${metricsEndpoint.port}/metrics`);
}

const server = new Server({
  interceptors: [
    createServerInterceptor({
      key,
      format,
      accept,
      onError: (e, ctx) =>
        console.error(
          `szcrypt: ${ctx.method}: ${e.code} ${e.message}${isOracleGuardRefusal(e) ? " [refused by the oracle guard: padding-oracle probing?]" : ""}`,
        ),
      ...(metricsEndpoint === undefined ? {} : { telemetry: { meterProvider: metricsEndpoint.meterProvider } }),
    }),
  ],
});
server.addService(createGrpcServiceDefinition(PaymentService), grpcPaymentHandlers());
server.bindAsync(`${values.host}:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
  if (err) {
    console.error(`demo:server: cannot listen on ${values.host}:${port}: ${err.message}`);
    process.exit(1);
  }
  console.log(`PaymentService listening on ${values.host}:${bound} (${format}, accepts ${accept.join(" and ")}, key ${key})`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.tryShutdown(() => void (metricsEndpoint?.close() ?? Promise.resolve()).finally(() => process.exit(0))));
}

function portOrExit(flag: string, text: string): number {
  const n = Number(text);
  if (text === "" || !Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`demo:server: ${flag} must be a port number, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}
