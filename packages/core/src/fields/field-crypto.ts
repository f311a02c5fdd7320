import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import {
  createOracleGuard,
  isOracleGuard,
  isOracleGuardRefusal,
  type OracleGuard,
  type OracleGuardOptions,
  oracleGuardRefusal,
} from "../defence/oracle-guard.js";
import { decodeBase64Strict } from "../encoding/base64.js";
import { decodeUtf8Strict, encodeUtf8 } from "../encoding/utf8.js";
import { decryptFailed, isSzcryptError, SzcryptError } from "../errors/szcrypt-error.js";
import { decryptLegacyBatch, encryptLegacyBatch } from "../formats/legacy-batch.js";
import { decryptLegacy, decryptLegacyBytes, encryptLegacy, encryptLegacyBytes } from "../formats/legacy-cbc.js";
import { decryptSzc1, decryptSzc1Bytes, encryptSzc1, encryptSzc1Bytes, isSzc1Bytes, SZC1_TEXT_PREFIX } from "../formats/szc1.js";
import { isSzcryptKey, type SzcryptKey } from "../keys/key.js";
import { isKeyProvider, type KeyProvider } from "../keys/key-provider.js";
import { isKeyring, Keyring } from "../keys/keyring.js";
import { compileFieldPlan, type FieldPlan, type LeafOp, type PlanNode } from "../plans/field-plan.js";
import { type LeafTransform, transformMessage } from "../plans/transform.js";
import type { TypeScopeOptions } from "../plans/type-scope.js";

const FAILED = Symbol("decrypt failed");
const REFUSED = Symbol("refused by the oracle guard");

/** The wire formats szcrypt reads and writes. */
export type FormatName = "legacy-cbc" | "szc1";

export const formatNames: readonly FormatName[] = ["legacy-cbc", "szc1"];

/** A key, a keyring, a key provider, or a function giving the current key or keyring (called per message: keep it cheap). */
export type KeySource = SzcryptKey | Keyring | KeyProvider | (() => SzcryptKey | Keyring);

/** See {@link TypeScopeOptions} for `registry` and `allowUnknownAny`: how `Any` fields and extensions are resolved. */
export interface FieldCryptoOptions extends TypeScopeOptions {
  /**
   * The key or keyring. A lone key is both szc1's primary (id `default`
   * unless it has one) and legacy-cbc's key.
   */
  readonly key: KeySource;
  /** The format encryption writes. Default `legacy-cbc`. */
  readonly format?: FormatName;
  /**
   * The formats decryption accepts, e.g. `["szc1", "legacy-cbc"]` while a
   * service migrates. Default: only the one encryption writes. A value in a
   * format not listed fails like any other undecryptable value.
   */
  readonly accept?: readonly FormatName[];
  /**
   * The legacy-cbc padding-oracle guard (see SECURITY.md): a guard to share,
   * options for a new one, or `false` to switch it off. Default: a new guard
   * with the defaults whenever legacy-cbc is accepted. A value it refuses
   * fails with the same DECRYPT_FAILED as any other; the error's `cause` is
   * DECRYPT_REFUSED, for logs.
   */
  readonly oracleGuard?: OracleGuard | OracleGuardOptions | false;
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
   *   cause: bad padding or tag, wrong or unknown key, invalid UTF-8, a format
   *   the policy does not accept, text that is no token at all, or a legacy-cbc
   *   value the oracle guard refused (its `cause` says so, for logs).
   */
  decryptMessage<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): MessageShape<Desc>;
  /** The plan for `schema` (compiled and cached on first use). */
  plan(schema: DescMessage): FieldPlan;
  /** The keyring in force now: telemetry names the key a message used by its id here. */
  keyring(): Keyring;
}

/**
 * Checks a format policy.
 *
 * @throws SzcryptError CONFIG_INVALID for an unknown format or an empty accept list.
 */
export function checkFormatPolicy(format: FormatName, accept: readonly FormatName[]): void {
  for (const name of [format, ...accept]) {
    if (!formatNames.includes(name)) {
      throw new SzcryptError("CONFIG_INVALID", `unknown format ${JSON.stringify(name)}; szcrypt knows ${formatNames.join(", ")}`);
    }
  }
  if (accept.length === 0) {
    throw new SzcryptError("CONFIG_INVALID", "the accepted formats must not be empty: nothing could be decrypted");
  }
}

/** Creates a {@link FieldCrypto}. */
export function createFieldCrypto(options: FieldCryptoOptions): FieldCrypto {
  const format = options.format ?? "legacy-cbc";
  const accept = options.accept ?? [format];
  checkFormatPolicy(format, accept);
  const ringOf = keyringSource(options.key);
  const acceptLegacy = accept.includes("legacy-cbc");
  const acceptSzc1 = accept.includes("szc1");
  const guard = acceptLegacy ? oracleGuardOf(options.oracleGuard) : undefined;
  const scope: TypeScopeOptions = {
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    ...(options.allowUnknownAny === undefined ? {} : { allowUnknownAny: options.allowUnknownAny }),
  };
  // One lookup per message: resolving the type scope takes several.
  const plans = new WeakMap<DescMessage, FieldPlan>();
  const planOf = (schema: DescMessage): FieldPlan => {
    let plan = plans.get(schema);
    if (plan === undefined) {
      plan = compileFieldPlan(schema, scope);
      plans.set(schema, plan);
    }
    return plan;
  };

  const encryptLeaf: LeafTransform =
    format === "szc1"
      ? (value, leaf) => {
          const key = ringOf().primary;
          const opts = { fieldName: leaf.fieldName };
          return typeof value === "string" ? encryptSzc1(value, key, opts) : plainBytes(encryptSzc1Bytes(value, key, opts));
        }
      : (value) => {
          const key = ringOf().legacy;
          return typeof value === "string" ? encryptLegacy(value, key) : plainBytes(encryptLegacyBytes(value, key));
        };

  const decryptText = (value: string, leaf: LeafOp): string => {
    if (value.startsWith(SZC1_TEXT_PREFIX)) {
      if (!acceptSzc1) {
        throw decryptFailed();
      }
      return decryptSzc1(value, ringOf(), { fieldName: leaf.fieldName });
    }
    if (!acceptLegacy) {
      throw decryptFailed();
    }
    return decryptLegacy(value, ringOf().legacy);
  };
  const decryptBytes = (value: Uint8Array, leaf: LeafOp): Uint8Array => {
    if (acceptSzc1 && isSzc1Bytes(value)) {
      try {
        return plainBytes(decryptSzc1Bytes(value, ringOf(), { fieldName: leaf.fieldName }));
      } catch (err) {
        // A legacy IV starts with "szc1" once in 2^32: fall back when both are accepted.
        if (!acceptLegacy) {
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
      return plainBytes(decryptLegacyBytes(value, ringOf().legacy));
    } catch (err) {
      if (isSzcryptError(err, "DECRYPT_FAILED")) {
        guard?.recordFailure(value);
      }
      throw err;
    }
  };
  const decryptLeaf: LeafTransform = (value, leaf) => {
    try {
      return typeof value === "string" ? decryptText(value, leaf) : decryptBytes(value, leaf);
    } catch (err) {
      if (isOracleGuardRefusal(err)) {
        throw err;
      }
      // At a field, "not a token" and "does not decrypt" look the same to a caller.
      if (isSzcryptError(err, "MALFORMED") || isSzcryptError(err, "DECRYPT_FAILED")) {
        throw decryptFailed();
      }
      throw err;
    }
  };

  // legacy-cbc values of one message are encrypted and decrypted in one batch
  // (shared native calls, see legacy-batch.ts) between two walks of the plan:
  // the first collects, the second places results or throws at the first value
  // that failed, so errors carry the same field path as value-by-value work.
  const encryptLegacyMessage = <T extends object>(root: PlanNode, message: T): T => {
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
    const sealed = encryptLegacyBatch(plains, ringOf().legacy);
    let i = 0;
    return transformMessage(root, message, () => {
      const raw = sealed[i] as Buffer;
      return text[i++] ? raw.toString("base64") : plainBytes(raw);
    });
  };

  const decryptMessageBatched = <T extends object>(root: PlanNode, message: T): T => {
    // FAILED, not an Error per value: building an Error captures a stack, which would cost more than the AES.
    const results: (string | Uint8Array | Error | typeof FAILED | typeof REFUSED)[] = [];
    const batch: Uint8Array[] = [];
    const slots: { result: number; text: boolean }[] = [];
    transformMessage(root, message, (value, leaf) => {
      const legacyText = typeof value === "string" && !value.startsWith(SZC1_TEXT_PREFIX);
      const legacyBytes = typeof value !== "string" && !(acceptSzc1 && isSzc1Bytes(value));
      if (acceptLegacy && (legacyText || legacyBytes)) {
        const raw = typeof value === "string" ? decodeBase64Strict(value) : value;
        if (raw !== undefined && raw.length >= 32 && raw.length % 16 === 0) {
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
      const opened = decryptLegacyBatch(batch, ringOf().legacy);
      slots.forEach((slot, b) => {
        const plain = opened[b];
        if (plain !== undefined) {
          const value = slot.text ? decodeUtf8Strict(plain) : plainBytes(plain);
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
  };

  return {
    format,
    accept,
    plan: planOf,
    keyring: ringOf,
    encryptMessage(schema, message) {
      const plan = planOf(schema);
      if (plan.isEmpty) {
        return message;
      }
      return format === "legacy-cbc" ? encryptLegacyMessage(plan.root, message) : transformMessage(plan.root, message, encryptLeaf);
    },
    decryptMessage(schema, message) {
      const plan = planOf(schema);
      return plan.isEmpty ? message : decryptMessageBatched(plan.root, message);
    },
  };
}

function oracleGuardOf(option: FieldCryptoOptions["oracleGuard"]): OracleGuard | undefined {
  if (option === false) {
    return undefined;
  }
  if (option === undefined) {
    return createOracleGuard();
  }
  return isOracleGuard(option) ? option : createOracleGuard(option);
}

function keyringSource(source: KeySource): () => Keyring {
  if (isKeyProvider(source)) {
    return () => source.current();
  }
  if (typeof source === "function") {
    // Memoized per value returned, so a provider that returns the same key or
    // ring each time costs one lookup, not a new Keyring per message.
    let last: SzcryptKey | Keyring | undefined;
    let ring: Keyring | undefined;
    return () => {
      const current = source();
      if (current !== last || ring === undefined) {
        last = current;
        ring = toKeyring(current);
      }
      return ring;
    };
  }
  const ring = toKeyring(source);
  return () => ring;
}

function toKeyring(value: unknown): Keyring {
  if (isKeyring(value)) {
    return value;
  }
  if (isSzcryptKey(value)) {
    return Keyring.of(value);
  }
  throw new TypeError("szcrypt: the key source must give a SzcryptKey or a Keyring");
}

// protobuf-es messages hold plain Uint8Arrays; a Buffer would compare unequal
// in deepStrictEqual. A view shares the memory, no copy.
function plainBytes(buf: Uint8Array): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

const cryptoCache = new WeakMap<object, FieldCrypto>();

function cryptoOf(using: FieldCrypto | FieldCryptoOptions): FieldCrypto {
  if ("encryptMessage" in using) {
    return using;
  }
  let crypto = cryptoCache.get(using);
  if (crypto === undefined) {
    crypto = createFieldCrypto(using);
    cryptoCache.set(using, crypto);
  }
  return crypto;
}

/**
 * A copy of `message` with every sensitive field encrypted: the caller's
 * object is never changed. `using` is a FieldCrypto, or the options for one
 * (cached per options object).
 */
export function encryptFields<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  using: FieldCrypto | FieldCryptoOptions,
): MessageShape<Desc> {
  return cryptoOf(using).encryptMessage(schema, message);
}

/** A copy of `message` with every sensitive field decrypted; see {@link encryptFields}. */
export function decryptFields<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  using: FieldCrypto | FieldCryptoOptions,
): MessageShape<Desc> {
  return cryptoOf(using).decryptMessage(schema, message);
}
