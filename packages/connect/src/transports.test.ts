// The shared transport scenario (@szcrypt/testing) over every transport
// @szcrypt/connect meets: Connect clients over the gRPC, Connect and gRPC-Web
// protocols against a connect-node server, and across to @szcrypt/grpc-js (a
// Connect client against a grpc-js server, a grpc-js client against a
// connect-node server).
import { type Client, ConnectError, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { credentials } from "@grpc/grpc-js";
import { parseKeySpec } from "@szcrypt/core";
import { PaymentService } from "@szcrypt/example";
import { createClientInterceptor, createGrpcClient, createGrpcServiceDefinition, createServerInterceptor } from "@szcrypt/grpc-js";
import {
  connectPaymentHandlers,
  grpcScenarioCalls,
  grpcStatus,
  type PaymentInit,
  type RunningServer,
  runTenantScenario,
  runTransportScenario,
  type ScenarioCalls,
  type ScenarioFormat,
  type ScenarioOptions,
  startConnectServer,
  startGrpcServer,
  type TransportUnderTest,
} from "@szcrypt/testing";
import { createConnectClientInterceptor, createConnectServerInterceptor } from "./interceptors.js";

const KEY = parseKeySpec("base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
const TIMEOUT = { timeoutMs: 10_000 };

type Protocol = "grpc" | "connect" | "grpc-web";
function transport(protocol: Protocol, port: number, interceptors: Interceptor[]): Transport {
  const options = { baseUrl: `http://127.0.0.1:${port}`, httpVersion: "2" as const, interceptors };
  return protocol === "grpc"
    ? createGrpcTransport(options)
    : protocol === "connect"
      ? createConnectTransport(options)
      : createGrpcWebTransport(options);
}

async function* items<T>(values: readonly T[]): AsyncIterable<T> {
  yield* values;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) {
    out.push(v);
  }
  return out;
}

function connectCalls(client: Client<typeof PaymentService>, headers: Readonly<Record<string, string>> = {}): ScenarioCalls {
  const options = { ...TIMEOUT, headers };
  return {
    authorize: (r) => client.authorize(r, options),
    upload: (rs) => client.upload(items(rs), options),
    watch: (r) => collect(client.watch(r, options)),
    exchange: (rs) => collect(client.exchange(items(rs), options)),
  };
}

function connectNodeServer(format: ScenarioFormat | undefined, answer?: PaymentInit): Promise<RunningServer> {
  return startConnectServer(format === undefined ? [] : [createConnectServerInterceptor({ key: KEY, format })], (seen) =>
    connectPaymentHandlers(seen, answer),
  );
}

function grpcJsServer(format: ScenarioFormat | undefined, answer?: PaymentInit): Promise<RunningServer> {
  return startGrpcServer({
    definition: createGrpcServiceDefinition(PaymentService),
    interceptors: format === undefined ? [] : [createServerInterceptor({ key: KEY, format })],
    ...(answer === undefined ? {} : { answer }),
  });
}

function connectClients(protocol: Protocol): TransportUnderTest["clients"] {
  return (port, format) => ({
    szcrypt: connectCalls(createClient(PaymentService, transport(protocol, port, [createConnectClientInterceptor({ key: KEY, format })]))),
    plain: connectCalls(createClient(PaymentService, transport(protocol, port, []))),
    // connect-node's HTTP/2 sessions end with the server, which the scenario closes.
    close: () => {},
  });
}

const connectStatus: TransportUnderTest["status"] = (err) => {
  const e = ConnectError.from(err);
  return { code: e.code, message: e.rawMessage };
};

for (const protocol of ["grpc", "connect", "grpc-web"] as const) {
  runTransportScenario(`Connect client (${protocol} protocol) → connect-node server`, {
    startServer: connectNodeServer,
    clients: connectClients(protocol),
    status: connectStatus,
  });
}

runTransportScenario("Connect client (gRPC protocol) → grpc-js server with @szcrypt/grpc-js", {
  startServer: grpcJsServer,
  clients: connectClients("grpc"),
  status: connectStatus,
});

runTransportScenario("grpc-js client with @szcrypt/grpc-js → connect-node server", {
  startServer: connectNodeServer,
  clients: (port, format) => {
    const szcrypt = createGrpcClient(PaymentService, `127.0.0.1:${port}`, credentials.createInsecure(), {
      interceptors: [createClientInterceptor({ key: KEY, format })],
    });
    const plain = createGrpcClient(PaymentService, `127.0.0.1:${port}`, credentials.createInsecure());
    return {
      szcrypt: grpcScenarioCalls(szcrypt),
      plain: grpcScenarioCalls(plain),
      close: () => {
        szcrypt.close();
        plain.close();
      },
    };
  },
  // connect-node percent-encodes grpc-message as the gRPC spec says, and grpc-js
  // decodes it with decodeURI, which leaves reserved characters (":" is %3A)
  // encoded: decode what grpc-js leaves, as a gRPC client should.
  status: (err) => {
    const { code, message } = grpcStatus(err);
    return { code, message: decodeURIComponent(message) };
  },
});

// Per-tenant keys and context binding (#19): Connect clients against a
// connect-node server, and across to a grpc-js server with @szcrypt/grpc-js.
const connectTenantClient =
  (protocol: Protocol) => (port: number, options: ScenarioOptions | undefined, headers: Readonly<Record<string, string>>) => ({
    calls: connectCalls(
      createClient(PaymentService, transport(protocol, port, options === undefined ? [] : [createConnectClientInterceptor(options)])),
      headers,
    ),
    close: () => {},
  });

for (const protocol of ["grpc", "connect"] as const) {
  runTenantScenario(`Connect client (${protocol} protocol) → connect-node server`, {
    startServer: (options, answer) =>
      startConnectServer(options === undefined ? [] : [createConnectServerInterceptor(options)], (seen) =>
        connectPaymentHandlers(seen, answer),
      ),
    client: connectTenantClient(protocol),
    status: connectStatus,
  });
}

runTenantScenario("Connect client (gRPC protocol) → grpc-js server with @szcrypt/grpc-js", {
  startServer: (options, answer) =>
    startGrpcServer({
      definition: createGrpcServiceDefinition(PaymentService),
      interceptors: options === undefined ? [] : [createServerInterceptor(options)],
      ...(answer === undefined ? {} : { answer }),
    }),
  client: connectTenantClient("grpc"),
  status: connectStatus,
});
