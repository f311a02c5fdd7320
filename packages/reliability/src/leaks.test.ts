// No leaks: canary keys, plaintexts and tokens never appear in any error
// message, stack, cause, status detail, log line or inspected object produced
// across a run of every failure path szcrypt has, nor as bytes in any Buffer or
// typed array reachable from them (harness/canaries.ts). Everything written to
// stdout and stderr during the run is captured and searched too. The CLI's
// output is searched the same way by packages/cli/src/leaks.test.ts.
import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Http2Server, type ServerHttp2Session } from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";
import { create } from "@bufbuild/protobuf";
import { ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { createConnectClientInterceptor, createConnectServerInterceptor } from "@szcrypt/connect";
import {
  asyncKeyProvider,
  createFieldCrypto,
  decryptJsonLegacy,
  decryptLegacy,
  decryptSzc1,
  encryptLegacy,
  encryptSzc1,
  encryptSzc1Bytes,
  envKeyProvider,
  fileKeyProvider,
  Keyring,
  parseKeySpec,
  redactJson,
  SzcryptError,
} from "@szcrypt/core";
import { authorize, grpcPaymentHandlers, type Payment, PaymentSchema, PaymentService } from "@szcrypt/example";
import { createClientInterceptor, createServerInterceptor } from "@szcrypt/grpc-js";
import { samplePayment } from "@szcrypt/testing";
import { CanaryHunt, type Secret } from "./harness/canaries.js";
import { startServer, unary } from "./harness/grpc.js";

const KEY_TEXT = "CANARYKEY-0123456789abcdef-XYZ!!"; // 32 bytes: a utf8: AES-256 key
const KEY_HEX = "ca11ab1eca11ab1eca11ab1eca11ab1e";
const PLAIN = "CANARY-PLAINTEXT-4111-1111-1111-1111";
const key = parseKeySpec(`utf8:${KEY_TEXT}`, { id: "canary" });
const otherKey = parseKeySpec(`hex:${KEY_HEX}`, { id: "canary" }); // the same id: a wrong key, not an unknown one
const ring = new Keyring({ keys: [key], primary: "canary" });
const CARD = "sz.examples.v1.Payment.card_number";
const tokens: string[] = [
  encryptLegacy(PLAIN, key),
  encryptSzc1(PLAIN, key, { fieldName: "x" }),
  encryptLegacy(PLAIN, otherKey),
  encryptSzc1(PLAIN, key, { fieldName: CARD }),
];
const tokenBytes = (t: string) => (t.startsWith("szc1:") ? Buffer.from(t.slice(5), "base64url") : Buffer.from(t, "base64"));
const secrets: Secret[] = [
  { label: "utf8 key", bytes: Buffer.from(KEY_TEXT), text: KEY_TEXT },
  { label: "hex key", bytes: Buffer.from(KEY_HEX, "hex"), text: KEY_HEX },
  { label: "plaintext", bytes: Buffer.from(PLAIN), text: PLAIN },
  { label: "plaintext prefix", bytes: Buffer.from("CANARY-PLAINTEXT"), text: "CANARY-PLAINTEXT" },
  ...tokens.map((t, i) => ({ label: `token ${i}`, bytes: tokenBytes(t), text: t })),
  ...tokens.map((t, i) => ({ label: `token ${i} (part)`, bytes: Buffer.alloc(0), text: t.slice(5, 30) })),
];
const hunt = new CanaryHunt(secrets);

/** Texts (already rendered) and values (walked for strings and bytes) to search. */
const collected: { label: string; text?: string; value?: unknown }[] = [];
const collect = (label: string, value: unknown) => {
  const text =
    value instanceof Error
      ? `${value.message}\n${value.stack}\n${inspect(value, { depth: 6, showHidden: true })}`
      : typeof value === "string"
        ? value
        : inspect(value, { depth: 6, showHidden: true });
  collected.push({ label, text, value });
};
function attempt(label: string, fn: () => unknown): void {
  try {
    collect(`${label} (result)`, fn());
  } catch (err) {
    collect(label, err);
  }
}
async function attemptAsync(label: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    collect(`${label} (result)`, await fn());
  } catch (err) {
    collect(label, err);
  }
}

describe("no leaks across every failure path", () => {
  const writes: string[] = [];
  const stdout = process.stdout.write.bind(process.stdout);
  const stderr = process.stderr.write.bind(process.stderr);
  before(() => {
    process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
      writes.push(String(chunk));
      return stdout(chunk as string, ...(rest as []));
    }) as typeof process.stdout.write;
    process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
      writes.push(String(chunk));
      return stderr(chunk as string, ...(rest as []));
    }) as typeof process.stderr.write;
  });
  after(() => {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  });

  it("core: keys, key specs, keyrings, codecs and field crypto", () => {
    collect("key", [String(key), JSON.stringify(key), inspect(key, { showHidden: true, depth: 4 })]);
    const ring = new Keyring({ keys: [key], primary: "canary" });
    collect("keyring", [String(ring), JSON.stringify(ring), inspect(ring, { showHidden: true, depth: 4 })]);
    attempt("bare key", () => parseKeySpec(KEY_HEX));
    attempt("bad hex", () => parseKeySpec(`hex:${KEY_HEX}zz`));
    attempt("short utf8", () => parseKeySpec(`utf8:${KEY_TEXT.slice(0, 20)}`));
    attempt("bad base64", () => parseKeySpec(`base64:${KEY_TEXT}`));
    attempt("keyring json", () => Keyring.parse(JSON.stringify({ primary: "a", keys: { a: `utf8:${KEY_TEXT.slice(0, 9)}` } })));
    attempt("keyring no primary", () => Keyring.parse(JSON.stringify({ primary: "zz", keys: { a: `utf8:${KEY_TEXT}` } })));
    process.env["SZCRYPT_LEAK_TEST"] = `hex:${KEY_HEX.slice(0, 10)}`;
    attempt("env provider", () => envKeyProvider("SZCRYPT_LEAK_TEST"));
    for (const t of tokens) {
      // A key none of the tokens was made with.
      attempt("decrypt other key", () => decryptLegacy(t, parseKeySpec(`hex:${"00".repeat(16)}`)));
      attempt("decrypt szc1", () => decryptSzc1(t, key, { fieldName: "y" }));
      attempt("decrypt json", () => decryptJsonLegacy(t, key));
    }
    attempt("lone surrogate", () => encryptLegacy(`${PLAIN}\ud800`, key));
    const crypto = createFieldCrypto({ key, format: "szc1" });
    attempt("field encrypt", () => crypto.encryptMessage(PaymentSchema, create(PaymentSchema, { cardNumber: `${PLAIN}\udc00` })));
    attempt("field decrypt", () => crypto.decryptMessage(PaymentSchema, create(PaymentSchema, { cardNumber: PLAIN, notes: tokens })));
    collect("redactJson", redactJson(PaymentSchema, create(PaymentSchema, { cardNumber: PLAIN, attributes: { k: PLAIN } })));
  });

  it("transport: statuses, onError reports and their causes", async () => {
    const reports: unknown[] = [];
    const server = await startServer([createServerInterceptor({ key, onError: (e) => reports.push(e) })]);
    try {
      const plain = server.client();
      for (const t of [...tokens, PLAIN]) {
        const r = await unary(plain, { cardNumber: t, cardholder: t });
        collect("status", r);
      }
      const wrong = server.client([createClientInterceptor({ key: otherKey, onError: (e) => reports.push(e) })]);
      collect("status wrong key", await unary(wrong, { ...samplePayment(1), cardNumber: PLAIN }));
      const lone = server.client([createClientInterceptor({ key, onError: (e) => reports.push(e) })]);
      collect("status lone surrogate", await unary(lone, { cardNumber: `${PLAIN}\ud800` }));
    } finally {
      await server.close();
    }
    assert.ok(reports.length >= 5);
    for (const r of reports) {
      collect("onError", r);
    }
  });

  it("key providers: file and async provider errors, at start and on reload", async () => {
    const dir = mkdtempSync(join(tmpdir(), "szcrypt-leaks-"));
    try {
      const file = join(dir, "key");
      attempt("file provider, missing file", () => fileKeyProvider(join(dir, "none")));
      writeFileSync(file, `hex:${KEY_HEX}zz`);
      attempt("file provider, bad spec", () => fileKeyProvider(file));
      writeFileSync(file, JSON.stringify({ primary: "a", keys: { a: `utf8:${KEY_TEXT.slice(0, 9)}`, b: `utf8:${KEY_TEXT}` } }));
      attempt("file provider, bad keyring", () => fileKeyProvider(file));
      // A reload that fails is reported through onError.
      writeFileSync(file, `utf8:${KEY_TEXT}`);
      const errors: SzcryptError[] = [];
      const provider = fileKeyProvider(file, { pollIntervalMs: 5, onError: (e) => errors.push(e) });
      writeFileSync(`${file}.new`, `utf8:${KEY_TEXT}${KEY_HEX}`);
      renameSync(`${file}.new`, file);
      for (let i = 0; i < 200 && errors.length === 0; i++) {
        await sleep(5);
      }
      provider.close();
      assert.ok(errors.length > 0, "the failed reload was reported");
      for (const e of errors) {
        collect("file provider reload onError", e);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    // A secrets manager's own error may hold what it fetched: as bytes only, or quoted in its message.
    const managerError = Object.assign(new Error("access denied"), {
      code: "AccessDeniedException",
      secretBinary: Buffer.from(KEY_TEXT),
      body: new Uint8Array(Buffer.from(KEY_HEX, "hex")),
    });
    const quotingError = new TypeError(`could not parse secret ${KEY_TEXT}`);
    await attemptAsync("async provider, load rejects (bytes)", () => asyncKeyProvider(() => Promise.reject(managerError)).ready());
    await attemptAsync("async provider, load rejects (message)", () => asyncKeyProvider(() => Promise.reject(quotingError)).ready());
    await attemptAsync("async provider, load throws a string", () => asyncKeyProvider(() => Promise.reject(KEY_TEXT)).ready());
    await attemptAsync("async provider, bad spec", () => asyncKeyProvider(async () => `utf8:${KEY_TEXT}!`).ready());
    await attemptAsync("async provider, not yet", async () => asyncKeyProvider(() => new Promise(() => {})).current());
    const refreshErrors: SzcryptError[] = [];
    let fail = false;
    const refreshing = asyncKeyProvider(async () => (fail ? Promise.reject(managerError) : `utf8:${KEY_TEXT}`), {
      refreshIntervalMs: 5,
      onError: (e) => refreshErrors.push(e),
    });
    await refreshing.ready();
    fail = true;
    for (let i = 0; i < 200 && refreshErrors.length === 0; i++) {
      await sleep(5);
    }
    refreshing.close();
    assert.ok(refreshErrors.length > 0, "the failed refresh was reported");
    for (const e of refreshErrors) {
      collect("async provider refresh onError", e);
    }
  });

  it("grpc-js: a szc1 server, and a client whose responses cannot be decrypted", async () => {
    const reports: unknown[] = [];
    const szc1Server = await startServer([createServerInterceptor({ key: ring, format: "szc1", onError: (e) => reports.push(e) })]);
    try {
      const plain = szc1Server.client();
      for (const t of [
        ...tokens,
        PLAIN,
        `szc1:${tokenBytes(tokens[3] ?? "")
          .toString("base64url")
          .slice(0, -3)}`,
      ]) {
        collect("szc1 status", await unary(plain, { cardNumber: t, cardholder: t }));
      }
      const wrong = szc1Server.client([createClientInterceptor({ key: otherKey, format: "szc1", onError: (e) => reports.push(e) })]);
      collect("szc1 status wrong key", await unary(wrong, { ...samplePayment(1), cardNumber: PLAIN }));
    } finally {
      await szc1Server.close();
    }
    // A server without szcrypt that answers with tokens the client cannot decrypt, or plaintext.
    let answer = "";
    const { Server, ServerCredentials, credentials } = await import("@grpc/grpc-js");
    const { createGrpcClient, createGrpcServiceDefinition } = await import("@szcrypt/grpc-js");
    const server = new Server();
    server.addService(createGrpcServiceDefinition(PaymentService), {
      ...grpcPaymentHandlers(),
      authorize: (_call: unknown, cb: (e: null, v: Payment) => void) =>
        cb(null, create(PaymentSchema, { cardNumber: answer, cardholder: answer })),
    });
    const port = await new Promise<number>((res, rej) =>
      server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
    );
    const client = createGrpcClient(PaymentService, `127.0.0.1:${port}`, credentials.createInsecure(), {
      interceptors: [createClientInterceptor({ key: ring, accept: ["legacy-cbc", "szc1"], onError: (e) => reports.push(e) })],
    });
    try {
      for (const t of [
        tokens[2] ?? "",
        tokens[1] ?? "",
        PLAIN,
        Buffer.from(encryptSzc1Bytes(Buffer.from(PLAIN), otherKey, { fieldName: CARD })).toString("latin1"),
      ]) {
        answer = t;
        const r = await new Promise<unknown>((resolve) =>
          client.authorize(samplePayment(1), (err: unknown, value: unknown) => resolve(err ?? value)),
        );
        collect("client response decrypt", r);
      }
    } finally {
      client.close();
      server.forceShutdown();
    }
    assert.ok(reports.length >= 10, `${reports.length} reports`);
    for (const r of reports) {
      collect("onError", r);
    }
  });

  it("Connect: server and client interceptors, statuses and onError reports", async () => {
    const reports: unknown[] = [];
    const onError = (e: SzcryptError) => reports.push(e);
    let clearAnswer: string | undefined;
    // Put szcrypt's server interceptor first; the one before it lets a test answer in the clear.
    const clear: Interceptor = (next) => async (req) => {
      const res = await next(req);
      return clearAnswer === undefined || res.stream ? res : { ...res, message: create(PaymentSchema, { cardNumber: clearAnswer }) };
    };
    const sessions = new Set<ServerHttp2Session>();
    const start = async (interceptors: Interceptor[]) => {
      const server: Http2Server = createServer(
        connectNodeAdapter({
          routes: (router) =>
            router.service(PaymentService, {
              authorize: (p) => authorize(p),
              upload: async () => ({}),
              async *watch() {},
              async *exchange() {},
            }),
          interceptors,
        }),
      );
      server.on("session", (session) => sessions.add(session));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const address = server.address();
      assert.ok(address !== null && typeof address !== "string");
      return { server, baseUrl: `http://127.0.0.1:${address.port}` };
    };
    const close = (server: Http2Server) =>
      new Promise<void>((resolve) => {
        for (const session of sessions) {
          session.destroy();
        }
        server.close(() => resolve());
      });
    const servers = await Promise.all([
      start([createConnectServerInterceptor({ key, onError })]),
      start([createConnectServerInterceptor({ key: ring, format: "szc1", onError })]),
      start([clear]),
    ]);
    try {
      for (const { baseUrl } of servers.slice(0, 2)) {
        const transport = (interceptors: Interceptor[]) => createGrpcTransport({ baseUrl, interceptors });
        const plain = createClient(PaymentService, transport([]));
        for (const t of [...tokens, PLAIN]) {
          await attemptAsync("connect status", () => plain.authorize({ cardNumber: t, cardholder: t }, { timeoutMs: 10_000 }));
        }
        const wrong = createClient(PaymentService, transport([createConnectClientInterceptor({ key: otherKey, onError })]));
        await attemptAsync("connect wrong key", () => wrong.authorize({ ...samplePayment(1), cardNumber: PLAIN }, { timeoutMs: 10_000 }));
        const lone = createClient(PaymentService, transport([createConnectClientInterceptor({ key, onError })]));
        await attemptAsync("connect lone surrogate", () => lone.authorize({ cardNumber: `${PLAIN}\ud800` }, { timeoutMs: 10_000 }));
      }
      const baseUrl = servers[2]?.baseUrl ?? "";
      const client = createClient(
        PaymentService,
        createGrpcTransport({ baseUrl, interceptors: [createConnectClientInterceptor({ key, onError })] }),
      );
      for (const t of [tokens[2] ?? "", tokens[1] ?? "", PLAIN]) {
        clearAnswer = t;
        await attemptAsync("connect response decrypt", () => client.authorize(samplePayment(2), { timeoutMs: 10_000 }));
      }
    } finally {
      await Promise.all(servers.map((s) => close(s.server)));
    }
    assert.ok(reports.length >= 12, `${reports.length} reports`);
    for (const r of reports) {
      collect("connect onError", r);
    }
    assert.ok(collected.some((c) => c.value instanceof ConnectError));
  });

  it("the hunt is not blind to bytes: a key or plaintext held as bytes in a cause is found", () => {
    const cases: [string, unknown][] = [
      ["Buffer in a cause", new Error("x", { cause: { data: Buffer.from(KEY_TEXT) } })],
      ["Uint8Array in a cause", new SzcryptError("KEY_UNAVAILABLE", "x", { cause: new Uint8Array(Buffer.from(KEY_HEX, "hex")) })],
      ["ArrayBuffer", { body: new Uint8Array(Buffer.from(PLAIN)).buffer }],
      ["subarray of a larger buffer", [Buffer.concat([Buffer.alloc(100), Buffer.from(KEY_TEXT)]).subarray(90)]],
      [
        "hidden property",
        Object.defineProperty(new Error("x"), "raw", { value: Buffer.from(tokenBytes(tokens[0] ?? "")), enumerable: false }),
      ],
    ];
    for (const [label, value] of cases) {
      assert.ok(hunt.inValue(value) !== undefined, `${label}: not found`);
    }
    const texts: [string, string][] = [
      ["inspected Buffer", inspect({ cause: Buffer.from(KEY_TEXT) })],
      ["inspected Uint8Array", inspect({ cause: new Uint8Array(Buffer.from(KEY_HEX, "hex")) }, { showHidden: true })],
      ["inspected ArrayBuffer", inspect(new Uint8Array(Buffer.from(PLAIN)).buffer)],
    ];
    for (const [label, text] of texts) {
      assert.ok(hunt.inText(text) !== undefined, `${label}: not found in ${text}`);
    }
    assert.equal(hunt.inValue({ a: Buffer.from("nothing secret here"), b: "text" }), undefined);
  });

  it("finds no canary in anything collected or written", () => {
    assert.ok(collected.length > 60, `only ${collected.length} things collected`);
    const leaks: string[] = [];
    for (const c of collected) {
      const found = (c.text === undefined ? undefined : hunt.inText(c.text)) ?? hunt.inValue(c.value);
      if (found !== undefined) {
        leaks.push(`${c.label}: ${found}`);
      }
    }
    for (const w of writes) {
      const found = hunt.inText(w);
      if (found !== undefined) {
        leaks.push(`output: ${found}`);
      }
    }
    // Labels only: the test's own message must not carry the canary either.
    assert.deepEqual(leaks, []);
  });
});
