import { oracleGuardRefusal } from "../defence/oracle-guard.js";
import { assertWellFormed } from "../encoding/utf8.js";
import { decryptFailed } from "../errors/szcrypt-error.js";
import { LEGACY_REFUSED, type LegacyOutcome, openLegacyValues, sealLegacyValues } from "../formats/legacy-batch.js";
import { isSzc1Bytes, SZC1_TEXT_PREFIX } from "../formats/szc1.js";
import type { PlanNode } from "../plans/field-plan.js";
import { type LeafTransform, transformMessage } from "../plans/transform.js";
import type { LeafCryptoContext } from "./leaf-crypto.js";

// legacy-cbc values of one message are encrypted and decrypted in one batch
// (shared native calls, see legacy-batch.ts) between two walks of the plan:
// the first collects, the second places results or throws at the first value
// that failed, so errors carry the same field path as value-by-value work.

// A legacy value collected by the first walk, decrypted before the second.
const PENDING = Symbol("pending");

/**
 * A copy of `message` with every sensitive value encrypted as legacy-cbc under the keyring's legacy key.
 *
 * @internal
 */
export function encryptLegacyMessage<T extends object>(root: PlanNode, message: T, ctx: Pick<LeafCryptoContext, "ringOf">): T {
  const values: (string | Uint8Array)[] = [];
  transformMessage(root, message, (value) => {
    if (typeof value === "string") {
      assertWellFormed(value);
    }
    values.push(value);
    return value;
  });
  if (values.length === 0) {
    return message;
  }
  const sealed = sealLegacyValues(values, ctx.ringOf().legacy);
  let i = 0;
  return transformMessage(root, message, () => sealed[i++] as string | Uint8Array);
}

/**
 * A copy of `message` with every sensitive value decrypted: legacy-cbc values
 * in one batch, anything else through `decryptLeaf`.
 *
 * @internal
 */
export function decryptMessageBatched<T extends object>(root: PlanNode, message: T, ctx: LeafCryptoContext, decryptLeaf: LeafTransform): T {
  const { acceptLegacy, acceptSzc1, guard } = ctx;
  // A failure is a marker, not an Error per value: building an Error captures a stack, which would cost more than the AES.
  const results: (LegacyOutcome | Error | typeof PENDING)[] = [];
  const tokens: (string | Uint8Array)[] = [];
  const slots: number[] = [];
  transformMessage(root, message, (value, leaf) => {
    const legacyText = typeof value === "string" && !value.startsWith(SZC1_TEXT_PREFIX);
    const legacyBytes = typeof value !== "string" && !(acceptSzc1 && isSzc1Bytes(value));
    if (acceptLegacy && (legacyText || legacyBytes)) {
      slots.push(results.length);
      tokens.push(value);
      results.push(PENDING);
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
  if (tokens.length > 0) {
    const opened = openLegacyValues(tokens, ctx.ringOf().legacy, guard);
    for (let b = 0; b < slots.length; b++) {
      results[slots[b] as number] = opened[b] as LegacyOutcome;
    }
  }
  let i = 0;
  return transformMessage(root, message, () => {
    const r = results[i++] as LegacyOutcome | Error;
    if (typeof r === "number") {
      throw r === LEGACY_REFUSED ? oracleGuardRefusal() : decryptFailed();
    }
    if (r instanceof Error) {
      throw r;
    }
    return r;
  });
}
