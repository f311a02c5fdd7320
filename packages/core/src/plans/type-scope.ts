import { createRegistry, type DescExtension, type DescFile, type DescMessage, type Registry } from "@bufbuild/protobuf";
import {
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";

/**
 * Where szcrypt looks up the types a schema alone does not name: messages
 * packed in a `google.protobuf.Any`, and extensions.
 */
export interface TypeScopeOptions {
  /**
   * The types szcrypt resolves `Any` type URLs and extensions through.
   * Default: the file of the message type being processed and every file it
   * imports, transitively (for an RPC: the files the method's request or
   * response type comes from). Give a registry when packed types or
   * extensions are declared in files that one does not import. Packed
   * well-known types (`google.protobuf.Timestamp`, `Struct`, wrappers…) are
   * always known: they cannot carry the sensitive option. A registry is read
   * when a plan is first compiled with it; later changes to a mutable one
   * are not seen.
   */
  readonly registry?: Registry;
  /**
   * Packed types the registry does not know that may still cross untouched.
   * By default szcrypt refuses them (it cannot tell whether they hold
   * sensitive fields): a request is answered `INVALID_ARGUMENT`, a response
   * fails with `INTERNAL`. A list of full type names allows those; `true`
   * allows every unknown type and should be kept for services that never
   * pack sensitive data.
   */
  readonly allowUnknownAny?: boolean | readonly string[];
}

/**
 * A registry and what may pass unresolved: plans are compiled and cached per
 * scope, since both change which fields of a type are walked.
 *
 * @internal
 */
export interface TypeScope {
  /** Where extensions are found. */
  readonly registry: Registry;
  /** Where packed types are found: the registry, and the well-known types. */
  readonly types: Registry;
  /** Whether a packed type the registry does not know may pass untouched. */
  allowsUnknown(typeName: string): boolean;
  /** Extensions of `typeName` that the registry knows, in field-number order. */
  extensionsOf(typeName: string): readonly DescExtension[];
}

const defaultRegistries = new WeakMap<DescFile, Registry>();
const scopes = new WeakMap<Registry, Map<string, TypeScope>>();

/**
 * The scope for `schema` under `options`, cached so that equal options share
 * compiled plans.
 *
 * @internal
 */
export function typeScope(schema: DescMessage, options: TypeScopeOptions | undefined): TypeScope {
  const registry = options?.registry ?? defaultRegistry(schema.file);
  const allow = options?.allowUnknownAny ?? false;
  const allowKey = allow === true ? "*" : allow === false ? "" : [...allow].sort().join(",");
  let byAllow = scopes.get(registry);
  if (byAllow === undefined) {
    byAllow = new Map();
    scopes.set(registry, byAllow);
  }
  let scope = byAllow.get(allowKey);
  if (scope === undefined) {
    scope = makeScope(registry, allow);
    byAllow.set(allowKey, scope);
  }
  return scope;
}

// What protobuf ships: packing one of these is never a reason to refuse.
const wellKnownFiles = [
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
];

function makeScope(registry: Registry, allow: boolean | readonly string[]): TypeScope {
  const allowed = typeof allow === "boolean" ? undefined : new Set(allow);
  let byExtendee: Map<string, DescExtension[]> | undefined;
  let types: Registry | undefined;
  return {
    registry,
    get types() {
      // The registry's own types win over the shipped ones of the same name.
      types ??= createRegistry(...wellKnownFiles, registry);
      return types;
    },
    allowsUnknown: (typeName) => allow === true || (allowed?.has(typeName) ?? false),
    extensionsOf(typeName) {
      // A Registry has no lookup by extendee: index it once.
      if (byExtendee === undefined) {
        byExtendee = new Map();
        for (const desc of registry) {
          if (desc.kind === "extension") {
            const list = byExtendee.get(desc.extendee.typeName) ?? [];
            list.push(desc);
            byExtendee.set(desc.extendee.typeName, list);
          }
        }
        for (const list of byExtendee.values()) {
          list.sort((a, b) => a.number - b.number);
        }
      }
      return byExtendee.get(typeName) ?? [];
    },
  };
}

/** A file and everything it imports, transitively. */
function defaultRegistry(file: DescFile): Registry {
  let registry = defaultRegistries.get(file);
  if (registry === undefined) {
    const files: DescFile[] = [];
    const seen = new Set<DescFile>();
    const visit = (f: DescFile) => {
      if (!seen.has(f)) {
        seen.add(f);
        f.dependencies.forEach(visit);
        files.push(f);
      }
    };
    visit(file);
    registry = createRegistry(...files);
    defaultRegistries.set(file, registry);
  }
  return registry;
}
