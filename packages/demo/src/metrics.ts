// The demo server's Prometheus endpoint: szcrypt's OpenTelemetry metrics
// through @opentelemetry/exporter-prometheus, on an HTTP server of our own so
// that port 0 works and the bound port can be printed.
import { createServer, type Server } from "node:http";
import type { MeterProvider as ApiMeterProvider } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";

/** A running metrics endpoint. */
export interface MetricsEndpoint {
  /** For the interceptors' `telemetry.meterProvider`. */
  readonly meterProvider: ApiMeterProvider;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves Prometheus text on `http://HOST:PORT/metrics`.
 *
 * Prometheus names: `szcrypt_fields_total`, `szcrypt_failures_total` and
 * `szcrypt_duration_seconds`. This exporter version adds `_total` to counters
 * but not the unit to names, so a view names the histogram with its unit, as
 * Prometheus's conventions want.
 */
export async function serveMetrics(host: string, port: number): Promise<MetricsEndpoint> {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({
    readers: [exporter],
    views: [{ instrumentName: "szcrypt.duration", name: "szcrypt.duration.seconds" }],
  });
  const server: Server = createServer((req, res) => {
    if (req.method === "GET" && (req.url ?? "").split("?")[0] === "/metrics") {
      exporter.getMetricsRequestHandler(req, res);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found: metrics are at /metrics\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === "object" && address !== null ? address.port : port;
  return {
    meterProvider,
    port: bound,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await meterProvider.shutdown();
    },
  };
}
