// `pnpm demo:client --target HOST:PORT [--format szc1]`: calls any PaymentService
// through szcrypt's client interceptor (legacy-cbc by default, key from SZCRYPT_KEY) with all four
// call kinds and every sensitive shape of Payment, checks each answer, prints
// what failed, and exits non-zero on any failure.
import { parseArgs } from "node:util";
import { credentials } from "@grpc/grpc-js";
import { PaymentService } from "@szcrypt/example";
import { createClientInterceptor, createGrpcClient } from "@szcrypt/grpc-js";
import { runAllChecks } from "./checks.js";
import { demoKeyOrExit, parseAccept, parseFormat } from "./key.js";

const { values } = parseArgs({
  options: { target: { type: "string" }, format: { type: "string" }, accept: { type: "string" }, help: { type: "boolean", short: "h" } },
});
if (values.help || values.target === undefined) {
  console.log(
    "usage: SZCRYPT_KEY=<key spec or keyring JSON> pnpm demo:client --target HOST:PORT [--format legacy-cbc|szc1] [--accept szc1,legacy-cbc]",
  );
  process.exit(values.help ? 0 : 2);
}
const format = parseFormat(values.format, "demo:client");
const accept = parseAccept(values.accept, format, "demo:client");
const key = demoKeyOrExit("demo:client");

const client = createGrpcClient(PaymentService, values.target, credentials.createInsecure(), {
  interceptors: [createClientInterceptor({ key, format, accept })],
});
const results = await runAllChecks(client);
client.close();
let failed = 0;
for (const r of results) {
  console.log(`${r.problems.length === 0 ? "✔" : "✘"} ${r.rpc} (${r.kind})`);
  for (const p of r.problems) {
    console.log(`    ${p}`);
  }
  failed += r.problems.length === 0 ? 0 : 1;
}
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
