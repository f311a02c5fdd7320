// The server half of the two-process gRPC cases: `fork(grpc-server.js, [variant])`.
// Reports its port over IPC and exits when the bench disconnects, so a server
// never outlives the run; `--cpu-prof` in its execArgv then writes its profile.
import { writeFileSync } from "node:fs";
import http2 from "node:http2";
import { isVariant, startEchoServer } from "./grpc-variants.js";

// An experiment, off by default: grpc-js sets TCP_NODELAY on its client
// connections only, and Node's http2 server leaves Nagle on for accepted sockets.
if (process.env["SZCRYPT_BENCH_SERVER_NODELAY"] === "1") {
  const createServer = http2.createServer;
  http2.createServer = ((options: http2.ServerOptions, listener?: () => void) =>
    createServer({ ...options, noDelay: true } as http2.ServerOptions, listener)) as typeof http2.createServer;
}

const variant = process.argv[2];
if (!isVariant(variant) || process.send === undefined) {
  console.error("grpc-server.js is started by the bench: fork(grpc-server.js, [variant])");
  process.exit(2);
}
const server = await startEchoServer(variant);
// CPU time spent serving (startup excluded), for scripts/bench-profile.sh's µs per call.
const cpuFile = process.env["SZCRYPT_BENCH_SERVER_CPU_FILE"];
const cpuAtStart = process.cpuUsage();
const stop = () => {
  server.shutdown();
  if (cpuFile !== undefined) {
    const { user, system } = process.cpuUsage(cpuAtStart);
    writeFileSync(cpuFile, `${user + system}\n`);
  }
  process.exit(0);
};
process.on("disconnect", stop);
process.on("SIGTERM", stop);
process.send({ port: server.port });
