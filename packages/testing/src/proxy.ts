// A TCP proxy on loopback that records every byte crossing it both ways: how
// tests (and the demo) show what a sensitive field looks like on the wire.
import { connect, createServer, type Socket } from "node:net";

export interface CapturingProxy {
  readonly port: number;
  /** Everything sent client → server and server → client so far. */
  captured(): Buffer;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, port 0, and forwards to 127.0.0.1:targetPort. */
export async function startCapturingProxy(targetPort: number): Promise<CapturingProxy> {
  const chunks: Buffer[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {});
    }
    const pipe = (from: Socket, to: Socket) =>
      from.on("data", (d: Buffer) => {
        chunks.push(Buffer.from(d));
        to.write(d);
      });
    pipe(client, upstream);
    pipe(upstream, client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") {
    throw new Error("the capturing proxy has no port");
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
