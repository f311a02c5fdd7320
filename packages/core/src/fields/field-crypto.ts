import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { createOracleGuard, isOracleGuard, type OracleGuard, type OracleGuardOptions } from "../defence/oracle-guard.js";
import { SzcryptError } from "../errors/szcrypt-error.js";
import { encodeSzc1Context } from "../formats/szc1-context.js";
import type { Keyring } from "../keys/keyring.js";
import { compileFieldPlan, type FieldPlan } from "../plans/field-plan.js";
import { transformMessage } from "../plans/transform.js";
import type { TypeScopeOptions } from "../plans/type-scope.js";
import { assertContextPolicy, type ContextParts, type MessageBinding } from "./call-binding.js";
import { type FormatName, resolveFormatPolicy } from "./format-policy.js";
import { type KeySource, keyringSource } from "./key-source.js";
import { type LeafCryptoContext, leafDecryptor } from "./leaf-crypto.js";
import { decryptMessageBatched, encryptLegacyMessage } from "./legacy-message.js";
import { encryptSzc1Message, szc1BatchedLeaf } from "./szc1-message.js";

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
  /**
   * The szc1 context of every message this FieldCrypto handles (a message's
   * binding overrides it), e.g. `[tenantId]` for a queue of one tenant.
   * Requires format "szc1" and accept ["szc1"] (legacy-cbc cannot be bound)
   * unless `acceptUnbound`.
   */
  readonly context?: ContextParts;
  /**
   * With a context: also accept unbound szc1 values (and legacy-cbc, if
   * accepted) while senders migrate. Default false: an unbound value fails
   * like any other undecryptable one.
   */
  readonly acceptUnbound?: boolean;
}

/**
 * Encrypts and decrypts the sensitive fields of protobuf messages, as a
 * transport does at its boundary. Plans are compiled once per message type.
 */
export interface FieldCrypto {
  /** The format encryption writes. */
  readonly format: FormatName;
  /** The formats decryption accepts. */
  readonly accept: readonly FormatName[];
  /**
   * A copy of `message` with every sensitive field encrypted. The message is
   * never modified. `binding` (resolved per call by a transport) gives the
   * szc1 context of this message and the call's keyring.
   *
   * @throws SzcryptError naming the field when a value cannot be encrypted;
   *   nothing is returned half-encrypted.
   */
  encryptMessage<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>, binding?: MessageBinding): MessageShape<Desc>;
  /**
   * A copy of `message` with every sensitive field decrypted.
   *
   * @throws SzcryptError DECRYPT_FAILED with the field path, the same for every
   *   cause: bad padding or tag, wrong or unknown key, invalid UTF-8, a format
   *   the policy does not accept, text that is no token at all, or a legacy-cbc
   *   value the oracle guard refused (its `cause` says so, for logs), an
   *   unbound value where a context is required (its `cause` says so); and
   *   CONTEXT_REQUIRED for a context-bound value without a context.
   */
  decryptMessage<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>, binding?: MessageBinding): MessageShape<Desc>;
  /** The plan for `schema` (compiled and cached on first use). */
  plan(schema: DescMessage): FieldPlan;
  /** The keyring in force now: telemetry names the key a message used by its id here. */
  keyring(): Keyring;
}

/**
 * Creates a {@link FieldCrypto}: what the transports use, and what to use
 * directly for messages that do not travel over gRPC (queues, files).
 *
 * @example
 * ```ts
 * const crypto = createFieldCrypto({ key: keyringFromEnv(), format: "szc1", accept: ["szc1", "legacy-cbc"] });
 * const sealed = crypto.encryptMessage(PaymentSchema, payment);
 * const opened = crypto.decryptMessage(PaymentSchema, sealed);
 * ```
 * @throws SzcryptError CONFIG_INVALID for an unknown format or an empty accept
 *   list, oracle guard options out of range, or a `context` with legacy-cbc
 *   written, or accepted without `acceptUnbound`.
 * @throws TypeError when `key` gives neither a SzcryptKey nor a Keyring.
 */
export function createFieldCrypto(options: FieldCryptoOptions): FieldCrypto {
  const { format, accept } = resolveFormatPolicy(options.format, options.accept);
  const ringOf = keyringSource(options.key);
  const acceptLegacy = accept.includes("legacy-cbc");
  const acceptUnbound = options.acceptUnbound === true;
  if (options.context !== undefined) {
    assertContextPolicy(format, accept, acceptUnbound, "context");
  }
  const ctx: LeafCryptoContext = {
    ringOf,
    acceptLegacy,
    acceptSzc1: accept.includes("szc1"),
    guard: acceptLegacy ? oracleGuardOf(options.oracleGuard) : undefined,
    context: options.context,
    acceptUnbound,
  };
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
  const decryptLeaf = leafDecryptor(ctx);
  // The context of a call, or its keyring: a context for this message only.
  const bound = (binding: MessageBinding): LeafCryptoContext => {
    const context = binding.context ?? ctx.context;
    const keyring = binding.keyring;
    return {
      ...ctx,
      ...(keyring === undefined ? {} : { ringOf: () => keyring }),
      context,
      // Legacy-cbc is unbound: with a context, accepted only while migrating.
      acceptLegacy: acceptLegacy && (context === undefined || acceptUnbound),
    };
  };

  return {
    format,
    accept,
    plan: planOf,
    keyring: ringOf,
    encryptMessage(schema, message, binding) {
      const plan = planOf(schema);
      if (plan.isEmpty) {
        return message;
      }
      const c = binding === undefined ? ctx : bound(binding);
      if (format === "legacy-cbc") {
        if (c.context !== undefined) {
          throw new SzcryptError(
            "CONFIG_INVALID",
            'a context binds szc1 values, but the format written is legacy-cbc, which cannot be bound: set format "szc1"',
          );
        }
        return encryptLegacyMessage(plan.root, message, c);
      }
      return encryptSzc1Message(plan.root, message, c.ringOf, encodedContextOf(c.context));
    },
    decryptMessage(schema, message, binding) {
      const plan = planOf(schema);
      if (plan.isEmpty) {
        return message;
      }
      const c = binding === undefined ? ctx : bound(binding);
      const fallback = c === ctx ? decryptLeaf : leafDecryptor(c);
      // szc1 values of the message open in one batch; what it cannot open goes to the one-value path.
      const leaf = c.acceptSzc1 ? szc1BatchedLeaf(plan.root, message, c.ringOf, fallback, encodedContextOf(c.context)) : fallback;
      // Without legacy-cbc there is nothing to batch on this side: one walk places the values.
      return c.acceptLegacy ? decryptMessageBatched(plan.root, message, c, leaf) : transformMessage(plan.root, message, leaf);
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
 *
 * @example
 * ```ts
 * const options = { key: parseKeySpec("hex:000102030405060708090a0b0c0d0e0f") };
 * const sealed = encryptFields(PaymentSchema, payment, options);
 * decryptFields(PaymentSchema, sealed, options).cardNumber; // the original card number
 * ```
 * @throws SzcryptError as {@link FieldCrypto.encryptMessage}.
 */
export function encryptFields<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  using: FieldCrypto | FieldCryptoOptions,
): MessageShape<Desc> {
  return cryptoOf(using).encryptMessage(schema, message);
}

/**
 * A copy of `message` with every sensitive field decrypted; see {@link encryptFields}.
 *
 * @throws SzcryptError as {@link FieldCrypto.decryptMessage}.
 */
export function decryptFields<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  using: FieldCrypto | FieldCryptoOptions,
): MessageShape<Desc> {
  return cryptoOf(using).decryptMessage(schema, message);
}

/** The context's bytes as szc1's AAD carries them, once per message; CONFIG_INVALID for a bad context. */
function encodedContextOf(context: ContextParts | undefined): Uint8Array | undefined {
  return context === undefined ? undefined : encodeSzc1Context(context);
}
