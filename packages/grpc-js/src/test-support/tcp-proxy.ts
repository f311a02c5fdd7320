// A TCP proxy on loopback that records every byte crossing it, both ways.
import { connect, createServer, type Server, type Socket } from "node:net";

export interface CapturingProxy {
  readonly port: number;
  /** Everything sent client → server and server → client so far. */
  captured(): Buffer;
  close(): Promise<void>;
}

export async function startCapturingProxy(targetPort: number): Promise<CapturingProxy> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    client.on("data", (d) => {
      chunks.push(Buffer.from(d));
      upstream.write(d);
    });
    upstream.on("data", (d) => {
      chunks.push(Buffer.from(d));
      client.write(d);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("proxy has no port");
  }
  return {
    port: address.port,
    captured: () => Buffer.concat(chunks),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) {
          s.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
