import { isUtf8 } from "node:buffer";
import { base64DecodedLength, decodeBase64Into } from "../encoding/base64.js";
import { SzcryptError } from "../errors/szcrypt-error.js";
import { szc1NonceBudget } from "../formats/nonce-budget.js";
import { randomBytesPooled } from "../formats/random.js";
import { checkSzc1SealKey } from "../formats/szc1.js";
import { openSzc1Records, sealSzc1Records, szc1AadSuffix, szc1TokenLength } from "../formats/szc1-batch.js";
import { hasSzc1Magic, SZC1_MAGIC_BYTES, SZC1_NONCE_BYTES, SZC1_TEXT_PREFIX, writeSzc1Magic } from "../formats/token-shape.js";
import type { SzcryptKey } from "../keys/key.js";
import type { Keyring } from "../keys/keyring.js";
import type { LeafOp, PlanNode } from "../plans/field-plan.js";
import { type LeafTransform, transformMessage } from "../plans/transform.js";

// The szc1 values of one message in one batch (formats/szc1-batch.ts), as
// legacy-message.ts does for legacy-cbc: a first walk of the plan collects
// (and raises, with the field's path, anything the one-value path would raise
// for that value), one batch seals or opens, a second walk places results.
// Tokens are byte for byte the one-value path's; a value the batch cannot
// open goes to the one-value path, so every failure reads as it always has.
//
// Per message, not per value: one buffer of token bodies (ciphertext), one of
// plaintexts, offsets into them, and no object per value.

// Plaintexts of a message, back to back (sealing) or at their bodies' nonce
// offsets (opening): as secret as they are, so an allocation of its own, all
// zeros between messages (each path zeroes what it wrote, in a finally), so
// the gaps between a message's plaintexts are zeros.
let plainScratch = Buffer.alloc(1024);

function scratchFor(bytes: number): Buffer {
  // A large message gets scratch of its own, dropped after: plaintext room is not kept for good.
  if (bytes > KEPT_SCRATCH) {
    return Buffer.alloc(bytes);
  }
  if (plainScratch.length < bytes) {
    plainScratch = Buffer.alloc(Math.max(bytes, 2 * plainScratch.length));
  }
  return plainScratch;
}

/** The most plaintext scratch kept between messages. */
const KEPT_SCRATCH = 64 * 1024;
/** Up to this many bytes of text bodies, tokens are substrings of one base64url string (each keeps it alive). */
const SHARED_TEXT = 4096;

/**
 * Whether the plaintext scratch is all zeros (tests: each message wipes what it wrote).
 *
 * @internal
 */
export function szc1MessageScratchIsClear(): boolean {
  return plainScratch.every((b) => b === 0);
}

// Token bodies of a message (ciphertext, public), back to back.
let bodyScratch = Buffer.allocUnsafeSlow(1024);

/** The body scratch with room for `bytes`, its first `keep` bytes kept when it grows. */
function bodiesFor(bytes: number, keep: number): Buffer {
  if (bodyScratch.length < bytes) {
    const grown = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * bodyScratch.length));
    bodyScratch.copy(grown, 0, 0, keep);
    bodyScratch = grown;
  }
  return bodyScratch;
}

/**
 * A copy of `message` with every sensitive value encrypted as szc1 under the
 * keyring's primary key: every nonce of the message drawn at once, every
 * value sealed in one batch. `encodedContext` (szc1-context.ts's encoding)
 * binds every value of the message to it.
 *
 * @throws SzcryptError with the field's path, as the one-value path: INVALID_PLAINTEXT,
 *   KEY_INVALID, KEY_UNAVAILABLE (nonce budget).
 * @internal
 */
export function encryptSzc1Message<T extends object>(root: PlanNode, message: T, ringOf: () => Keyring, encodedContext?: Uint8Array): T {
  let key: SzcryptKey | undefined;
  const values: (string | Uint8Array)[] = [];
  const fields: string[] = [];
  let plainBytes = 0;
  transformMessage(root, message, (value, leaf) => {
    if (typeof value === "string") {
      if (!value.isWellFormed()) {
        throw new SzcryptError(
          "INVALID_PLAINTEXT",
          "the string has a lone UTF-16 surrogate and no UTF-8 form; fix the value at its source",
        );
      }
      // UTF-16 to UTF-8 is at most 3 bytes per code unit: room without measuring.
      plainBytes += 3 * value.length;
    } else {
      plainBytes += value.length;
    }
    if (key === undefined) {
      // Asked at the first value, as the one-value path did: a failing key source names that field.
      key = ringOf().primary;
      checkSzc1SealKey(key);
    }
    if (encodedContext !== undefined && leaf.fieldName.includes("\0")) {
      throw new SzcryptError("CONFIG_INVALID", "a context-bound szc1 value needs a field name without a zero byte");
    }
    szc1NonceBudget.spend(key);
    values.push(value);
    fields.push(leaf.fieldName);
    return value;
  });
  const n = values.length;
  if (n === 0 || key === undefined) {
    return message;
  }
  const idLength = (key.id as string).length;
  const plain = scratchFor(plainBytes);
  const plainAt = new Int32Array(n);
  const lengths = new Int32Array(n);
  const at = new Int32Array(n);
  let p = 0;
  let textLength = 0;
  let end = 0;
  let bodies: Buffer;
  // From the first plaintext byte written: whatever throws, the scratch is wiped.
  try {
    for (let i = 0; i < n; i++) {
      const v = values[i] as string | Uint8Array;
      plainAt[i] = p;
      lengths[i] = typeof v === "string" ? plain.write(v, p, "utf8") : copyInto(plain, p, v);
      p += lengths[i] as number;
    }
    // Text tokens' bodies (all after the magic) first, at offsets that are
    // multiples of 3 with zeros between them: one base64url call encodes them
    // all, and each token's text is a substring of it, exactly its canonical
    // unpadded form. Bytes tokens' bodies after them, copied out to their own.
    for (let i = 0; i < n; i++) {
      if (typeof values[i] === "string") {
        at[i] = textLength;
        textLength += aligned(bodyLength(idLength, lengths[i] as number));
      }
    }
    end = textLength;
    for (let i = 0; i < n; i++) {
      if (typeof values[i] !== "string") {
        at[i] = end;
        end += bodyLength(idLength, lengths[i] as number);
      }
    }
    bodies = bodiesFor(end, 0);
    const nonces = randomBytesPooled(SZC1_NONCE_BYTES * n);
    sealSzc1Records(
      key,
      bodies,
      at,
      plain,
      plainAt,
      lengths,
      fields,
      nonces,
      encodedContext === undefined ? undefined : szc1AadSuffix(encodedContext),
    );
  } finally {
    plain.fill(0, 0, p);
  }
  for (let i = 0; i < n; i++) {
    if (typeof values[i] === "string") {
      // The alignment gap: zeros, so each body's last base64 characters are its own.
      const length = bodyLength(idLength, lengths[i] as number);
      for (let j = (at[i] as number) + length; j < (at[i] as number) + aligned(length); j++) {
        bodies[j] = 0;
      }
    }
  }
  const shared = textLength <= SHARED_TEXT;
  const encoded = textLength === 0 || !shared ? "" : bodies.toString("base64url", 0, textLength);
  let i = 0;
  return transformMessage(root, message, () => {
    const from = at[i] as number;
    const length = bodyLength(idLength, lengths[i] as number);
    if (typeof values[i++] === "string") {
      if (!shared) {
        return SZC1_TEXT_PREFIX + bodies.toString("base64url", from, from + length);
      }
      const start = (from / 3) * 4;
      return SZC1_TEXT_PREFIX + encoded.substring(start, start + Math.ceil((length * 4) / 3));
    }
    // A bytes token is handed out: an allocation of its own (not Node's pool).
    const out = new Uint8Array(SZC1_MAGIC_BYTES + length);
    writeSzc1Magic(out, 0);
    for (let j = 0; j < length; j++) {
      out[SZC1_MAGIC_BYTES + j] = bodies[from + j] as number;
    }
    return out;
  });
}

/** Copies `bytes` into `out` at `at`; returns its length. */
function copyInto(out: Uint8Array, at: number, bytes: Uint8Array): number {
  for (let j = 0; j < bytes.length; j++) {
    out[at + j] = bytes[j] as number;
  }
  return bytes.length;
}

function bodyLength(idLength: number, plaintextLength: number): number {
  return szc1TokenLength(idLength, plaintextLength) - SZC1_MAGIC_BYTES;
}

function aligned(bytes: number): number {
  return Math.ceil(bytes / 3) * 3;
}

const DELEGATE = Symbol("one-value path");

/** Whether decryptMessageBatched hands `value` to its leaf decryptor as szc1. */
function isSzc1Value(value: string | Uint8Array): boolean {
  return typeof value === "string" ? value.startsWith(SZC1_TEXT_PREFIX) : hasSzc1Magic(value);
}

/**
 * A leaf decryptor for one message that serves its szc1 values from one batch
 * opened up front, and hands every other value (and every szc1 value the batch
 * did not open: unknown key, bad tag, bad UTF-8, a context flag that does not
 * match, …) to `decryptLeaf`, so failures are exactly the one-value path's.
 * `encodedContext` as for {@link encryptSzc1Message}.
 *
 * @internal
 */
export function szc1BatchedLeaf(
  root: PlanNode,
  message: object,
  ringOf: () => Keyring,
  decryptLeaf: LeafTransform,
  encodedContext?: Uint8Array,
): LeafTransform {
  const values: (string | Uint8Array)[] = [];
  const fields: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let used = 0;
  transformMessage(root, message, (value, leaf) => {
    // Every body straight into one buffer: no Buffer per value.
    if (typeof value === "string") {
      if (!value.startsWith(SZC1_TEXT_PREFIX)) {
        return value;
      }
      const from = SZC1_TEXT_PREFIX.length;
      const length = base64DecodedLength(value, "base64url", from);
      if (length < 0 || !decodeBase64Into(value, "base64url", bodiesFor(used + length, used), used, from)) {
        return value;
      }
      starts.push(used);
      used += length;
    } else {
      if (!hasSzc1Magic(value)) {
        return value;
      }
      const buf = bodiesFor(used + value.length - SZC1_MAGIC_BYTES, used);
      starts.push(used);
      used += copyInto(buf, used, value.subarray(SZC1_MAGIC_BYTES));
    }
    ends.push(used);
    values.push(value);
    fields.push(leaf.fieldName);
    return value;
  });
  if (values.length === 0) {
    return decryptLeaf;
  }
  let ring: Keyring;
  try {
    ring = ringOf();
  } catch {
    // The one-value path asks again, per value, and reports it with the field's path.
    return decryptLeaf;
  }
  // A zero byte in a field name is an error with a context (CONFIG_INVALID): the one-value path raises it.
  if (encodedContext !== undefined && fields.some((name) => name.includes("\0"))) {
    return decryptLeaf;
  }
  const results = openAll(ring, values, fields, starts, ends, used, encodedContext);
  let next = 0;
  return (value: string | Uint8Array, leaf: LeafOp) => {
    // The same walk, in the same order: the next szc1 value is the next collected one.
    if (next < values.length && values[next] === value && isSzc1Value(value)) {
      const r = results[next++] as string | Uint8Array | typeof DELEGATE;
      if (r !== DELEGATE) {
        return r;
      }
    }
    return decryptLeaf(value, leaf);
  };
}

/** Opens the collected bodies: each value's text or bytes, or DELEGATE. */
function openAll(
  ring: Keyring,
  values: readonly (string | Uint8Array)[],
  fields: readonly string[],
  starts: readonly number[],
  ends: readonly number[],
  used: number,
  encodedContext: Uint8Array | undefined,
): (string | Uint8Array | typeof DELEGATE)[] {
  const n = values.length;
  const results: (string | Uint8Array | typeof DELEGATE)[] = new Array(n).fill(DELEGATE);
  // Each plaintext lands at its body's offset, shorter than the body: zeros lie between them.
  const plain = scratchFor(used);
  try {
    const { at, lengths, opened } = openSzc1Records(
      ring,
      bodyScratch,
      starts,
      ends,
      fields,
      encodedContext === undefined ? undefined : szc1AadSuffix(encodedContext),
      plain,
    );
    for (let i = 0; i < n; i++) {
      if (opened[i] === 1 && typeof values[i] !== "string") {
        // A bytes value is handed out: an allocation of its own; its place in the scratch back to zeros.
        const from = at[i] as number;
        const to = from + (lengths[i] as number);
        results[i] = new Uint8Array(plain.subarray(from, to));
        plain.fill(0, from, to);
      }
    }
    // Every text plaintext sits between zeros (ASCII), so one that is not
    // UTF-8 on its own makes the whole range fail: one check for all of them,
    // and one per value only when it does.
    const allValid = isUtf8(plain.subarray(0, used));
    for (let i = 0; i < n; i++) {
      if (opened[i] === 1 && typeof values[i] === "string") {
        const from = at[i] as number;
        const to = from + (lengths[i] as number);
        if (allValid || isUtf8(plain.subarray(from, to))) {
          results[i] = plain.toString("utf8", from, to);
        }
      }
    }
  } finally {
    plain.fill(0, 0, used);
  }
  return results;
}
