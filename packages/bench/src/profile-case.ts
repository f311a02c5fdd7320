// One gRPC case alone, for `node --cpu-prof` (scripts/bench-profile.sh):
//   node [--cpu-prof] dist/profile-case.js unary-32|unary-1|bidi-10k VARIANT one|two SECONDS
// Runs the case over and over for about SECONDS after one warm-up pass, so the
// profile holds that case and nothing else. With "two", the server is a child
// (profile it through SZCRYPT_BENCH_SERVER_ARGS="--cpu-prof …").
import { bidiRate, pair, unaryRate } from "./grpc.js";
import { isVariant } from "./grpc-variants.js";

const [shape, variant, processes, seconds = "20"] = process.argv.slice(2);
if (
  !(shape === "unary-32" || shape === "unary-1" || shape === "bidi-10k") ||
  !isVariant(variant) ||
  !(processes === "one" || processes === "two")
) {
  console.error("usage: profile-case.js unary-32|unary-1|bidi-10k VARIANT one|two [SECONDS]");
  process.exit(2);
}
const p = await pair(variant, processes);
const per = shape === "bidi-10k" ? 10_000 : 1000;
const once = () => (shape === "bidi-10k" ? bidiRate(p, per) : unaryRate(p, "sensitive", shape === "unary-32" ? 32 : 1, per));
// CPU time, not wall time: on a shared machine a profile's sample intervals include time spent descheduled.
const cpuAtStart = process.cpuUsage();
const rates: number[] = [await once()];
const until = Date.now() + Number(seconds) * 1000;
while (Date.now() < until) {
  rates.push(await once());
}
const { user, system } = process.cpuUsage(cpuAtStart);
await p.close();
const units = rates.length * per;
rates.sort((a, b) => a - b);
console.log(
  `${shape} ${variant} ${processes}: ${units} ${shape === "bidi-10k" ? "messages" : "calls"}, median ${Math.round(rates[Math.floor(rates.length / 2)] ?? 0)}/s, ${((user + system) / units).toFixed(1)} µs CPU per ${shape === "bidi-10k" ? "message" : "call"} in this process`,
);
