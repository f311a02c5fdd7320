import { oracleGuardRefusal } from "../defence/oracle-guard.js";
import { decodeBase64Strict, encodeBase64 } from "../encoding/base64.js";
import { handOut } from "../encoding/bytes.js";
import { decodeUtf8Strict, encodeUtf8 } from "../encoding/utf8.js";
import { decryptFailed } from "../errors/szcrypt-error.js";
import { BLOCK } from "../formats/cbc-blocks.js";
import { decryptLegacyBatch, encryptLegacyBatch } from "../formats/legacy-batch.js";
import { isSzc1Bytes, SZC1_TEXT_PREFIX } from "../formats/szc1.js";
import type { PlanNode } from "../plans/field-plan.js";
import { type LeafTransform, transformMessage } from "../plans/transform.js";
import type { LeafCryptoContext } from "./leaf-crypto.js";

// legacy-cbc values of one message are encrypted and decrypted in one batch
// (shared native calls, see legacy-batch.ts) between two walks of the plan:
// the first collects, the second places results or throws at the first value
// that failed, so errors carry the same field path as value-by-value work.

const FAILED = Symbol("decrypt failed");
const REFUSED = Symbol("refused by the oracle guard");

/**
 * A copy of `message` with every sensitive value encrypted as legacy-cbc under the keyring's legacy key.
 *
 * @internal
 */
export function encryptLegacyMessage<T extends object>(root: PlanNode, message: T, ctx: Pick<LeafCryptoContext, "ringOf">): T {
  const plains: Uint8Array[] = [];
  const text: boolean[] = [];
  transformMessage(root, message, (value) => {
    plains.push(typeof value === "string" ? encodeUtf8(value) : value);
    text.push(typeof value === "string");
    return value;
  });
  if (plains.length === 0) {
    return message;
  }
  const sealed = encryptLegacyBatch(plains, ctx.ringOf().legacy);
  let i = 0;
  return transformMessage(root, message, () => {
    const raw = sealed[i] as Uint8Array;
    return text[i++] ? encodeBase64(raw) : handOut(raw);
  });
}

/**
 * A copy of `message` with every sensitive value decrypted: legacy-cbc values
 * in one batch, anything else through `decryptLeaf`.
 *
 * @internal
 */
export function decryptMessageBatched<T extends object>(root: PlanNode, message: T, ctx: LeafCryptoContext, decryptLeaf: LeafTransform): T {
  const { acceptLegacy, acceptSzc1, guard } = ctx;
  // FAILED, not an Error per value: building an Error captures a stack, which would cost more than the AES.
  const results: (string | Uint8Array | Error | typeof FAILED | typeof REFUSED)[] = [];
  const batch: Uint8Array[] = [];
  const slots: { result: number; text: boolean }[] = [];
  transformMessage(root, message, (value, leaf) => {
    const legacyText = typeof value === "string" && !value.startsWith(SZC1_TEXT_PREFIX);
    const legacyBytes = typeof value !== "string" && !(acceptSzc1 && isSzc1Bytes(value));
    if (acceptLegacy && (legacyText || legacyBytes)) {
      const raw = typeof value === "string" ? decodeBase64Strict(value) : value;
      if (raw !== undefined && raw.length >= 2 * BLOCK && raw.length % BLOCK === 0) {
        if (guard?.refuses(raw)) {
          results.push(REFUSED);
          return value;
        }
        slots.push({ result: results.length, text: typeof value === "string" });
        batch.push(raw);
      }
      results.push(FAILED);
      return value;
    }
    try {
      results.push(decryptLeaf(value, leaf));
    } catch (err) {
      results.push(err as Error);
    }
    return value;
  });
  if (results.length === 0) {
    return message;
  }
  if (batch.length > 0) {
    const opened = decryptLegacyBatch(batch, ctx.ringOf().legacy);
    slots.forEach((slot, b) => {
      const plain = opened[b];
      if (plain !== undefined) {
        const value = slot.text ? decodeUtf8Strict(plain) : handOut(plain);
        if (value !== undefined) {
          results[slot.result] = value;
          return;
        }
      }
      // Bad padding or bad UTF-8: both are oracles an attacker probes.
      guard?.recordFailure(batch[b] as Uint8Array);
    });
  }
  let i = 0;
  return transformMessage(root, message, () => {
    const r = results[i++] as string | Uint8Array | Error | typeof FAILED | typeof REFUSED;
    if (r === FAILED) {
      throw decryptFailed();
    }
    if (r === REFUSED) {
      throw oracleGuardRefusal();
    }
    if (r instanceof Error) {
      throw r;
    }
    return r;
  });
}
