// `pnpm bench:parts`: what the pieces of one 32-byte szc1 value cost, each
// alone, with node:crypto and Buffer operations equal to what szcrypt's szc1
// path does per value (packages/core/src/formats/szc1.ts). Prints ns per
// operation: orientation for where per-value work can go, not a target.
import { isUtf8 } from "node:buffer";
import { createCipheriv, createDecipheriv, randomBytes, randomFillSync } from "node:crypto";
import { createFieldCrypto, decryptSzc1, encryptSzc1, Keyring, parseKeySpec } from "@szcrypt/core";
import { Bench } from "tinybench";
import { Sensitive8Schema } from "./gen/sz/bench/v1/bench_pb.js";
import { sensitive8 } from "./plans.js";

const raw = Buffer.alloc(32, 7);
const key = parseKeySpec(`base64:${raw.toString("base64")}`, { id: "k1" });
const ring = Keyring.of(key);
const field = "sz.bench.v1.Sensitive8.f1";
const text = "value-1-".padEnd(32, "x");
const aadText = `szc1\0k1\0${field}`;
const aad = Buffer.from(aadText, "utf8");
const nonce = randomBytes(12);
const token = encryptSzc1(text, key, { fieldName: field });
const body = Buffer.from(token.slice(5), "base64url");
const sealed = (() => {
  const c = createCipheriv("aes-256-gcm", raw, nonce);
  c.setAAD(aad);
  return Buffer.concat([c.update(text, "utf8"), c.final(), c.getAuthTag()]);
})();
const pool = Buffer.allocUnsafe(4096);
const scratch = Buffer.alloc(32);
const crypto = createFieldCrypto({ key: ring, format: "szc1" });
const message = sensitive8();
const sealedMessage = crypto.encryptMessage(Sensitive8Schema, message);

const cases: Record<string, () => unknown> = {
  "szc1 encrypt, whole (encryptSzc1)": () => encryptSzc1(text, key, { fieldName: field }),
  "szc1 decrypt, whole (decryptSzc1 with a Keyring)": () => decryptSzc1(token, ring, { fieldName: field }),
  "szc1 decrypt, whole (decryptSzc1 with a bare key: Keyring.of per call)": () => decryptSzc1(token, key, { fieldName: field }),
  "message of 8 fields: encryptMessage ÷ 8": () => crypto.encryptMessage(Sensitive8Schema, message),
  "message of 8 fields: decryptMessage ÷ 8": () => crypto.decryptMessage(Sensitive8Schema, sealedMessage),
  "GCM seal: createCipheriv + setAAD + update + final + getAuthTag": () => {
    const c = createCipheriv("aes-256-gcm", raw, nonce, { authTagLength: 16 });
    c.setAAD(aad);
    c.update(text, "utf8");
    c.final();
    return c.getAuthTag();
  },
  "GCM open: createDecipheriv + setAAD + setAuthTag + update + final": () => {
    const d = createDecipheriv("aes-256-gcm", raw, nonce, { authTagLength: 16 });
    d.setAAD(aad);
    d.setAuthTag(sealed.subarray(32));
    d.update(sealed.subarray(0, 32));
    return d.final();
  },
  "createCipheriv aes-256-gcm alone": () => createCipheriv("aes-256-gcm", raw, nonce, { authTagLength: 16 }),
  "AAD bytes: Buffer.from(`szc1\\0id\\0field`)": () => Buffer.from(`szc1\0${"k1"}\0${field}`, "utf8"),
  "plaintext bytes: isWellFormed + allocUnsafeSlow + write": () => {
    if (!text.isWellFormed()) throw new Error();
    const out = Buffer.allocUnsafeSlow(Buffer.byteLength(text, "utf8"));
    out.write(text, "utf8");
    return out;
  },
  "token buffer: Buffer.allocUnsafeSlow(63)": () => Buffer.allocUnsafeSlow(63),
  "nonce: randomBytes(12)": () => randomBytes(12),
  "nonce: 12 bytes copied out of a 4 KiB CSPRNG pool": (() => {
    let at = 4096;
    return () => {
      if (at + 12 > 4096) {
        randomFillSync(pool);
        at = 0;
      }
      const out = Buffer.allocUnsafe(12);
      pool.copy(out, 0, at, at + 12);
      at += 12;
      return out;
    };
  })(),
  "base64url encode of the 59-byte body": () => body.toString("base64url"),
  "base64url strict decode: decode + re-encode + compare": () => {
    const b = Buffer.from(token.slice(5), "base64url");
    return b.toString("base64url") === token.slice(5) ? b : undefined;
  },
  "UTF-8 strict decode: isUtf8 + toString": () => (isUtf8(sealed.subarray(0, 32)) ? sealed.subarray(0, 32).toString("utf8") : undefined),
  "Keyring.of(key)": () => Keyring.of(key),
  "zeroing 32 bytes: fill(0)": () => scratch.fill(0),
};

const bench = new Bench({ time: 300, warmupTime: 50 });
for (const [name, fn] of Object.entries(cases)) bench.add(name, fn);
const load = (await import("node:os"))
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(" ");
await bench.run();
console.log(`Node.js ${process.version} (OpenSSL ${process.versions.openssl}); load average ${load} at the start\n`);
console.log("| operation, one 32-byte szc1 value | ns per op |\n| --- | ---: |");
for (const task of bench.tasks) {
  const r = task.result as { throughput?: { mean: number }; hz?: number } | undefined;
  const hz = r?.throughput?.mean ?? r?.hz ?? 0;
  const per = task.name.includes("÷ 8") ? 8 : 1;
  console.log(`| ${task.name} | ${Math.round(1e9 / hz / per).toLocaleString("en")} |`);
}
