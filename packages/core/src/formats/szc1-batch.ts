import type { SzcryptKey } from "../keys/key.js";
import type { Keyring } from "../keys/keyring.js";
import { GcmAad, gcmOpenRecords, gcmSealRecords } from "./gcm-batch.js";
import { szc1AssociatedData } from "./szc1-context.js";
import {
  SZC1_CONTEXT_FLAG,
  SZC1_MAGIC_BYTES,
  SZC1_NONCE_BYTES,
  SZC1_TAG_BYTES,
  szc1HeaderByte,
  szc1KeyIdAt,
  szc1NonceAt,
} from "./token-shape.js";

// szc1 for all the values of one message (or one value) through the batched
// AES-GCM of gcm-batch.ts: one AES-ECB call per key for every value's
// keystream and tag mask, and the associated data `"szc1" 0 ID 0 F` absorbed
// into GHASH once per (key, key id, field) and kept. Each token is byte for
// byte what szc1.ts's one-value path made with OpenSSL's GCM.
//
// Policy (accepted formats, the key ring, the errors a caller sees) is not
// here: a value this module cannot open is left unopened, and the caller
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
 * Seals n values under `key` (16 or 32 bytes, with an id: the caller has
 * checked, and spent the nonce budget) with the nonces `nonces[12i, 12i+12)`.
 * Token body i (everything after the magic: header, key id, nonce,
 * ciphertext, tag) goes to `buf` at `at[i]`, which has room for
 * {@link szc1TokenLength} minus the magic (the caller lays them out, and
 * writes the magic of a binary token); its plaintext is
 * `plain[plainAt[i], plainAt[i] + lengths[i])`. `aadSuffix` (from
 * {@link szc1AadSuffix}) binds every value to one context. No object per value.
 *
 * @internal
 */
export function sealSzc1Records(
  key: SzcryptKey,
  buf: Uint8Array,
  at: Int32Array,
  plain: Uint8Array,
  plainAt: Int32Array,
  lengths: Int32Array,
  fieldNames: readonly string[],
  nonces: Uint8Array,
  aadSuffix: Uint8Array | undefined,
): void {
  const id = key.id as string;
  const idLength = id.length;
  const header = szc1HeaderByte(idLength, aadSuffix !== undefined);
  const n = fieldNames.length;
  const nonceAt = new Int32Array(n);
  const aads: GcmAad[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = at[i] as number;
    buf[o] = header;
    // The grammar makes a key id ASCII: one byte per character.
    for (let c = 0; c < idLength; c++) {
      buf[o + 1 + c] = id.charCodeAt(c);
    }
    const no = o + 1 + idLength;
    for (let j = 0; j < SZC1_NONCE_BYTES; j++) {
      buf[no + j] = nonces[SZC1_NONCE_BYTES * i + j] as number;
    }
    nonceAt[i] = no;
    aads[i] = szc1Aad(key, id, fieldNames[i] as string);
  }
  gcmSealRecords(key, { buf, at: nonceAt, lengths, aads, aadSuffix, plain, plainAt });
}

/** What {@link openSzc1Records} opened: value i's plaintext is `plain[at[i], at[i] + lengths[i])` when `opened[i]` is 1. */
export interface Szc1Opened {
  readonly at: Int32Array;
  readonly lengths: Int32Array;
  readonly opened: Uint8Array;
}

/**
 * Opens every body whose shape is szc1's, whose key id the ring holds (16 or
 * 32 bytes) and whose context flag matches `aadSuffix` (bound when given,
 * unbound when not). Anything else, a tag that does not verify included, is
 * left with `opened[i]` 0 and no plaintext computed: the caller hands such
 * values to the one-value path for the error it gives. Body i is
 * `src[starts[i], ends[i])`, read in place (header by offsets, the key id
 * string made only when it differs from the previous value's). Each
 * plaintext that opens is written to `plain` (at least as long as `src`) at
 * its own nonce's offset, so plaintexts never overlap and zeros of at least
 * 28 bytes lie between them where `plain` was zero. Values are grouped by
 * key: one ECB call per key.
 *
 * @internal
 */
export function openSzc1Records(
  ring: Keyring,
  src: Buffer,
  starts: readonly number[],
  ends: readonly number[],
  fieldNames: readonly string[],
  aadSuffix: Uint8Array | undefined,
  plain: Uint8Array,
): Szc1Opened {
  const n = fieldNames.length;
  const at = new Int32Array(n);
  const lengths = new Int32Array(n).fill(-1);
  const opened = new Uint8Array(n);
  const aads: GcmAad[] = new Array(n);
  const flag = aadSuffix === undefined ? 0 : SZC1_CONTEXT_FLAG;
  let firstKey: SzcryptKey | undefined;
  let othersAt: Map<SzcryptKey, number[]> | undefined;
  let lastId = "";
  let lastKey: SzcryptKey | undefined;
  for (let i = 0; i < n; i++) {
    const s = starts[i] as number;
    const e = ends[i] as number;
    const nonceAt = szc1NonceAt(src, s, e);
    if (nonceAt < 0 || ((src[s] as number) & SZC1_CONTEXT_FLAG) !== flag) {
      continue;
    }
    // Nearly every message carries one key id: the same string, asked of the ring once.
    const keyId = szc1KeyIdAt(src, s, nonceAt);
    let key = lastKey;
    if (keyId !== lastId) {
      key = ring.get(keyId);
      lastId = keyId;
      lastKey = key;
    }
    if (key === undefined || (key.size !== 16 && key.size !== 32)) {
      continue;
    }
    aads[i] = szc1Aad(key, keyId, fieldNames[i] as string);
    at[i] = nonceAt;
    if (firstKey === undefined || firstKey === key) {
      firstKey = key;
      lengths[i] = e - nonceAt - SZC1_NONCE_BYTES - SZC1_TAG_BYTES;
      continue;
    }
    othersAt ??= new Map();
    let group = othersAt.get(key);
    if (group === undefined) {
      group = [];
      othersAt.set(key, group);
    }
    group.push(i);
  }
  if (firstKey !== undefined) {
    gcmOpenRecords(firstKey, { buf: src, at, lengths, aads, aadSuffix, plain, plainAt: at }, opened);
  }
  if (othersAt !== undefined) {
    for (const [key, group] of othersAt) {
      const only = new Int32Array(n).fill(-1);
      for (const i of group) {
        only[i] = (ends[i] as number) - (at[i] as number) - SZC1_NONCE_BYTES - SZC1_TAG_BYTES;
        lengths[i] = only[i] as number;
      }
      gcmOpenRecords(key, { buf: src, at, lengths: only, aads, aadSuffix, plain, plainAt: at }, opened);
    }
  }
  return { at, lengths, opened };
}
