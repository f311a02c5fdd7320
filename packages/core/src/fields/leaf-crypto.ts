import { isOracleGuardRefusal, type OracleGuard, oracleGuardRefusal } from "../defence/oracle-guard.js";
import { handOut } from "../encoding/bytes.js";
import { decryptFailed, isSzcryptError } from "../errors/szcrypt-error.js";
import { decryptLegacy, decryptLegacyBytes } from "../formats/legacy-cbc.js";
import { decryptSzc1, decryptSzc1Bytes, isContextUnboundRefusal, isSzc1Bytes, SZC1_TEXT_PREFIX } from "../formats/szc1.js";
import type { Szc1Context } from "../formats/szc1-context.js";
import type { Keyring } from "../keys/keyring.js";
import type { LeafOp } from "../plans/field-plan.js";
import type { LeafTransform } from "../plans/transform.js";

// One sensitive value at a time: which format a value is in, whether the
// policy accepts it, and the one failure a caller sees whatever went wrong.
// legacy-cbc values of a message go through legacy-message.ts instead, in a
// batch; what lands here is szc1, and the legacy values the batch cannot take.

/**
 * What decrypting a value depends on: the keys, the accepted formats and the oracle guard.
 *
 * @internal
 */
export interface LeafCryptoContext {
  readonly ringOf: () => Keyring;
  readonly acceptLegacy: boolean;
  readonly acceptSzc1: boolean;
  readonly guard: OracleGuard | undefined;
  /** The message's szc1 context: undefined for unbound values. */
  readonly context?: Szc1Context | undefined;
  /** With a context: also accept unbound szc1 values (migration). */
  readonly acceptUnbound?: boolean;
}

/**
 * Decrypts one value in whichever accepted format it is in.
 *
 * @throws SzcryptError DECRYPT_FAILED for every failure that depends on the
 *   value: "not a token" and "does not decrypt" look the same at a field.
 *
 * @internal
 */
export function leafDecryptor(ctx: LeafCryptoContext): LeafTransform {
  const { ringOf, acceptLegacy, acceptSzc1, guard, context } = ctx;
  const acceptUnbound = ctx.acceptUnbound === true;
  const decryptText = (value: string, leaf: LeafOp): string => {
    if (value.startsWith(SZC1_TEXT_PREFIX)) {
      if (!acceptSzc1) {
        throw decryptFailed();
      }
      return decryptSzc1(value, ringOf(), { fieldName: leaf.fieldName, context, acceptUnbound });
    }
    if (!acceptLegacy) {
      throw decryptFailed();
    }
    return decryptLegacy(value, ringOf().legacy);
  };
  const decryptBytes = (value: Uint8Array, leaf: LeafOp): Uint8Array => {
    if (acceptSzc1 && isSzc1Bytes(value)) {
      try {
        return handOut(decryptSzc1Bytes(value, ringOf(), { fieldName: leaf.fieldName, context, acceptUnbound }));
      } catch (err) {
        // A legacy IV starts with "szc1" once in 2^32: fall back when both are accepted.
        // Not for a bound value at a receiver without a context: that is the
        // service's configuration to fix, and a legacy decryption of its bytes
        // (valid padding once in 256) would hand out garbage as a success.
        if (!acceptLegacy || isSzcryptError(err, "CONTEXT_REQUIRED")) {
          throw err;
        }
      }
    }
    if (!acceptLegacy) {
      throw decryptFailed();
    }
    // Reached by values whose IV starts with szc1's magic: an attacker picks the IV, so guard here too.
    if (guard?.refuses(value)) {
      throw oracleGuardRefusal();
    }
    try {
      return decryptLegacyBytes(value, ringOf().legacy);
    } catch (err) {
      if (isSzcryptError(err, "DECRYPT_FAILED")) {
        guard?.recordFailure(value);
      }
      throw err;
    }
  };
  return (value, leaf) => {
    try {
      return typeof value === "string" ? decryptText(value, leaf) : decryptBytes(value, leaf);
    } catch (err) {
      // Already the uniform failure; its cause is kept for onError and telemetry.
      if (isOracleGuardRefusal(err) || isContextUnboundRefusal(err)) {
        throw err;
      }
      if (isSzcryptError(err, "MALFORMED") || isSzcryptError(err, "DECRYPT_FAILED")) {
        throw decryptFailed();
      }
      throw err;
    }
  };
}
