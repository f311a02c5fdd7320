import type { DescMethod, DescService } from "@bufbuild/protobuf";
import {
  checkFormatPolicy,
  createFieldCrypto,
  type FieldCrypto,
  type FormatName,
  isKeyProvider,
  isKeyring,
  isSzcryptKey,
  type KeyProvider,
  Keyring,
  type KeySource,
  SzcryptError,
  type SzcryptKey,
} from "@szcrypt/core";
import { methodOfSerializer } from "./service-definition.js";

/** The environment variable szcrypt reads a key spec from when no key is given. */
export const DEFAULT_KEY_ENV = "SZCRYPT_KEY";

export interface SzcryptGrpcOptions {
  /**
   * The key: a `SzcryptKey`, a `Keyring`, a key provider (`fileKeyProvider`,
   * `asyncKeyProvider`: await its `ready()` before serving), a key spec
   * (`hex:…`, `utf8:…`, `base64:…`) or a keyring's JSON form, or a function
   * returning the current key or keyring. Default: `SZCRYPT_KEY` (a key spec or keyring JSON), read
   * when the interceptor is created.
   */
  readonly key?: SzcryptKey | Keyring | KeyProvider | string | (() => SzcryptKey | Keyring);
  /** The format encryption writes. Default `legacy-cbc`, the platform page's scheme. */
  readonly format?: FormatName;
  /** The formats decryption accepts. Default: the one encryption writes. */
  readonly accept?: readonly FormatName[];
  /**
   * Per-method policy, overriding `format` and `accept`, keyed by the gRPC
   * path: `{ "/sz.examples.v1.PaymentService/Authorize": { format: "szc1" } }`.
   */
  readonly methods?: Readonly<Record<string, { readonly format?: FormatName; readonly accept?: readonly FormatName[] }>>;
  /**
   * Services whose methods were not defined with `createGrpcServiceDefinition`
   * (e.g. served with another code generator's definitions): szcrypt finds
   * their schemas by path.
   */
  readonly services?: readonly DescService[];
  /**
   * What to do with a call to a method szcrypt has no schema for. `"reject"`
   * (default) fails the call: szcrypt cannot know which of its fields are
   * sensitive. `"pass"` lets it through untouched (health checks, reflection).
   */
  readonly unknownMethods?: "reject" | "pass";
  /**
   * Called with every error szcrypt turns into a status, for the service's
   * logs. Errors never hold a key, a plaintext or a ciphertext.
   */
  readonly onError?: (error: SzcryptError, context: { readonly method: string; readonly side: "client" | "server" }) => void;
}

/** @internal what both interceptors work from. */
export interface InterceptorContext {
  /** The FieldCrypto for a method path (its override, or the service-wide one). */
  cryptoFor(path: string): FieldCrypto;
  readonly unknownMethods: "reject" | "pass";
  readonly onError: SzcryptGrpcOptions["onError"];
  methodFor(serializer: unknown, path: string): DescMethod | undefined;
}

/** @internal */
export function resolveOptions(options: SzcryptGrpcOptions): InterceptorContext {
  const key = resolveKey(options.key);
  const make = (format: FormatName | undefined, accept: readonly FormatName[] | undefined): FieldCrypto => {
    const f = format ?? "legacy-cbc";
    checkFormatPolicy(f, accept ?? [f]);
    return createFieldCrypto({ key, format: f, ...(accept === undefined ? {} : { accept }) });
  };
  const crypto = make(options.format, options.accept);
  const overrides = new Map<string, FieldCrypto>();
  for (const [path, policy] of Object.entries(options.methods ?? {})) {
    if (!/^\/[^/]+\/[^/]+$/.test(path)) {
      throw new SzcryptError(
        "CONFIG_INVALID",
        `a per-method policy is keyed by gRPC path, "/package.Service/Method"; got ${JSON.stringify(path)}`,
      );
    }
    overrides.set(path, make(policy.format ?? options.format, policy.accept ?? (policy.format === undefined ? options.accept : undefined)));
  }
  const byPath = new Map<string, DescMethod>();
  for (const service of options.services ?? []) {
    for (const method of service.methods) {
      byPath.set(`/${service.typeName}/${method.name}`, method);
    }
  }
  return {
    cryptoFor: (path) => overrides.get(path) ?? crypto,
    unknownMethods: options.unknownMethods ?? "reject",
    onError: options.onError,
    methodFor: (serializer, path) => methodOfSerializer(serializer) ?? byPath.get(path),
  };
}

function resolveKey(key: SzcryptGrpcOptions["key"]): KeySource {
  if (typeof key === "string") {
    return Keyring.parse(key);
  }
  if (key !== undefined) {
    if (typeof key !== "function" && !isSzcryptKey(key) && !isKeyring(key) && !isKeyProvider(key)) {
      throw new TypeError("szcrypt: `key` must be a SzcryptKey, a Keyring, a key spec or keyring JSON string, or a function returning one");
    }
    return key;
  }
  const spec = process.env[DEFAULT_KEY_ENV];
  if (spec === undefined || spec === "") {
    throw new SzcryptError(
      "KEY_UNAVAILABLE",
      `no key: set ${DEFAULT_KEY_ENV} to a key spec (e.g. 'hex:' followed by 32 hex digits; \`pnpm szcrypt keygen\` makes one) or keyring JSON, or pass \`key\``,
    );
  }
  return Keyring.parse(spec);
}
