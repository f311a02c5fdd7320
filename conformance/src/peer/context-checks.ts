import { createDecipheriv } from "node:crypto";
import { decryptSzc1, decryptSzc1Bytes, encryptLegacy, encryptSzc1, encryptSzc1Bytes, parseKeySpec, type SzcryptKey } from "@szcrypt/core";
import fc from "fast-check";
import type { ConformanceCase } from "../case.js";
import type { PeerProcess, PeerResponse } from "./peer-process.js";

/** The `hello` format that says a peer implements SPEC.md's "Context binding". */
export const CONTEXT_FORMAT = "szc1-context";

type Form = "string" | "bytes";

interface ContextKey {
  readonly keySpec: string;
  readonly keyId: string;
  readonly fieldName: string;
}

const keyArb: fc.Arbitrary<ContextKey> = fc.record({
  keySpec: fc
    .constantFrom(16, 32)
    .chain((size) => fc.uint8Array({ minLength: size, maxLength: size }).map((b) => `base64:${Buffer.from(b).toString("base64")}`)),
  keyId: fc.stringMatching(/^[A-Za-z0-9._-]{1,64}$/),
  fieldName: fc.oneof(fc.constant("sz.examples.v1.Payment.card_number"), fc.stringMatching(/^[a-z][a-z0-9_.]{0,60}$/)),
});

const utf8 = (text: string) => Buffer.from(text, "utf8");

// Parts as services make them (tenant and record ids, non-ASCII text) and as SPEC.md allows
// them (any bytes, zero bytes, empty, up to 1024 bytes).
const partArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[a-z0-9_-]{1,24}$/).map(utf8) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }).map(utf8) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1000, maxLength: 1024 }).map((b) => Buffer.from(b)) },
);

// The edges first, so that every run has them whatever the seed; then random contexts of 1-16 parts.
const edgeContexts: Buffer[][] = [
  [Buffer.alloc(0)],
  [utf8("tenant-a"), Buffer.alloc(0)],
  [utf8("Zoë Ångström"), utf8("東京 😀")],
  Array.from({ length: 16 }, (_, i) => utf8(`part-${i}`)),
  [Buffer.alloc(1024, 0xa5)],
  [Buffer.of(0), Buffer.of(0x61, 0, 0x62)],
];
const contextArb: fc.Arbitrary<Buffer[]> = fc.array(partArb, { minLength: 1, maxLength: 16 });

const textArb = fc.oneof(fc.string({ unit: "grapheme", maxLength: 60 }), fc.string({ maxLength: 40 }));
const bytesArb = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b));

const hexParts = (context: readonly Buffer[]) => context.map((p) => p.toString("hex"));
const describe = (context: readonly Buffer[]) => `${context.length} part(s), ${context.reduce((n, p) => n + p.length, 0)} bytes`;

/**
 * The live checks of SPEC.md's "Context binding", for a peer whose `hello`
 * lists `szc1-context`: bound values both ways under random contexts (the
 * edges first: an empty part, non-ASCII parts, 16 parts, a 1024-byte part),
 * and the refusals a correct peer makes (another context, the same bytes with
 * the parts shifted, an unbound value where a context is given, contexts
 * outside the limits) and the one refusal told apart (`contextRequired`).
 * Reproducible by seed. `onNonce` gets each nonce the peer chose.
 */
export function contextCheckCases(
  peer: PeerProcess,
  perKind: number,
  seed: number,
  onNonce: (raw: Uint8Array, offset: number) => void,
): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const form of ["string", "bytes"] as const) {
    const valueArb: fc.Arbitrary<string | Buffer> = form === "string" ? textArb : bytesArb;
    const samples = fc.sample(fc.tuple(keyArb, contextArb, valueArb), { numRuns: perKind * 2, seed: seed + 101 + form.length });
    samples.forEach(([key, random, value], i) => {
      const n = Math.floor(i / 2);
      const context = edgeContexts[n] ?? random;
      const direction = i % 2 === 0 ? "ts-to-peer" : "peer-to-ts";
      cases.push({
        name: `peer/${direction}/szc1-context-${form}/${n + 1}`,
        comment: describe(context),
        run: () =>
          direction === "ts-to-peer"
            ? boundTsToPeer(peer, form, key, context, value)
            : boundPeerToTs(peer, form, key, context, value, onNonce),
      });
    });
  }
  cases.push(...refusalCases(peer, Math.max(2, Math.ceil(perKind / 20)), seed));
  return cases;
}

function refusalCases(peer: PeerProcess, per: number, seed: number): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  // Two parts at least, the second one at least 1 byte long: shifting its first byte into the first part.
  const shiftableArb = fc.tuple(contextArb, fc.uint8Array({ minLength: 1, maxLength: 30 })).map(([c, second]) => {
    const parts = c.slice(0, 15);
    parts.splice(1, 0, Buffer.from(second));
    return parts;
  });
  for (const form of ["string", "bytes"] as const) {
    const valueArb: fc.Arbitrary<string | Buffer> = form === "string" ? textArb : bytesArb;
    const samples = fc.sample(fc.tuple(keyArb, shiftableArb, contextArb, valueArb), { numRuns: per, seed: seed + 211 + form.length });
    samples.forEach(([key, context, other, value], i) => {
      const name = (check: string) => `peer/context-refused/${check}-${form}/${i + 1}`;
      const tsBound = () => tsToken(form, key, value, context);
      const another = sameContext(other, context) ? [...other, Buffer.alloc(0)] : other;
      cases.push(
        {
          name: name("other-context"),
          comment: `made under ${describe(context)}, presented under ${describe(another)}`,
          run: async () => expectRefused(await decryptAtPeer(peer, form, key, tsBound(), another), "a value under another context"),
        },
        {
          name: name("parts-shifted"),
          comment: "the same bytes, the parts' boundary moved by one byte",
          run: async () =>
            expectRefused(
              await decryptAtPeer(peer, form, key, tsBound(), shifted(context)),
              "a value under its context's bytes with the parts shifted",
            ),
        },
        {
          name: name("own-parts-shifted"),
          comment: "the peer's own value, its context's parts shifted",
          run: async () => {
            const token = await encryptAtPeer(peer, form, key, value, context);
            expectRefused(
              await decryptAtPeer(peer, form, key, token, shifted(context)),
              "its own value under its context's bytes with the parts shifted",
            );
          },
        },
        {
          name: name("unbound-where-bound"),
          comment: "an unbound value, and a decrypt request with a context and no acceptUnbound",
          run: async () =>
            expectRefused(
              await decryptAtPeer(peer, form, key, tsToken(form, key, value, undefined), context),
              "an unbound value where a context is given",
            ),
        },
        {
          name: name("flag-cleared"),
          comment: "a bound value with its flag cleared, presented with acceptUnbound",
          run: async () =>
            expectRefused(
              await decryptAtPeer(peer, form, key, withFlag(tsBound(), false), context, true),
              "a bound value whose flag was cleared (acceptUnbound must not make it decrypt without its context)",
            ),
        },
        {
          name: `peer/context-required/${form}/${i + 1}`,
          comment: "a bound value and a decrypt request without a context",
          run: async () => {
            const r = await decryptAtPeer(peer, form, key, tsBound(), undefined);
            if (r.ok || r["contextRequired"] !== true) {
              throw new Error(
                r.ok
                  ? "the peer decrypted a context-bound value without a context; it must answer ok: false with contextRequired: true"
                  : 'the peer refused a context-bound value without a context but did not answer "contextRequired": true (the configuration error SPEC.md tells apart)',
              );
            }
          },
        },
        {
          name: `peer/context-accept-unbound/${form}/${i + 1}`,
          comment: "an unbound value, a context and acceptUnbound: decrypts",
          run: async () => {
            const r = expectOk(
              await decryptAtPeer(peer, form, key, tsToken(form, key, value, undefined), context, true),
              "decrypt an unbound value with acceptUnbound",
            );
            sameValue("the peer's decryption", form, r, value);
          },
        },
      );
    });
  }
  const badContexts: [string, Buffer[]][] = [
    ["no-parts", []],
    ["17-parts", Array.from({ length: 17 }, () => utf8("p"))],
    ["1025-byte-part", [utf8("tenant-a"), Buffer.alloc(1025)]],
  ];
  for (const [label, context] of badContexts) {
    for (const form of ["string", "bytes"] as const) {
      cases.push({
        name: `peer/context-refused/bad-context-${label}-${form}/1`,
        comment: "encrypting under a context outside SPEC.md's limits must be refused",
        run: async () => {
          const key = {
            keySpec: `base64:${Buffer.alloc(32, 7).toString("base64")}`,
            keyId: "k1",
            fieldName: "sz.examples.v1.Payment.card_number",
          };
          const r = await peer.request({
            ...request("encrypt", form, key, context),
            ...(form === "string" ? { plaintext: "4111" } : { plaintextHex: "34313131" }),
          });
          if (r.ok) {
            throw new Error(
              `the peer encrypted under a context of ${describe(context)}; SPEC.md allows 1 to 16 parts of at most 1024 bytes (answer ok: false)`,
            );
          }
        },
      });
    }
  }
  // legacy-cbc has no associated data: a context with it is refused (SPEC.md), unless a decrypt accepts unbound values.
  const legacyKey = `hex:${"5a".repeat(16)}`;
  const tenant = [utf8("tenant-a").toString("hex")];
  cases.push(
    {
      name: "peer/context-refused/legacy-cbc-encrypt-string/1",
      comment: "legacy-cbc cannot be bound: encrypting with a context must be refused",
      run: async () => {
        const r = await peer.request({
          op: "encrypt",
          format: "legacy-cbc",
          type: "string",
          keySpec: legacyKey,
          context: tenant,
          plaintext: "4111",
        });
        if (r.ok) {
          throw new Error("the peer encrypted legacy-cbc under a context; legacy-cbc cannot be bound (answer ok: false)");
        }
      },
    },
    {
      name: "peer/context-refused/legacy-cbc-decrypt-string/1",
      comment: "a legacy-cbc value where a context is given and acceptUnbound is not",
      run: async () => {
        const token = encryptLegacy("4111", parseKeySpec(legacyKey));
        expectRefused(
          await peer.request({ op: "decrypt", format: "legacy-cbc", type: "string", keySpec: legacyKey, context: tenant, token }),
          "a legacy-cbc value where a context is given",
        );
      },
    },
  );
  return cases;
}

function sameContext(a: readonly Buffer[], b: readonly Buffer[]): boolean {
  return a.length === b.length && a.every((p, i) => p.equals(b[i] ?? Buffer.alloc(0)));
}

/** The first byte of the second part moved to the end of the first: the same bytes run together. */
function shifted(context: readonly Buffer[]): Buffer[] {
  const [first = Buffer.alloc(0), second = Buffer.alloc(0), ...rest] = context;
  return [Buffer.concat([first, second.subarray(0, 1)]), second.subarray(1), ...rest];
}

type Token = { readonly token: string } | { readonly tokenHex: string };

function szcKey(k: ContextKey): SzcryptKey {
  return parseKeySpec(k.keySpec, { id: k.keyId });
}

function tsToken(form: Form, k: ContextKey, value: string | Buffer, context: readonly Buffer[] | undefined): Token {
  const options = { fieldName: k.fieldName, context };
  return form === "string"
    ? { token: encryptSzc1(value as string, szcKey(k), options) }
    : { tokenHex: Buffer.from(encryptSzc1Bytes(value as Buffer, szcKey(k), options)).toString("hex") };
}

function rawOf(token: Token): Buffer {
  return "token" in token
    ? Buffer.concat([Buffer.from("szc1"), Buffer.from(token.token.slice(5), "base64url")])
    : Buffer.from(token.tokenHex, "hex");
}

function withFlag(token: Token, bound: boolean): Token {
  const raw = rawOf(token);
  raw[4] = ((raw[4] ?? 0) & 0x7f) | (bound ? 0x80 : 0);
  return "token" in token ? { token: `szc1:${raw.subarray(4).toString("base64url")}` } : { tokenHex: raw.toString("hex") };
}

function request(op: "encrypt" | "decrypt", form: Form, k: ContextKey, context: readonly Buffer[] | undefined) {
  return {
    op,
    format: "szc1",
    type: form,
    keySpec: k.keySpec,
    keyId: k.keyId,
    fieldName: k.fieldName,
    ...(context === undefined ? {} : { context: hexParts(context) }),
  } as const;
}

function decryptAtPeer(
  peer: PeerProcess,
  form: Form,
  k: ContextKey,
  token: Token,
  context: readonly Buffer[] | undefined,
  acceptUnbound = false,
): Promise<PeerResponse> {
  return peer.request({ ...request("decrypt", form, k, context), ...token, ...(acceptUnbound ? { acceptUnbound: true } : {}) });
}

async function encryptAtPeer(
  peer: PeerProcess,
  form: Form,
  k: ContextKey,
  value: string | Buffer,
  context: readonly Buffer[],
): Promise<Token> {
  const r = expectOk(
    await peer.request({
      ...request("encrypt", form, k, context),
      ...(form === "string" ? { plaintext: value as string } : { plaintextHex: (value as Buffer).toString("hex") }),
    }),
    `encrypt under a context of ${describe(context)}`,
  );
  return form === "string" ? { token: String(r["token"]) } : { tokenHex: String(r["tokenHex"]) };
}

function expectOk(r: PeerResponse, what: string): PeerResponse {
  if (!r.ok) {
    // The peer's error text is not echoed: a peer may quote its inputs, and this line goes to CI logs.
    throw new Error(`the peer could not ${what} (it answered ok: false; run it by hand to see why)`);
  }
  return r;
}

function expectRefused(r: PeerResponse, what: string): void {
  if (r.ok) {
    throw new Error(`the peer decrypted ${what}; it must refuse it like any undecryptable value (ok: false)`);
  }
  if (r["contextRequired"] === true) {
    throw new Error(`the peer answered contextRequired for ${what}, but the request carried a context: refuse it as "decrypt failed"`);
  }
}

function sameValue(what: string, form: Form, r: PeerResponse, value: string | Buffer): void {
  const got = form === "string" ? r["plaintext"] : r["plaintextHex"];
  const expected = form === "string" ? (value as string) : (value as Buffer).toString("hex");
  if (got !== expected) {
    throw new Error(`${what} differs (got ${typeof got === "string" ? `${got.length} chars` : typeof got}, expected ${expected.length})`);
  }
}

async function boundTsToPeer(
  peer: PeerProcess,
  form: Form,
  k: ContextKey,
  context: readonly Buffer[],
  value: string | Buffer,
): Promise<void> {
  const r = expectOk(
    await decryptAtPeer(peer, form, k, tsToken(form, k, value, context), context),
    "decrypt szcrypt's context-bound value",
  );
  sameValue("the peer's decryption", form, r, value);
}

async function boundPeerToTs(
  peer: PeerProcess,
  form: Form,
  k: ContextKey,
  context: readonly Buffer[],
  value: string | Buffer,
  onNonce: (raw: Uint8Array, offset: number) => void,
): Promise<void> {
  const token = await encryptAtPeer(peer, form, k, value, context);
  const raw = rawOf(token);
  if (((raw[4] ?? 0) & 0x80) === 0) {
    throw new Error("the peer's value under a context does not have the context flag (bit 7 of the byte after the magic) set");
  }
  onNonce(raw, 5 + ((raw[4] ?? 0) & 0x7f));
  checkSealedUnderContext(raw, k, context);
  const options = { fieldName: k.fieldName, context };
  const got =
    "token" in token
      ? decryptSzc1(token.token, szcKey(k), options)
      : Buffer.from(decryptSzc1Bytes(raw, szcKey(k), options)).toString("hex");
  const expected = form === "string" ? (value as string) : (value as Buffer).toString("hex");
  if (got !== expected) {
    throw new Error(
      `szcrypt's decryption of the peer's context-bound value differs (got ${got.length} chars, expected ${expected.length})`,
    );
  }
}

/**
 * node:crypto's AES-GCM over SPEC.md's bound AAD, built here from the spec and not by
 * szcrypt: a peer and szcrypt that agreed on a wrong encoding would both pass the rest.
 */
function checkSealedUnderContext(raw: Buffer, k: ContextKey, context: readonly Buffer[]): void {
  const idLength = (raw[4] ?? 0) & 0x7f;
  const nonce = raw.subarray(5 + idLength, 17 + idLength);
  const sealed = raw.subarray(17 + idLength);
  const encoded = Buffer.concat([Buffer.of(context.length), ...context.flatMap((p) => [Buffer.of(p.length >> 8, p.length & 0xff), p])]);
  const aad = Buffer.concat([Buffer.from(`szc1\0${k.keyId}\0${k.fieldName}\0`, "utf8"), encoded]);
  const key = Buffer.from(k.keySpec.slice("base64:".length), "base64");
  const d = createDecipheriv(key.length === 16 ? "aes-128-gcm" : "aes-256-gcm", key, nonce);
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  d.update(sealed.subarray(0, sealed.length - 16));
  try {
    d.final();
  } catch {
    throw new Error("the peer's context-bound value does not verify under SPEC.md's bound AAD (checked with node:crypto)");
  }
}
