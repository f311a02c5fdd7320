import type { SzcryptKey } from "../keys/key.js";
import type { Keyring } from "../keys/keyring.js";
import { GcmAad, type GcmOpenInput, type GcmSealInput, gcmOpenBatch, gcmSealBatch } from "./gcm-batch.js";
import { szc1AssociatedData } from "./szc1-context.js";
import { readSzc1Body, SZC1_MAGIC_BYTES, SZC1_NONCE_BYTES, SZC1_TAG_BYTES, szc1HeaderByte } from "./token-shape.js";

// szc1 for all the values of one message (or one value) through the batched
// AES-GCM of gcm-batch.ts: one AES-ECB call per key for every value's
// keystream and tag mask, and the associated data `"szc1" 0 ID 0 F` absorbed
// into GHASH once per (key, key id, field) and kept. Each token is byte for
// byte what szc1.ts's one-value path made with OpenSSL's GCM.
//
// Policy (accepted formats, the key ring, the errors a caller sees) is not
// here: a value this module cannot open comes back undefined, and the caller
// asks the one-value path, which says why in the usual words.

// Per key, per key id, per field name: the prepared AAD. Nested maps, not a
// joined string: the names are the plan's own strings, whose hashes V8 keeps.
const aads = new WeakMap<SzcryptKey, Map<string, Map<string, GcmAad>>>();
// Field names come from schemas; a direct caller could pass any number of them: bounded.
const MAX_AADS_PER_ID = 4096;

/**
 * The unbound associated data of szc1 for (key id, field) under `key`,
 * absorbed into GHASH once and kept for as long as the key lives.
 *
 * @internal
 */
export function szc1Aad(key: SzcryptKey, keyId: string, fieldName: string): GcmAad {
  let perKey = aads.get(key);
  if (perKey === undefined) {
    perKey = new Map();
    aads.set(key, perKey);
  }
  let perId = perKey.get(keyId);
  if (perId === undefined) {
    perId = new Map();
    perKey.set(keyId, perId);
  }
  let aad = perId.get(fieldName);
  if (aad === undefined) {
    if (perId.size >= MAX_AADS_PER_ID) {
      perId.clear();
    }
    aad = GcmAad.of(key, szc1AssociatedData(keyId, fieldName, undefined));
    perId.set(fieldName, aad);
  }
  return aad;
}

/**
 * What follows the unbound associated data for a value bound to a context:
 * the zero byte that ends F, then the encoded context (szc1-context.ts).
 *
 * @internal
 */
export function szc1AadSuffix(encodedContext: Uint8Array): Uint8Array {
  const suffix = new Uint8Array(1 + encodedContext.length);
  suffix.set(encodedContext, 1);
  return suffix;
}

/** One value to seal: its plaintext bytes and where its token's body goes. */
export interface Szc1SealItem {
  readonly plaintext: Uint8Array;
  readonly fieldName: string;
  /**
   * The buffer the token's body (everything after the magic: header, key id,
   * nonce, ciphertext, tag) is written to, at `offset`. The caller writes the
   * magic before it for the binary form; the text form encodes the body only.
   */
  readonly out: Uint8Array;
  readonly offset: number;
}

/**
 * The length of the binary token (magic included) of a `plaintextLength`-byte
 * value under a key id of `idLength` characters.
 *
 * @internal
 */
export function szc1TokenLength(idLength: number, plaintextLength: number): number {
  return SZC1_MAGIC_BYTES + 1 + idLength + SZC1_NONCE_BYTES + plaintextLength + SZC1_TAG_BYTES;
}

/**
 * Seals every item under `key` (16 or 32 bytes, with an id: the caller has
 * checked, and spent the nonce budget) with the nonces `nonces[12i, 12i+12)`,
 * writing each token's body into its `out`. `aadSuffix` (from
 * {@link szc1AadSuffix}) binds every value to one context.
 *
 * @internal
 */
export function sealSzc1Batch(
  key: SzcryptKey,
  items: readonly Szc1SealItem[],
  nonces: Uint8Array,
  aadSuffix: Uint8Array | undefined,
): void {
  const id = key.id as string;
  const idLength = id.length;
  const header = szc1HeaderByte(idLength, aadSuffix !== undefined);
  const inputs: GcmSealInput[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as Szc1SealItem;
    const out = item.out;
    let o = item.offset;
    out[o] = header;
    o += 1;
    // The grammar makes a key id ASCII: one byte per character.
    for (let c = 0; c < idLength; c++) {
      out[o + c] = id.charCodeAt(c);
    }
    o += idLength;
    const nonce = nonces.subarray(SZC1_NONCE_BYTES * i, SZC1_NONCE_BYTES * (i + 1));
    out.set(nonce, o);
    const aad = szc1Aad(key, id, item.fieldName);
    const offset = o + SZC1_NONCE_BYTES;
    inputs[i] =
      aadSuffix === undefined
        ? { nonce, aad, plaintext: item.plaintext, out, offset }
        : { nonce, aad, aadSuffix, plaintext: item.plaintext, out, offset };
  }
  gcmSealBatch(key, inputs);
}

/** One value to open: an szc1 body (everything after the magic) of a field. */
export interface Szc1OpenItem {
  readonly body: Uint8Array;
  readonly fieldName: string;
}

/**
 * Opens every body whose shape is szc1's, whose key id the ring holds (16 or
 * 32 bytes) and whose context flag matches `aadSuffix` (bound when given,
 * unbound when not): its plaintext in an allocation of its own. Anything else,
 * a tag that does not verify included, comes back undefined, with no
 * plaintext computed; the caller hands such values to the one-value path for
 * the error it gives. Values are grouped by key: one ECB call per key.
 *
 * @internal
 */
export function openSzc1Batch(ring: Keyring, items: readonly Szc1OpenItem[], aadSuffix: Uint8Array | undefined): (Buffer | undefined)[] {
  const n = items.length;
  const results: (Buffer | undefined)[] = new Array(n);
  let firstKey: SzcryptKey | undefined;
  const first: GcmOpenInput[] = [];
  const firstAt: number[] = [];
  let others: Map<SzcryptKey, { inputs: GcmOpenInput[]; at: number[] }> | undefined;
  for (let i = 0; i < n; i++) {
    const item = items[i] as Szc1OpenItem;
    const body = item.body;
    const shape = readSzc1Body(body);
    if (shape === undefined || shape.bound !== (aadSuffix !== undefined)) {
      continue;
    }
    const key = ring.get(shape.keyId);
    if (key === undefined || (key.size !== 16 && key.size !== 32)) {
      continue;
    }
    const nonce = body.subarray(shape.nonceAt, shape.sealedAt);
    const sealed = body.subarray(shape.sealedAt);
    const aad = szc1Aad(key, shape.keyId, item.fieldName);
    const input: GcmOpenInput = aadSuffix === undefined ? { nonce, aad, sealed } : { nonce, aad, aadSuffix, sealed };
    // Nearly every message uses one key: no map for it.
    if (firstKey === undefined || firstKey === key) {
      firstKey = key;
      first.push(input);
      firstAt.push(i);
      continue;
    }
    others ??= new Map();
    let group = others.get(key);
    if (group === undefined) {
      group = { inputs: [], at: [] };
      others.set(key, group);
    }
    group.inputs.push(input);
    group.at.push(i);
  }
  if (firstKey !== undefined) {
    place(results, gcmOpenBatch(firstKey, first), firstAt);
  }
  if (others !== undefined) {
    for (const [key, group] of others) {
      place(results, gcmOpenBatch(key, group.inputs), group.at);
    }
  }
  return results;
}

function place(results: (Buffer | undefined)[], opened: (Buffer | undefined)[], at: readonly number[]): void {
  for (let j = 0; j < at.length; j++) {
    results[at[j] as number] = opened[j];
  }
}
