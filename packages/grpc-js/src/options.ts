import type { DescMethod, DescService } from "@bufbuild/protobuf";
import {
  createFieldCrypto,
  type FieldCrypto,
  type FormatName,
  isSzcryptKey,
  parseKeySpec,
  SzcryptError,
  type SzcryptKey,
} from "@szcrypt/core";
import { methodOfSerializer } from "./service-definition.js";

/** The environment variable szcrypt reads a key spec from when no key is given. */
export const DEFAULT_KEY_ENV = "SZCRYPT_KEY";

export interface SzcryptGrpcOptions {
  /**
   * The key: a `SzcryptKey`, a key spec (`hex:…`, `utf8:…`, `base64:…`), or a
   * function returning the current key. Default: the key spec in the
   * `SZCRYPT_KEY` environment variable, read when the interceptor is created.
   */
  readonly key?: SzcryptKey | string | (() => SzcryptKey);
  /** The format encryption writes. Default `legacy-cbc`, the platform page's scheme. */
  readonly format?: FormatName;
  /** The formats decryption accepts. Default: the one encryption writes. */
  readonly accept?: readonly FormatName[];
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
  readonly crypto: FieldCrypto;
  readonly unknownMethods: "reject" | "pass";
  readonly onError: SzcryptGrpcOptions["onError"];
  methodFor(serializer: unknown, path: string): DescMethod | undefined;
}

/** @internal */
export function resolveOptions(options: SzcryptGrpcOptions): InterceptorContext {
  const crypto = createFieldCrypto({
    key: resolveKey(options.key),
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.accept === undefined ? {} : { accept: options.accept }),
  });
  const byPath = new Map<string, DescMethod>();
  for (const service of options.services ?? []) {
    for (const method of service.methods) {
      byPath.set(`/${service.typeName}/${method.name}`, method);
    }
  }
  return {
    crypto,
    unknownMethods: options.unknownMethods ?? "reject",
    onError: options.onError,
    methodFor: (serializer, path) => methodOfSerializer(serializer) ?? byPath.get(path),
  };
}

function resolveKey(key: SzcryptGrpcOptions["key"]): SzcryptKey | (() => SzcryptKey) {
  if (typeof key === "string") {
    return parseKeySpec(key);
  }
  if (key !== undefined) {
    if (typeof key !== "function" && !isSzcryptKey(key)) {
      throw new TypeError("szcrypt: `key` must be a SzcryptKey, a key spec string or a function returning a SzcryptKey");
    }
    return key;
  }
  const spec = process.env[DEFAULT_KEY_ENV];
  if (spec === undefined || spec === "") {
    throw new SzcryptError(
      "KEY_UNAVAILABLE",
      `no key: set ${DEFAULT_KEY_ENV} to a key spec (e.g. 'hex:' followed by 32 hex digits; \`pnpm szcrypt keygen\` makes one) or pass \`key\``,
    );
  }
  return parseKeySpec(spec);
}
