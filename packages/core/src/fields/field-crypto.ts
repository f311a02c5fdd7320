import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { decryptFailed, isSzcryptError, SzcryptError } from "../errors/szcrypt-error.js";
import { decryptLegacy, decryptLegacyBytes, encryptLegacy, encryptLegacyBytes } from "../formats/legacy-cbc.js";
import type { SzcryptKey } from "../keys/key.js";
import { compileFieldPlan, type FieldPlan } from "../plans/field-plan.js";
import { type LeafTransform, transformMessage } from "../plans/transform.js";

/** The wire formats szcrypt reads and writes. */
export type FormatName = "legacy-cbc";

export const formatNames: readonly FormatName[] = ["legacy-cbc"];

export interface FieldCryptoOptions {
  /** The key, or a function giving the current key (called per message, so keep it cheap: see key sources). */
  readonly key: SzcryptKey | (() => SzcryptKey);
  /** The format encryption writes. Default `legacy-cbc`. */
  readonly format?: FormatName;
  /** The formats decryption accepts. Default: only the one encryption writes. */
  readonly accept?: readonly FormatName[];
}

/**
 * Encrypts and decrypts the sensitive fields of protobuf messages, as a
 * transport does at its boundary. Plans are compiled once per message type.
 */
export interface FieldCrypto {
  readonly format: FormatName;
  readonly accept: readonly FormatName[];
  /**
   * A copy of `message` with every sensitive field encrypted. The message is
   * never modified.
   *
   * @throws SzcryptError naming the field when a value cannot be encrypted;
   *   nothing is returned half-encrypted.
   */
  encryptMessage<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): MessageShape<Desc>;
  /**
   * A copy of `message` with every sensitive field decrypted.
   *
   * @throws SzcryptError DECRYPT_FAILED with the field path, the same for every
   *   cause: bad padding, wrong key, invalid UTF-8, a format the policy does not
   *   accept, or text that is no token at all (plaintext where ciphertext belongs).
   */
  decryptMessage<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): MessageShape<Desc>;
  /** The plan for `schema` (compiled and cached on first use). */
  plan(schema: DescMessage): FieldPlan;
}

/** Creates a {@link FieldCrypto}. */
export function createFieldCrypto(options: FieldCryptoOptions): FieldCrypto {
  const format = options.format ?? "legacy-cbc";
  const accept = options.accept ?? [format];
  for (const name of [format, ...accept]) {
    if (!formatNames.includes(name)) {
      throw new SzcryptError("CONFIG_INVALID", `unknown format ${JSON.stringify(name)}; szcrypt knows ${formatNames.join(", ")}`);
    }
  }
  if (accept.length === 0) {
    throw new SzcryptError("CONFIG_INVALID", "the accepted formats must not be empty: nothing could be decrypted");
  }
  const keyOf = typeof options.key === "function" ? options.key : constant(options.key);
  const acceptLegacy = accept.includes("legacy-cbc");

  const encryptLeaf: LeafTransform = (value) => {
    const key = keyOf();
    return typeof value === "string" ? encryptLegacy(value, key) : plainBytes(encryptLegacyBytes(value, key));
  };
  const decryptLeaf: LeafTransform = (value) => {
    try {
      if (!acceptLegacy) {
        throw decryptFailed();
      }
      const key = keyOf();
      return typeof value === "string" ? decryptLegacy(value, key) : plainBytes(decryptLegacyBytes(value, key));
    } catch (err) {
      // At a field, "not a token" and "does not decrypt" look the same to a caller.
      if (isSzcryptError(err, "MALFORMED") || isSzcryptError(err, "DECRYPT_FAILED")) {
        throw decryptFailed();
      }
      throw err;
    }
  };

  return {
    format,
    accept,
    plan: compileFieldPlan,
    encryptMessage(schema, message) {
      const plan = compileFieldPlan(schema);
      return plan.isEmpty ? message : transformMessage(plan.root, message, encryptLeaf);
    },
    decryptMessage(schema, message) {
      const plan = compileFieldPlan(schema);
      return plan.isEmpty ? message : transformMessage(plan.root, message, decryptLeaf);
    },
  };
}

// protobuf-es messages hold plain Uint8Arrays; a Buffer would compare unequal
// in deepStrictEqual. A view shares the memory, no copy.
function plainBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function constant(key: SzcryptKey): () => SzcryptKey {
  return () => key;
}
