// `pnpm demo`: szcrypt's main job, shown end to end. PaymentService runs on
// 127.0.0.1 with szcrypt's server interceptor; a client calls it through
// szcrypt's client interceptor with each of the four call kinds; for each
// sensitive field the demo shows what the handler saw, what crossed the wire,
// and whether the round trip held. Then two tenants share one service with
// their own keys, and one is crypto-shredded (tenants.ts). Demo data only: no
// real secret is printed.
import { create } from "@bufbuild/protobuf";
import { credentials, Server, ServerCredentials } from "@grpc/grpc-js";
import { grpcPaymentHandlers, type Payment, PaymentSchema, PaymentService } from "@szcrypt/example";
import { createClientInterceptor, createGrpcClient, createGrpcServiceDefinition, createServerInterceptor } from "@szcrypt/grpc-js";
import { clearSampleValues, SENSITIVE_MARK, startCapturingProxy } from "@szcrypt/testing";
import { type CheckResult, runAllChecks } from "./checks.js";
import { demoKey } from "./key.js";
import { runTenantDemo, TENANT_HEADER } from "./tenants.js";
import { clientWireTap, serverWireTap } from "./wire.js";

const handlerSaw: Payment[] = [];
const requestsOnWire: Payment[] = [];
const responsesOnWire: Payment[] = [];

async function main(): Promise<void> {
  const { key, source } = demoKey(true);

  const server = new Server({ interceptors: [serverWireTap(requestsOnWire), createServerInterceptor({ key })] });
  server.addService(
    createGrpcServiceDefinition(PaymentService),
    grpcPaymentHandlers((_method, request) => {
      if ("cardNumber" in request) {
        handlerSaw.push(request);
      } else if (request.template !== undefined) {
        handlerSaw.push(request.template);
      }
    }),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const capture = await startCapturingProxy(port);
  const client = createGrpcClient(PaymentService, `127.0.0.1:${capture.port}`, credentials.createInsecure(), {
    interceptors: [createClientInterceptor({ key }), clientWireTap(responsesOnWire)],
  });

  console.log("szcrypt demo: PaymentService over grpc-js, sensitive fields encrypted with legacy-cbc (the platform page's scheme)");
  console.log(`  server   127.0.0.1:${port}, behind a TCP proxy on :${capture.port} that records every byte`);
  console.log(`  key      ${key} (${source})`);
  console.log("");

  const results = await runAllChecks(client);
  const first = results[0] as CheckResult;
  printFieldTable(first, handlerSaw[0], requestsOnWire[0], responsesOnWire[0]);
  for (const r of results.slice(1)) {
    printStreamLine(r);
  }

  const bytes = capture.captured().toString("latin1");
  const leaked = bytes.split(SENSITIVE_MARK).length - 1;
  const clearFound = clearSampleValues(0).filter((v) => bytes.includes(v)).length;
  console.log("");
  console.log(
    `wire check: searched ${capture.captured().length.toLocaleString("en")} bytes of TCP traffic: ` +
      `${leaked} sensitive values in the clear, ${clearFound}/${clearSampleValues(0).length} clear values readable ${leaked === 0 && clearFound > 0 ? "✔" : "✘"}`,
  );

  client.close();
  await capture.close();
  server.forceShutdown();

  const problems = results.flatMap((r) => r.problems);
  if (leaked > 0) {
    problems.push("sensitive plaintext crossed the wire");
  }
  problems.push(...(await printTenants()));
  console.log(
    problems.length === 0
      ? "\nall four call kinds round-tripped: handlers saw plaintext, the wire carried ciphertext;\n" +
          "each tenant's values opened only in its own calls and records, and acme's died with its key."
      : `\nFAILED:\n  ${problems.join("\n  ")}`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
}

async function printTenants(): Promise<string[]> {
  console.log("");
  console.log(
    `▶ two tenants (${TENANT_HEADER}: acme, globex), one service: szc1, each tenant's keyring from a secrets manager (keyForCall),\n` +
      "  values bound to the tenant and the payment's id (contextFrom)",
  );
  let steps: Awaited<ReturnType<typeof runTenantDemo>>["steps"];
  try {
    ({ steps } = await runTenantDemo());
  } catch (err) {
    console.log(`  ✘ ${(err as Error).message}`);
    return [`tenants: ${(err as Error).message}`];
  }
  const width = Math.max(...steps.map((s) => s.label.length));
  for (const s of steps) {
    console.log(`  ${s.label.padEnd(width)}  ${s.detail}`);
  }
  return steps.filter((s) => !s.ok).map((s) => `tenants: ${s.label}: ${s.detail}`);
}

type Row = [path: string, get: (p: Payment | undefined) => string | Uint8Array | undefined];
const ROWS: Row[] = [
  ["card_number", (p) => p?.cardNumber],
  ["cardholder", (p) => p?.cardholder],
  ["notes[0]", (p) => p?.notes[0]],
  ["notes[1]", (p) => p?.notes[1]],
  ['attributes["tier"]', (p) => p?.attributes["tier"]],
  ["billing.line1", (p) => p?.billing?.line1],
  ["token (bytes)", (p) => p?.token],
  ["iban (oneof)", (p) => (p?.method.case === "iban" ? p.method.value : undefined)],
  ["previous[0].line1", (p) => p?.previous[0]?.line1],
];

function printFieldTable(r: CheckResult, saw: Payment | undefined, reqWire: Payment | undefined, resWire: Payment | undefined): void {
  console.log(`▶ ${r.rpc} (${r.kind}): each sensitive field of the request`);
  const head = ["field", "handler saw", "request on the wire", "response on the wire", "round trip"];
  const sentMessage = create(PaymentSchema, r.sent[0]);
  const rows = ROWS.map(([path, get]) => {
    const sent = get(sentMessage);
    const ok = sameValue(sent, get(saw)) && sameValue(sent, get(r.received[0]));
    return [path, show(get(saw)), wire(get(reqWire)), wire(get(resWire)), ok ? "✔" : "✘"];
  });
  printTable([head, ...rows]);
  console.log(`  clear fields stay clear: billing.city=${JSON.stringify(saw?.billing?.city)}, amount_cents=${saw?.amountCents}`);
  console.log(`  response id = SHA-256 of the card number the handler saw: ${r.problems.length === 0 ? "✔" : "✘"}`);
  console.log("");
}

function printStreamLine(r: CheckResult): void {
  const what =
    r.rpc === "Upload"
      ? `${r.sent.length} payments up; summary count=${r.summary?.count}, ids = SHA-256 of each card`
      : r.rpc === "Watch"
        ? `1 template up, ${r.received.length} payments down`
        : `${r.sent.length} payments up, ${r.received.length} down, in order`;
  console.log(`▶ ${r.rpc} (${r.kind}): ${what} ${r.problems.length === 0 ? "✔" : "✘"}`);
  for (const p of r.problems) {
    console.log(`    ✘ ${p}`);
  }
}

function sameValue(a: string | Uint8Array | undefined, b: string | Uint8Array | undefined): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return Buffer.from(a).equals(Buffer.from(b));
  }
  return a === b;
}

function show(v: string | Uint8Array | undefined): string {
  if (v === undefined) {
    return "(unset)";
  }
  if (v instanceof Uint8Array) {
    return `${v.length} bytes`;
  }
  return v.length > 34 ? `${JSON.stringify(v.slice(0, 31))}…` : JSON.stringify(v);
}

function wire(v: string | Uint8Array | undefined): string {
  if (v === undefined) {
    return "(unset)";
  }
  if (v.length === 0) {
    return "empty (stays empty)";
  }
  if (v instanceof Uint8Array) {
    return `${v.length} bytes iv‖ciphertext`;
  }
  return `${v.length} chars ${v.slice(0, 8)}…`;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? "")].length))) ?? [];
  for (const r of rows) {
    console.log(`  ${r.map((c, i) => c + " ".repeat((widths[i] ?? 0) - [...c].length)).join("  ")}`);
  }
}

await main();
