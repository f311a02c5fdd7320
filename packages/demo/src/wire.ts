// Taps that record messages as they cross the wire (outside szcrypt's
// interceptors), and a TCP proxy that records the raw bytes.
import { connect, createServer, type Socket } from "node:net";
import { InterceptingCall, type Interceptor, ServerInterceptingCall, type ServerInterceptor } from "@grpc/grpc-js";
import type { Payment } from "@szcrypt/example";

/** Server tap: must come first in the server's interceptors, so it sees requests before szcrypt decrypts them. */
export function serverWireTap(seen: Payment[]): ServerInterceptor {
  return (_method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            seen.push(message as Payment);
            nextMessage(message);
          },
        }),
    });
}

/** Client tap: must come last in the client's interceptors, so it sees responses before szcrypt decrypts them. */
export function clientWireTap(seen: Payment[]): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start: (metadata, _listener, next) =>
        next(metadata, {
          onReceiveMessage: (message, nextMessage) => {
            if (message !== null && typeof message === "object" && "cardNumber" in message) {
              seen.push(message as Payment);
            }
            nextMessage(message);
          },
        }),
    });
}

export interface TcpCapture {
  readonly port: number;
  bytes(): Buffer;
  close(): Promise<void>;
}

export async function startTcpCapture(targetPort: number): Promise<TcpCapture> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.on("data", (d) => chunks.push(Buffer.from(d)) && upstream.write(d));
    upstream.on("data", (d) => chunks.push(Buffer.from(d)) && client.write(d));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("capture proxy has no port");
  }
  return {
    port: address.port,
    bytes: () => Buffer.concat(chunks),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) {
          s.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
