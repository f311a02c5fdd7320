import { spawnSync } from "node:child_process";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  decryptLegacy,
  decryptLegacyBytes,
  decryptSzc1,
  encryptLegacy,
  encryptLegacyBytes,
  encryptSzc1,
  parseKeySpec,
} from "@szcrypt/core";
import { Bench } from "tinybench";
import { type Row, row } from "./report.js";

const KEY_HEX = "000102030405060708090a0b0c0d0e0f";
const key = parseKeySpec(`hex:${KEY_HEX}`);
const raw = Buffer.from(KEY_HEX, "hex");

// The hand-written baseline: what a careful developer writes with node:crypto alone.
function nodeEncrypt(text: string): string {
  const iv = randomBytes(16);
  const c = createCipheriv("aes-128-cbc", raw, iv);
  return Buffer.concat([iv, c.update(text, "utf8"), c.final()]).toString("base64");
}
function nodeDecrypt(token: string): string {
  const b = Buffer.from(token, "base64");
  const d = createDecipheriv("aes-128-cbc", raw, b.subarray(0, 16));
  return Buffer.concat([d.update(b.subarray(16)), d.final()]).toString("utf8");
}

// szc1 by hand: the same token (conformance/SPEC.md) from node:crypto's AES-GCM
// with a fresh 12-byte nonce per value. The AAD names the field, so a function
// `encrypt(text, field)` builds it per call, as szcrypt's callers would.
const GCM_KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const KEY_ID = "k1";
const FIELD = "sz.bench.v1.Sensitive8.f1";
/** The szc1 codec cases' key (id "k1") and field. */
export const gcmKey = parseKeySpec(`hex:${GCM_KEY_HEX}`, { id: KEY_ID });
export const GCM_FIELD = FIELD;
const gcmRaw = Buffer.from(GCM_KEY_HEX, "hex");
const gcmAad = (keyId: string, field: string) => Buffer.from(`szc1\0${keyId}\0${field}`, "utf8");
/** szc1 encryption written by hand with node:crypto: the baseline of `codec/szc1/encrypt-32B`. */
export function nodeGcmEncrypt(text: string, field: string): string {
  const nonce = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", gcmRaw, nonce);
  c.setAAD(gcmAad(KEY_ID, field));
  const body = Buffer.concat([
    Buffer.from([KEY_ID.length]),
    Buffer.from(KEY_ID, "ascii"),
    nonce,
    c.update(text, "utf8"),
    c.final(),
    c.getAuthTag(),
  ]);
  return `szc1:${body.toString("base64url")}`;
}
/** szc1 decryption written by hand with node:crypto: the baseline of `codec/szc1/decrypt-32B`. */
export function nodeGcmDecrypt(token: string, field: string): string {
  const b = Buffer.from(token.slice(5), "base64url");
  const idEnd = 1 + (b[0] ?? 0);
  const d = createDecipheriv("aes-256-gcm", gcmRaw, b.subarray(idEnd, idEnd + 12));
  d.setAAD(gcmAad(b.subarray(1, idEnd).toString("ascii"), field));
  d.setAuthTag(b.subarray(b.length - 16));
  return Buffer.concat([d.update(b.subarray(idEnd + 12, b.length - 16)), d.final()]).toString("utf8");
}

async function opsPerSec(fns: Record<string, () => unknown>, time = 250): Promise<Record<string, number>> {
  const bench = new Bench({ time, warmupTime: 50 });
  for (const [name, fn] of Object.entries(fns)) {
    bench.add(name, fn);
  }
  await bench.run();
  const out: Record<string, number> = {};
  for (const task of bench.tasks) {
    const r = task.result as { throughput?: { mean: number }; hz?: number } | undefined;
    out[task.name] = r?.throughput?.mean ?? r?.hz ?? 0;
  }
  return out;
}

function pythonReference(): Record<string, number> | undefined {
  const reference = join(dirname(fileURLToPath(import.meta.url)), "../../../conformance/python");
  if (!existsSync("/usr/bin/python3")) {
    return undefined;
  }
  const r = spawnSync("/usr/bin/python3", [reference, "bench-reference"], { encoding: "utf8", timeout: 60_000 });
  return r.status === 0 ? JSON.parse(r.stdout) : undefined;
}

function opensslCbcBytesPerSec(): number | undefined {
  const r = spawnSync("openssl", ["speed", "-evp", "aes-128-cbc", "-bytes", "1048576", "-seconds", "1"], {
    encoding: "utf8",
    timeout: 60_000,
  });
  const m = /AES-128-CBC\s+([\d.]+)k/i.exec(r.stdout ?? "");
  return m === null ? undefined : Number(m[1]) * 1000;
}

export async function codecRows(selected: (name: string) => boolean, notes: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  const python = selected("legacy/") ? pythonReference() : undefined;
  if (selected("legacy/") && python === undefined) {
    notes.push("Python reference: /usr/bin/python3 with python3-pycryptodome not available; its ratios are left out.");
  }
  for (const size of [32, 1024]) {
    const text = "x".repeat(size);
    const token = encryptLegacy(text, key);
    for (const op of ["encrypt", "decrypt"] as const) {
      const name = `legacy/${op}-${size}B`;
      if (!selected(name)) {
        continue;
      }
      const ours = op === "encrypt" ? () => encryptLegacy(text, key) : () => decryptLegacy(token, key);
      const base = op === "encrypt" ? () => nodeEncrypt(text) : () => nodeDecrypt(token);
      const r = await opsPerSec({ szcrypt: ours, node: base });
      rows.push(
        row("codec", name, r["szcrypt"] ?? 0, { name: "node:crypto by hand", opsPerSec: r["node"] ?? 1 }, size === 32 ? 1.5 : undefined),
      );
      const py = python?.[`${op}-${size}`];
      if (py !== undefined) {
        rows.push(
          row("codec", `${name} vs Python`, r["szcrypt"] ?? 0, { name: "Python reference", opsPerSec: py }, size === 32 ? 1.5 : undefined),
        );
      }
    }
  }
  {
    // The baseline must do the same work: each side opens the other's token.
    const text = "x".repeat(32);
    const ours = encryptSzc1(text, gcmKey, { fieldName: FIELD });
    const theirs = nodeGcmEncrypt(text, FIELD);
    if (nodeGcmDecrypt(ours, FIELD) !== text || decryptSzc1(theirs, gcmKey, { fieldName: FIELD }) !== text) {
      throw new Error("bench: the hand-written AES-GCM baseline does not produce szc1 tokens");
    }
    for (const op of ["encrypt", "decrypt"] as const) {
      const name = `szc1/${op}-32B`;
      if (!selected(name)) {
        continue;
      }
      const r = await opsPerSec(
        op === "encrypt"
          ? { szcrypt: () => encryptSzc1(text, gcmKey, { fieldName: FIELD }), node: () => nodeGcmEncrypt(text, FIELD) }
          : { szcrypt: () => decryptSzc1(ours, gcmKey, { fieldName: FIELD }), node: () => nodeGcmDecrypt(ours, FIELD) },
      );
      rows.push(row("codec", name, r["szcrypt"] ?? 0, { name: "node:crypto AES-256-GCM by hand", opsPerSec: r["node"] ?? 1 }, 1.5));
    }
  }
  if (selected("legacy/bytes-1MiB")) {
    const mib = randomBytes(1 << 20);
    const sealed = encryptLegacyBytes(mib, key);
    const r = await opsPerSec(
      {
        "szcrypt encrypt": () => encryptLegacyBytes(mib, key),
        "node encrypt": () => {
          const c = createCipheriv("aes-128-cbc", raw, randomBytes(16));
          return Buffer.concat([c.update(mib), c.final()]);
        },
        "szcrypt decrypt": () => decryptLegacyBytes(sealed, key),
        "node decrypt": () => {
          const d = createDecipheriv("aes-128-cbc", raw, sealed.subarray(0, 16));
          return Buffer.concat([d.update(sealed.subarray(16)), d.final()]);
        },
      },
      500,
    );
    rows.push(
      row("codec", "legacy/bytes-1MiB-encrypt", r["szcrypt encrypt"] ?? 0, {
        name: "node:crypto by hand",
        opsPerSec: r["node encrypt"] ?? 1,
      }),
    );
    rows.push(
      row("codec", "legacy/bytes-1MiB-decrypt", r["szcrypt decrypt"] ?? 0, {
        name: "node:crypto by hand",
        opsPerSec: r["node decrypt"] ?? 1,
      }),
    );
    const openssl = opensslCbcBytesPerSec();
    if (openssl === undefined) {
      notes.push("openssl speed not available: the 1 MiB ratio against it is left out.");
    } else {
      rows.push(
        row(
          "codec",
          "legacy/bytes-1MiB-encrypt vs openssl",
          r["szcrypt encrypt"] ?? 0,
          { name: "openssl speed aes-128-cbc, 1 core", opsPerSec: openssl / (1 << 20) },
          0.8,
        ),
      );
    }
  }
  return rows;
}
