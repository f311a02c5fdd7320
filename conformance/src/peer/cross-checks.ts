import { createCipheriv } from "node:crypto";
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
import fc from "fast-check";
import type { ConformanceCase } from "../case.js";
import { fromTypedValue, matchesTypedValue, type TypedValue } from "../vectors/typed-value.js";
import { CONTEXT_FORMAT, contextCheckCases } from "./context-checks.js";
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

/** A JS JSON value in the typed form, bigints included (Python ints of any size). */
function typedDeep(value: unknown): TypedValue {
  return typeof value === "bigint" ? { int: value.toString() } : typed(value);
}

// What json.dumps gets wrong most often: non-ASCII text (ensure_ascii), big
// ints, NaN and the infinities, -0.0 and the exponent forms of float repr.
const jsonEdgeArb = fc.dictionary(
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 30 }),
    fc.string({ unit: "binary", maxLength: 20 }),
    fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
    fc.double(),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e16, 1e-7, 0.1, 1e300),
    fc.boolean(),
    fc.constant(null),
  ),
  { maxKeys: 8 },
);

const jsonArb: fc.Arbitrary<TypedValue> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map(typed),
  fc.dictionary(fc.string(), fc.double()).map(typed),
  jsonEdgeArb.map((d): TypedValue => ({ dict: Object.entries(d).map(([k, v]) => [k, typedDeep(v)] as [string, TypedValue]) })),
);

/**
 * Random cross-checks against a peer, both ways: szcrypt encrypts and the peer
 * decrypts; the peer encrypts and szcrypt decrypts; strings, bytes fields and
 * dicts, under random keys of every size and reading; szc1 when `formats`
 * lists it, and szc1 bound to a context when it lists `szc1-context`
 * (context-checks.ts). Reproducible by seed.
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
  cases.push(...invalidTokenCases(peer, Math.max(2, Math.ceil(perKind / 20)), seed));
  if (formats.includes(CONTEXT_FORMAT)) {
    // A quarter as many as the other kinds: each sends up to 16 parts of up to 1 KiB.
    cases.push(...contextCheckCases(peer, Math.max(8, Math.ceil(perKind / 4)), seed, (raw, offset) => noteIv(raw, offset, 12)));
  }
  // Last: every IV and nonce the peer chose in the cases above.
  cases.push({
    name: "peer/peer-to-ts/ivs-unique/1",
    comment: "no IV or nonce repeats across the peer's encryptions",
    run: () => checkIvsUnique(),
  });
  return cases;
}

// The IVs (legacy-cbc) and nonces (szc1) of every token the peer made, as hex.
const peerIvs: string[] = [];

function noteIv(raw: Uint8Array, offset: number, length: number): void {
  peerIvs.push(Buffer.from(raw.subarray(offset, offset + length)).toString("hex"));
}

function checkIvsUnique(): void {
  if (peerIvs.length < 2) {
    throw new Error("no peer encryption ran before this case: select some peer/peer-to-ts cases with it");
  }
  const seen = new Set<string>();
  for (const iv of peerIvs) {
    if (seen.has(iv)) {
      throw new Error(`the peer used the same IV or nonce twice in ${peerIvs.length} encryptions: each value needs a fresh random one`);
    }
    seen.add(iv);
  }
}

/** The raw key bytes of a key spec (the runner's own reading, independent of the library's parser). */
function keyBytes(spec: string): Buffer {
  const colon = spec.indexOf(":");
  const body = spec.slice(colon + 1);
  const reading = spec.slice(0, colon);
  return reading === "hex" ? Buffer.from(body, "hex") : reading === "base64" ? Buffer.from(body, "base64") : Buffer.from(body, "utf8");
}

/** iv ‖ AES-CBC(key, iv, blocks) with no padding added: `blocks` carries whatever padding the case wants. */
function cbcRaw(key: Buffer, iv: Uint8Array, blocks: Uint8Array): Buffer {
  const cipher = createCipheriv(`aes-${key.length * 8}-cbc`, key, iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([iv, cipher.update(blocks), cipher.final()]);
}

type Shape = "bad-padding-zero" | "bad-padding-too-long" | "bad-padding-mixed" | "truncated" | "iv-only" | "invalid-utf8";

/** A token that no correct implementation decrypts, whatever the key reading. */
function invalidToken(shape: Shape, keySpec: string, bytes: Uint8Array): Buffer {
  const key = keyBytes(keySpec);
  const iv = bytes.subarray(0, 16);
  const body = Buffer.from(bytes.subarray(16, 48)); // two blocks of random plaintext
  switch (shape) {
    case "bad-padding-zero":
      body[31] = 0;
      return cbcRaw(key, iv, body);
    case "bad-padding-too-long":
      body[31] = 17 + ((bytes[48] ?? 0) % 239); // 17..255: longer than a block
      return cbcRaw(key, iv, body);
    case "bad-padding-mixed": {
      const n = 2 + ((bytes[48] ?? 0) % 15); // 2..16
      body.fill(n, 32 - n);
      body[32 - n] = n ^ 0x01; // one padding byte that disagrees
      return cbcRaw(key, iv, body);
    }
    case "truncated": {
      const whole = cbcRaw(key, iv, Buffer.concat([body.subarray(0, 16), Buffer.alloc(16, 16)]));
      return whole.subarray(0, whole.length - 1 - ((bytes[48] ?? 0) % 15));
    }
    case "iv-only":
      return Buffer.from(iv);
    case "invalid-utf8": {
      // Valid PKCS#7 around bytes that are not UTF-8 (a lone continuation byte and 0xff).
      const plain = Buffer.concat([Buffer.from([0x41, 0x80, 0xff, 0x42]), Buffer.alloc(12, 12)]);
      return cbcRaw(key, iv, plain);
    }
  }
}

function invalidTokenCases(peer: PeerProcess, perShape: number, seed: number): ConformanceCase[] {
  const shapes: [Shape, readonly ("string" | "bytes" | "json")[]][] = [
    ["bad-padding-zero", ["string", "bytes"]],
    ["bad-padding-too-long", ["string", "bytes"]],
    ["bad-padding-mixed", ["string", "bytes"]],
    ["truncated", ["string", "bytes"]],
    ["iv-only", ["string", "bytes"]],
    ["invalid-utf8", ["string", "json"]],
  ];
  const cases: ConformanceCase[] = [];
  for (const [shape, types] of shapes) {
    for (const type of types) {
      const samples = fc.sample(fc.tuple(keySpecArb, fc.uint8Array({ minLength: 49, maxLength: 49 })), {
        numRuns: perShape,
        seed: seed + shape.length * 31 + type.length,
      });
      samples.forEach(([keySpec, bytes], i) => {
        cases.push({
          name: `peer/ts-to-peer-invalid/${type}-${shape}/${i + 1}`,
          comment: `the peer must refuse it (${keySpec.split(":")[0]} key)`,
          run: async () => {
            const raw = invalidToken(shape, keySpec, bytes);
            const token = type === "bytes" ? { tokenHex: raw.toString("hex") } : { token: raw.toString("base64") };
            const r = await peer.request({ op: "decrypt", format: "legacy-cbc", type, keySpec, ...token });
            if (r.ok) {
              throw new Error(
                `the peer decrypted a ${shape} token; it must answer ok: false (fail closed, and the same way for every cause)`,
              );
            }
          },
        });
      });
    }
  }
  return cases;
}

function expectOk(r: PeerResponse, what: string): PeerResponse {
  if (!r.ok) {
    // The peer's own error text is not echoed: a peer may quote its inputs, and this line goes to CI logs.
    throw new Error(`the peer could not ${what} (it answered ok: false; run it by hand to see why)`);
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
    const token = Buffer.from(encryptLegacyBytes(value as Uint8Array, key)).toString("hex");
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
    sameText("the text the peer decrypted, against Python's default json.dumps as szcrypt writes it,", r["plaintext"], pythonJsonDumps(js));
    if (JSON.stringify(r["json"]) !== JSON.stringify(t)) {
      throw new Error("json.loads on the peer gave a value other than the one szcrypt sent");
    }
  }
}

async function peerToTs(peer: PeerProcess, kind: Kind, keySpec: string, value: unknown): Promise<void> {
  const key = parseKeySpec(keySpec);
  if (kind === "string") {
    const r = expectOk(await peer.request({ op: "encrypt", format: "legacy-cbc", type: kind, keySpec, plaintext: value }), "encrypt");
    noteIv(Buffer.from(String(r["token"]), "base64"), 0, 16);
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
    noteIv(Buffer.from(String(r["tokenHex"]), "hex"), 0, 16);
    sameText(
      "szcrypt's decryption of the peer's bytes",
      Buffer.from(decryptLegacyBytes(Buffer.from(String(r["tokenHex"]), "hex"), key)).toString("hex"),
      Buffer.from(value as Uint8Array).toString("hex"),
    );
  } else {
    const t = value as TypedValue;
    const r = expectOk(await peer.request({ op: "encrypt", format: "legacy-cbc", type: kind, keySpec, json: t }), "encrypt a dict");
    const pythonText = String(r["plaintext"]);
    noteIv(Buffer.from(String(r["token"]), "base64"), 0, 16);
    sameText("szcrypt's decryption of the peer's dict", decryptLegacy(String(r["token"]), key), pythonText);
    sameText(
      "the text the peer encrypted, against Python's default json.dumps (ensure_ascii, ', ' and ': ' separators), as szcrypt writes it,",
      pythonText,
      pythonJsonDumps(fromTypedValue(t)),
    );
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
    const tokenHex = Buffer.from(encryptSzc1Bytes(value as Uint8Array, key, { fieldName: k.fieldName })).toString("hex");
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
    sameText(
      "szcrypt's szc1 decryption of the peer's bytes",
      Buffer.from(decryptSzc1Bytes(raw, key, { fieldName: k.fieldName })).toString("hex"),
      hex,
    );
  }
}
