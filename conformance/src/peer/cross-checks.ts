import {
  decryptJsonLegacy,
  decryptLegacy,
  decryptLegacyBytes,
  encryptJsonLegacy,
  encryptLegacy,
  encryptLegacyBytes,
  parseKeySpec,
  pythonFloatRepr,
  pythonJsonDumps,
} from "@szcrypt/core";
import { fromTypedValue, matchesTypedValue, type TypedValue } from "@szcrypt/core/vectors";
import fc from "fast-check";
import type { ConformanceCase } from "../case.js";
import type { PeerProcess, PeerResponse } from "./peer-process.js";

type Kind = "string" | "bytes" | "json";

const keySpecArb: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(16, 24, 32), fc.constantFrom("hex", "utf8", "base64"))
  .chain(([size, reading]) => {
    if (reading === "utf8") {
      // Printable ASCII: one byte per character, so the text is `size` bytes.
      return fc
        .string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: size, maxLength: size })
        .map((t) => `utf8:${t}`);
    }
    return fc
      .uint8Array({ minLength: size, maxLength: size })
      .map((b) => `${reading}:${Buffer.from(b).toString(reading as "hex" | "base64")}`);
  });

const textArb = fc.oneof(
  fc.string({ unit: "binary", maxLength: 120 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.string({ maxLength: 40 }),
);

/** A JS JSON value in the typed form: safe integers are ints, other numbers floats. */
function typed(value: unknown): TypedValue {
  if (value === null) {
    return { null: null };
  }
  switch (typeof value) {
    case "boolean":
      return { bool: value };
    case "string":
      return { str: value };
    case "number":
      return Number.isSafeInteger(value) && !Object.is(value, -0)
        ? { int: String(value) }
        : { float: pythonFloatRepr(value).toLowerCase().replace("infinity", "inf") };
    default:
      if (Array.isArray(value)) {
        return { list: value.map(typed) };
      }
      return { dict: Object.entries(value as object).map(([k, v]) => [k, typed(v)] as const) };
  }
}

const jsonArb = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.dictionary(fc.string(), fc.double())).map(typed);

/**
 * Random cross-checks against a peer, both ways: szcrypt encrypts and the peer
 * decrypts; the peer encrypts and szcrypt decrypts; strings, bytes fields and
 * dicts, under random keys of every size and reading. Reproducible by seed.
 */
export function crossCheckCases(peer: PeerProcess, perKind: number, seed: number): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const kinds: [Kind, fc.Arbitrary<unknown>][] = [
    ["string", textArb],
    ["bytes", fc.uint8Array({ maxLength: 300 })],
    ["json", jsonArb],
  ];
  for (const [kind, arb] of kinds) {
    const samples = fc.sample(fc.tuple(keySpecArb, arb), { numRuns: perKind * 2, seed: seed + kind.length });
    samples.forEach(([keySpec, value], i) => {
      const direction = i % 2 === 0 ? "ts-to-peer" : "peer-to-ts";
      const run = direction === "ts-to-peer" ? () => tsToPeer(peer, kind, keySpec, value) : () => peerToTs(peer, kind, keySpec, value);
      cases.push({ name: `peer/${direction}/${kind}/${Math.floor(i / 2) + 1}`, comment: `${keySpec.split(":")[0]} key`, run });
    });
  }
  return cases;
}

function expectOk(r: PeerResponse, what: string): PeerResponse {
  if (!r.ok) {
    throw new Error(`the peer could not ${what}: ${r.error ?? "no reason given"}`);
  }
  return r;
}

function sameText(what: string, got: unknown, expected: string): void {
  if (got !== expected) {
    const g = typeof got === "string" ? got : "";
    let i = 0;
    while (i < g.length && g[i] === expected[i]) {
      i++;
    }
    throw new Error(
      `${what} differs at offset ${i} (got ${typeof got === "string" ? `${g.length} chars` : typeof got}, expected ${expected.length})`,
    );
  }
}

async function tsToPeer(peer: PeerProcess, kind: Kind, keySpec: string, value: unknown): Promise<void> {
  const key = parseKeySpec(keySpec);
  if (kind === "string") {
    const r = expectOk(
      await peer.request({ op: "decrypt", format: "legacy-cbc", type: kind, keySpec, token: encryptLegacy(value as string, key) }),
      "decrypt szcrypt's token",
    );
    sameText("the peer's decryption", r["plaintext"], value as string);
  } else if (kind === "bytes") {
    const token = encryptLegacyBytes(value as Uint8Array, key).toString("hex");
    const r = expectOk(
      await peer.request({ op: "decrypt", format: "legacy-cbc", type: kind, keySpec, tokenHex: token }),
      "decrypt szcrypt's bytes",
    );
    sameText("the peer's decryption", r["plaintextHex"], Buffer.from(value as Uint8Array).toString("hex"));
  } else {
    const t = value as TypedValue;
    const js = fromTypedValue(t);
    const r = expectOk(
      await peer.request({ op: "decrypt", format: "legacy-cbc", type: kind, keySpec, token: encryptJsonLegacy(js, key) }),
      "decrypt szcrypt's dict",
    );
    sameText("the text the peer decrypted (szcrypt's pythonJsonDumps)", r["plaintext"], pythonJsonDumps(js));
    if (JSON.stringify(r["json"]) !== JSON.stringify(t)) {
      throw new Error("json.loads on the peer gave a value other than the one szcrypt sent");
    }
  }
}

async function peerToTs(peer: PeerProcess, kind: Kind, keySpec: string, value: unknown): Promise<void> {
  const key = parseKeySpec(keySpec);
  if (kind === "string") {
    const r = expectOk(await peer.request({ op: "encrypt", format: "legacy-cbc", type: kind, keySpec, plaintext: value }), "encrypt");
    sameText("szcrypt's decryption of the peer's token", decryptLegacy(String(r["token"]), key), value as string);
  } else if (kind === "bytes") {
    const r = expectOk(
      await peer.request({
        op: "encrypt",
        format: "legacy-cbc",
        type: kind,
        keySpec,
        plaintextHex: Buffer.from(value as Uint8Array).toString("hex"),
      }),
      "encrypt",
    );
    sameText(
      "szcrypt's decryption of the peer's bytes",
      decryptLegacyBytes(Buffer.from(String(r["tokenHex"]), "hex"), key).toString("hex"),
      Buffer.from(value as Uint8Array).toString("hex"),
    );
  } else {
    const t = value as TypedValue;
    const r = expectOk(await peer.request({ op: "encrypt", format: "legacy-cbc", type: kind, keySpec, json: t }), "encrypt a dict");
    const pythonText = String(r["plaintext"]);
    sameText("szcrypt's decryption of the peer's dict", decryptLegacy(String(r["token"]), key), pythonText);
    sameText("szcrypt's pythonJsonDumps against Python's json.dumps", pythonJsonDumps(fromTypedValue(t)), pythonText);
    if (!matchesTypedValue(decryptJsonLegacy(String(r["token"]), key, { objects: "map" }), t)) {
      throw new Error("decryptJsonLegacy gave a value other than the one the peer sent");
    }
  }
}
