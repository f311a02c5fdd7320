import { handOut } from "../encoding/bytes.js";
import { decodeUtf8Strict } from "../encoding/utf8.js";
import { SzcryptError } from "../errors/szcrypt-error.js";
import { szc1NonceBudget } from "../formats/nonce-budget.js";
import { randomBytesPooled } from "../formats/random.js";
import { checkSzc1SealKey, isSzc1Bytes, SZC1_TEXT_PREFIX } from "../formats/szc1.js";
import {
  openSzc1Batch,
  type Szc1OpenItem,
  type Szc1SealItem,
  sealSzc1Batch,
  szc1AadSuffix,
  szc1TokenLength,
} from "../formats/szc1-batch.js";
import { decodeSzc1Text, SZC1_MAGIC_BYTES, SZC1_NONCE_BYTES, writeSzc1Magic } from "../formats/token-shape.js";
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

// UTF-8 of the message's string values, back to back: as secret as they are,
// so its own allocation, zeroed after each message.
let plainScratch = Buffer.allocUnsafeSlow(1024);

function scratchFor(bytes: number): Buffer {
  if (plainScratch.length < bytes) {
    plainScratch = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * plainScratch.length));
  }
  return plainScratch;
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
  let textBytes = 0;
  transformMessage(root, message, (value, leaf) => {
    if (typeof value === "string") {
      if (!value.isWellFormed()) {
        throw new SzcryptError(
          "INVALID_PLAINTEXT",
          "the string has a lone UTF-16 surrogate and no UTF-8 form; fix the value at its source",
        );
      }
      textBytes += Buffer.byteLength(value, "utf8");
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
  const plain = scratchFor(textBytes);
  // Text tokens' bodies (all after the magic) at offsets that are multiples of
  // 3 with zeros between them: one base64url call encodes them all, and each
  // token's text is a substring of it, exactly its canonical unpadded form.
  let textLength = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as string | Uint8Array;
    if (typeof v === "string") {
      textLength += aligned(bodyLength(idLength, Buffer.byteLength(v, "utf8")));
    }
  }
  // Ciphertext only (public). Buffer.alloc: zero-filled, so the gaps are zeros.
  const text = textLength === 0 ? undefined : Buffer.alloc(textLength);
  const items: Szc1SealItem[] = new Array(n);
  const outs: (Buffer | undefined)[] = new Array(n);
  let plainAt = 0;
  let textAt = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as string | Uint8Array;
    const fieldName = fields[i] as string;
    if (typeof v === "string") {
      const length = plain.write(v, plainAt, "utf8");
      items[i] = { plaintext: plain.subarray(plainAt, plainAt + length), fieldName, out: text as Buffer, offset: textAt };
      plainAt += length;
      textAt += aligned(bodyLength(idLength, length));
    } else {
      // A bytes token is handed out: an allocation of its own.
      const out = Buffer.allocUnsafeSlow(szc1TokenLength(idLength, v.length));
      writeSzc1Magic(out, 0);
      items[i] = { plaintext: v, fieldName, out, offset: SZC1_MAGIC_BYTES };
      outs[i] = out;
    }
  }
  try {
    const nonces = randomBytesPooled(SZC1_NONCE_BYTES * n);
    sealSzc1Batch(key, items, nonces, encodedContext === undefined ? undefined : szc1AadSuffix(encodedContext));
  } finally {
    plain.fill(0, 0, plainAt);
  }
  const encoded = text === undefined ? "" : text.toString("base64url");
  let i = 0;
  return transformMessage(root, message, () => {
    const out = outs[i];
    const item = items[i++] as Szc1SealItem;
    if (out !== undefined) {
      return handOut(out);
    }
    const from = (item.offset / 3) * 4;
    return SZC1_TEXT_PREFIX + encoded.substring(from, from + Math.ceil((bodyLength(idLength, item.plaintext.length) * 4) / 3));
  });
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
  return typeof value === "string" ? value.startsWith(SZC1_TEXT_PREFIX) : isSzc1Bytes(value);
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
  const items: Szc1OpenItem[] = [];
  transformMessage(root, message, (value, leaf) => {
    if (isSzc1Value(value)) {
      const body = typeof value === "string" ? decodeSzc1Text(value) : value.subarray(SZC1_MAGIC_BYTES);
      if (body !== undefined) {
        values.push(value);
        items.push({ body, fieldName: leaf.fieldName });
      }
    }
    return value;
  });
  if (items.length === 0) {
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
  const bindable = encodedContext === undefined || !items.some((item) => item.fieldName.includes("\0"));
  const opened = bindable ? openSzc1Batch(ring, items, encodedContext === undefined ? undefined : szc1AadSuffix(encodedContext)) : [];
  const results: (string | Uint8Array | typeof DELEGATE)[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const plain = opened[i];
    if (plain === undefined) {
      results[i] = DELEGATE;
      continue;
    }
    if (typeof values[i] === "string") {
      const text = decodeUtf8Strict(plain);
      plain.fill(0);
      results[i] = text ?? DELEGATE;
    } else {
      results[i] = handOut(plain);
    }
  }
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
