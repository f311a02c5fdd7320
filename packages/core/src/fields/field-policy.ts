import type { DescService } from "@bufbuild/protobuf";
import { createOracleGuard, isOracleGuard, type OracleGuard, type OracleGuardOptions } from "../defence/oracle-guard.js";
import { SzcryptError } from "../errors/szcrypt-error.js";
import type { Keyring } from "../keys/keyring.js";
import type { TypeScopeOptions } from "../plans/type-scope.js";
import { assertContextPolicy, type ContextFunction, type KeyForCall } from "./call-binding.js";
import { createFieldCrypto, type FieldCrypto } from "./field-crypto.js";
import type { FormatName } from "./format-policy.js";
import { type KeyOption, resolveKeyOption } from "./key-source.js";

/** A format policy for one method. */
export interface MethodPolicy {
  readonly format?: FormatName;
  readonly accept?: readonly FormatName[];
}

/**
 * What every transport adapter takes: keys, a service-wide format policy,
 * per-method overrides, and where `Any` and extension types are found
 * (`registry`, `allowUnknownAny`: see {@link TypeScopeOptions}).
 */
export interface FieldPolicyOptions extends TypeScopeOptions {
  /**
   * A `SzcryptKey`, a `Keyring`, a key provider (await its `ready()` before
   * serving), a key spec or keyring JSON string, or a function returning the
   * current key or keyring. Default: `SZCRYPT_KEY`, read once, now.
   */
  readonly key?: KeyOption;
  /** The format encryption writes. Default `legacy-cbc`, the platform page's scheme. */
  readonly format?: FormatName;
  /** The formats decryption accepts. Default: the one encryption writes. */
  readonly accept?: readonly FormatName[];
  /**
   * Per-method policy keyed by gRPC path: `{ "/sz.examples.v1.PaymentService/Authorize": { format: "szc1" } }`.
   * Every path must name a method of `services`: an override that matched
   * nothing would leave the service-wide policy (perhaps accepting legacy-cbc)
   * where a stricter one was meant, so it is refused at creation.
   */
  readonly methods?: Readonly<Record<string, MethodPolicy>>;
  /** The services this policy serves: what the paths in `methods` are checked against. */
  readonly services?: readonly DescService[];
  /**
   * The legacy-cbc padding-oracle guard, on by default wherever legacy-cbc is
   * accepted and shared by every method of this policy (see SECURITY.md).
   * Options to tune it, a guard from `createOracleGuard` to share with other
   * interceptors of the process, or `false` to switch it off: only for
   * endpoints that no untrusted caller can reach.
   */
  readonly oracleGuard?: OracleGuard | OracleGuardOptions | false;
  /**
   * Per-call keyring (e.g. per tenant). Exclusive with `key`. May be async;
   * wrap a secrets manager lookup in `createKeyringResolver` for caching. A
   * lookup that fails or returns nothing fails the call closed:
   * KEY_UNAVAILABLE -> FAILED_PRECONDITION, one documented status.
   */
  readonly keyForCall?: KeyForCall;
  /**
   * The szc1 context of a message of a call (see `contextFrom`); both sides
   * must compute the same parts. Requires format "szc1" and accept ["szc1"]
   * (legacy-cbc cannot be bound) unless `acceptUnbound`.
   */
  readonly context?: ContextFunction;
  /** Migration only: also accept unbound szc1 values while senders move. Default false. */
  readonly acceptUnbound?: boolean;
}

/** A FieldCrypto per method, compiled once. */
export interface FieldPolicy {
  /** The FieldCrypto for a gRPC path: its override, or the service-wide one. */
  cryptoFor(path: string): FieldCrypto;
  /** The per-call keyring option, if any (then the FieldCryptos have no key of their own). */
  readonly keyForCall: KeyForCall | undefined;
  /** The context function, if any. */
  readonly context: ContextFunction | undefined;
}

/**
 * Resolves transport options into FieldCryptos.
 *
 * @throws SzcryptError KEY_UNAVAILABLE without a key (there is never a default
 *   key), KEY_INVALID for an unreadable one, CONFIG_INVALID for a bad policy,
 *   `keyForCall` together with `key`, or a `context` with legacy-cbc written,
 *   or accepted without `acceptUnbound`.
 */
export function createFieldPolicy(options: FieldPolicyOptions): FieldPolicy {
  const keyForCall = options.keyForCall;
  const contextFn = options.context;
  if (keyForCall !== undefined && typeof keyForCall !== "function") {
    throw new SzcryptError("CONFIG_INVALID", "`keyForCall` must be a function (call) => Keyring | SzcryptKey | Promise of one");
  }
  if (contextFn !== undefined && typeof contextFn !== "function") {
    throw new SzcryptError("CONFIG_INVALID", "`context` must be a function (call, message, schema) => context parts (see contextFrom)");
  }
  if (keyForCall !== undefined && options.key !== undefined) {
    throw new SzcryptError("CONFIG_INVALID", "`keyForCall` and `key` are exclusive: give one (keyForCall picks a keyring per call)");
  }
  const acceptUnbound = options.acceptUnbound === true;
  // With keyForCall every message gets its call's keyring; this one is never used for a value.
  const key = keyForCall === undefined ? resolveKeyOption(options.key) : noCallKeyring;
  // One guard for all methods: an attacker probing a block through several methods is counted once.
  const option = options.oracleGuard;
  const guard = option === false ? false : isOracleGuard(option) ? option : createOracleGuard(option ?? {});
  // createFieldCrypto applies the format defaults and checks the policy.
  const make = (policy: MethodPolicy): FieldCrypto => {
    const crypto = createFieldCrypto({
      key,
      oracleGuard: guard,
      ...(policy.format === undefined ? {} : { format: policy.format }),
      ...(policy.accept === undefined ? {} : { accept: policy.accept }),
      ...(options.registry === undefined ? {} : { registry: options.registry }),
      ...(options.allowUnknownAny === undefined ? {} : { allowUnknownAny: options.allowUnknownAny }),
      acceptUnbound,
    });
    if (contextFn !== undefined) {
      assertContextPolicy(crypto.format, crypto.accept, acceptUnbound, "context");
    }
    return crypto;
  };
  const base = make({
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.accept === undefined ? {} : { accept: options.accept }),
  });
  const overrides = new Map<string, FieldCrypto>();
  const known = knownMethods(options.services);
  for (const [path, policy] of Object.entries(options.methods ?? {})) {
    assertMethodPath(path, "a per-method policy");
    if (!known.paths.has(path)) {
      throw new SzcryptError("CONFIG_INVALID", unknownOverrideMessage(path, known));
    }
    const format = policy.format ?? options.format;
    // A method that names its own format and no accept list accepts only that format.
    const accept = policy.accept ?? (policy.format === undefined ? options.accept : undefined);
    overrides.set(path, make({ ...(format === undefined ? {} : { format }), ...(accept === undefined ? {} : { accept }) }));
  }
  return { cryptoFor: (path) => overrides.get(path) ?? base, keyForCall, context: contextFn };
}

// The key source of a policy with keyForCall: reached only if a message went
// through without its call's keyring, which must fail closed.
function noCallKeyring(): Keyring {
  throw new SzcryptError("KEY_UNAVAILABLE", "this policy picks its keyring per call (`keyForCall`), and none was resolved for this call");
}

const METHOD_PATH_RE = /^\/[^/]+\/[^/]+$/;

/**
 * Checks that `path` has the shape of a gRPC path, `/package.Service/Method`.
 *
 * @throws SzcryptError CONFIG_INVALID naming `what` and the path.
 */
export function assertMethodPath(path: unknown, what: string): asserts path is string {
  if (typeof path !== "string" || !METHOD_PATH_RE.test(path)) {
    throw new SzcryptError("CONFIG_INVALID", `${what} is keyed by gRPC path, "/package.Service/Method"; got ${JSON.stringify(path)}`);
  }
}

interface KnownMethods {
  readonly paths: ReadonlySet<string>;
  readonly byService: ReadonlyMap<string, readonly string[]>;
}

function knownMethods(services: readonly DescService[] | undefined): KnownMethods {
  const paths = new Set<string>();
  const byService = new Map<string, string[]>();
  for (const service of services ?? []) {
    const names = service.methods.map((m) => m.name);
    byService.set(service.typeName, names);
    for (const name of names) {
      paths.add(`/${service.typeName}/${name}`);
    }
  }
  return { paths, byService };
}

function unknownOverrideMessage(path: string, known: KnownMethods): string {
  const lead = `the per-method policy for ${JSON.stringify(path)} matches no known method, so it would never apply and the service-wide policy would stay in force`;
  if (known.byService.size === 0) {
    return `${lead}: list the services it is for in \`services\` (their protobuf-es descriptors), so that szcrypt can check each path`;
  }
  const serviceName = path.split("/")[1] as string;
  const methods = known.byService.get(serviceName);
  if (methods !== undefined) {
    return `${lead}: ${serviceName} has ${methods.join(", ")}; fix the method name (as in the .proto, e.g. "/${serviceName}/${methods[0] ?? "Method"}")`;
  }
  return `${lead}: no service ${serviceName} is in \`services\` (${[...known.byService.keys()].join(", ")}); fix the path or add the service`;
}
