import {
  decryptJsonLegacy,
  decryptLegacy,
  decryptLegacyBytes,
  decryptSzc1,
  decryptSzc1Bytes,
  encryptJsonLegacy,
  encryptLegacy,
  encryptLegacyBytes,
  encryptSzc1,
  encryptSzc1Bytes,
  parseKeySpec,
  pythonFloatRepr,
  pythonJsonDumps,
} from "@szcrypt/core";
import { fromTypedValue, matchesTypedValue, type TypedValue } from "@szcrypt/core/vectors";
import fc from "fast-check";
import type { ConformanceCase } from "../case.js";
import type { PeerProcess, PeerResponse } from "./peer-process.js";

type Kind = "string" | "bytes" | "json" | "szc1-string" | "szc1-bytes";

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

const szc1KeyArb = fc.record({
  keySpec: fc
    .constantFrom(16, 32)
    .chain((size) => fc.uint8Array({ minLength: size, maxLength: size }).map((b) => `base64:${Buffer.from(b).toString("base64")}`)),
  keyId: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
  fieldName: fc.oneof(
    fc.constant("sz.examples.v1.Payment.card_number"),
    fc.stringMatching(/^[a-z][a-z0-9_.]{0,80}$/),
    fc.string({ unit: "binary", maxLength: 20 }),
  ),
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
export function crossCheckCases(peer: PeerProcess, perKind: number, seed: number, formats: readonly string[]): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const kinds: [Kind, fc.Arbitrary<unknown>][] = [
    ["string", textArb],
    ["bytes", fc.uint8Array({ maxLength: 300 })],
    ["json", jsonArb],
  ];
  const szc1Kinds: [Kind, fc.Arbitrary<unknown>][] = [
    ["szc1-string", textArb],
    ["szc1-bytes", fc.uint8Array({ maxLength: 300 })],
  ];
  if (formats.includes("szc1")) {
    for (const [kind, arb] of szc1Kinds) {
      const samples = fc.sample(fc.tuple(szc1KeyArb, arb), { numRuns: perKind * 2, seed: seed + kind.length });
      samples.forEach(([key, value], i) => {
        const direction = i % 2 === 0 ? "ts-to-peer" : "peer-to-ts";
        const run = direction === "ts-to-peer" ? () => szc1TsToPeer(peer, kind, key, value) : () => szc1PeerToTs(peer, kind, key, value);
        cases.push({ name: `peer/${direction}/${kind}/${Math.floor(i / 2) + 1}`, comment: `key id ${key.keyId.length} chars`, run });
      });
    }
  }
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

interface Szc1Key {
  readonly keySpec: string;
  readonly keyId: string;
  readonly fieldName: string;
}

async function szc1TsToPeer(peer: PeerProcess, kind: Kind, k: Szc1Key, value: unknown): Promise<void> {
  const key = parseKeySpec(k.keySpec, { id: k.keyId });
  const common = { op: "decrypt", format: "szc1", keySpec: k.keySpec, keyId: k.keyId, fieldName: k.fieldName } as const;
  if (kind === "szc1-string") {
    const r = expectOk(
      await peer.request({ ...common, type: "string", token: encryptSzc1(value as string, key, { fieldName: k.fieldName }) }),
      "decrypt szcrypt's szc1 token",
    );
    sameText("the peer's szc1 decryption", r["plaintext"], value as string);
  } else {
    const tokenHex = encryptSzc1Bytes(value as Uint8Array, key, { fieldName: k.fieldName }).toString("hex");
    const r = expectOk(await peer.request({ ...common, type: "bytes", tokenHex }), "decrypt szcrypt's szc1 bytes");
    sameText("the peer's szc1 decryption", r["plaintextHex"], Buffer.from(value as Uint8Array).toString("hex"));
  }
}

async function szc1PeerToTs(peer: PeerProcess, kind: Kind, k: Szc1Key, value: unknown): Promise<void> {
  const key = parseKeySpec(k.keySpec, { id: k.keyId });
  const common = { op: "encrypt", format: "szc1", keySpec: k.keySpec, keyId: k.keyId, fieldName: k.fieldName } as const;
  if (kind === "szc1-string") {
    const r = expectOk(await peer.request({ ...common, type: "string", plaintext: value }), "encrypt szc1");
    sameText(
      "szcrypt's szc1 decryption of the peer's token",
      decryptSzc1(String(r["token"]), key, { fieldName: k.fieldName }),
      value as string,
    );
  } else {
    const hex = Buffer.from(value as Uint8Array).toString("hex");
    const r = expectOk(await peer.request({ ...common, type: "bytes", plaintextHex: hex }), "encrypt szc1 bytes");
    const raw = Buffer.from(String(r["tokenHex"]), "hex");
    sameText("szcrypt's szc1 decryption of the peer's bytes", decryptSzc1Bytes(raw, key, { fieldName: k.fieldName }).toString("hex"), hex);
  }
}
