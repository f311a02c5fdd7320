// No leaks: canary keys, plaintexts and tokens never appear in any error
// message, stack, cause, status detail, log line or inspected object produced
// across a run of every failure path szcrypt has. Everything written to stdout
// and stderr during the run is captured and searched too.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { inspect } from "node:util";
import { create } from "@bufbuild/protobuf";
import {
  createFieldCrypto,
  decryptJsonLegacy,
  decryptLegacy,
  decryptSzc1,
  encryptLegacy,
  encryptSzc1,
  envKeyProvider,
  Keyring,
  parseKeySpec,
  redactJson,
} from "@szcrypt/core";
import { PaymentSchema, samplePayment } from "@szcrypt/example";
import { createClientInterceptor, createServerInterceptor } from "@szcrypt/grpc-js";
import { startServer, unary } from "./harness/grpc.js";

const KEY_TEXT = "CANARYKEY-0123456789abcdef-XYZ!!"; // 32 bytes: a utf8: AES-256 key
const KEY_HEX = "ca11ab1eca11ab1eca11ab1eca11ab1e";
const PLAIN = "CANARY-PLAINTEXT-4111-1111-1111-1111";
const key = parseKeySpec(`utf8:${KEY_TEXT}`, { id: "canary" });
const otherKey = parseKeySpec(`hex:${KEY_HEX}`);
const tokens: string[] = [encryptLegacy(PLAIN, key), encryptSzc1(PLAIN, key, { fieldName: "x" }), encryptLegacy(PLAIN, otherKey)];
const canaries = [
  KEY_TEXT,
  KEY_HEX,
  Buffer.from(KEY_TEXT).toString("hex"),
  Buffer.from(KEY_TEXT).toString("base64"),
  Buffer.from(KEY_HEX, "hex").toString("base64"),
  PLAIN,
  "CANARY-PLAINTEXT",
  ...tokens,
  ...tokens.map((t) => t.slice(5, 30)),
];

const collected: string[] = [];
const collect = (label: string, value: unknown) => {
  const text =
    value instanceof Error
      ? `${value.message}\n${value.stack}\n${inspect(value, { depth: 6, showHidden: true })}`
      : typeof value === "string"
        ? value
        : inspect(value, { depth: 6, showHidden: true });
  collected.push(`${label}: ${text}`);
};
function attempt(label: string, fn: () => unknown): void {
  try {
    collect(`${label} (result)`, fn());
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
      attempt("decrypt other key", () =>
        decryptLegacy(t, otherKey.fingerprint === key.fingerprint ? key : parseKeySpec(`hex:${"00".repeat(16)}`)),
      );
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

  it("finds no canary in anything collected or written", () => {
    collected.push(...writes.map((w) => `output: ${w}`));
    assert.ok(collected.length > 30, `only ${collected.length} texts collected`);
    for (const text of collected) {
      for (const canary of canaries) {
        assert.ok(
          !text.includes(canary),
          `a canary (${canary.slice(0, 6)}…) leaked in: ${text.slice(0, 120).replaceAll(canary, "<canary>")}`,
        );
      }
    }
  });
});
