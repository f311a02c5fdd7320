// `pnpm demo:server --port N [--format szc1]`: PaymentService with szcrypt's
// server interceptor (legacy-cbc by default, key from SZCRYPT_KEY), serving
// until stopped, for clients written in any language.
import { parseArgs } from "node:util";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import { grpcPaymentHandlers, PaymentService } from "@szcrypt/example";
import { createGrpcServiceDefinition, createServerInterceptor } from "@szcrypt/grpc-js";
import { demoKeyOrExit, parseFormat } from "./key.js";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "50051" },
    host: { type: "string", default: "127.0.0.1" },
    format: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(
    "usage: SZCRYPT_KEY=<key spec or keyring JSON> pnpm demo:server [--port 50051] [--host 127.0.0.1] [--format legacy-cbc|szc1]",
  );
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`demo:server: --port must be a port number, got ${JSON.stringify(values.port)}`);
  process.exit(2);
}
const format = parseFormat(values.format, "demo:server");
const key = demoKeyOrExit("demo:server");

const server = new Server({
  interceptors: [
    createServerInterceptor({ key, format, onError: (e, ctx) => console.error(`szcrypt: ${ctx.method}: ${e.code} ${e.message}`) }),
  ],
});
server.addService(createGrpcServiceDefinition(PaymentService), grpcPaymentHandlers());
server.bindAsync(`${values.host}:${port}`, ServerCredentials.createInsecure(), (err, bound) => {
  if (err) {
    console.error(`demo:server: cannot listen on ${values.host}:${port}: ${err.message}`);
    process.exit(1);
  }
  console.log(`PaymentService listening on ${values.host}:${bound} (${format}, key ${key})`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.tryShutdown(() => process.exit(0)));
}
