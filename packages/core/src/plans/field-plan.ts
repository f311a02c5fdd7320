import { type DescExtension, type DescField, type DescMessage, getOption, hasOption, ScalarType } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import { SzcryptError } from "../errors/szcrypt-error.js";
import { sensitive } from "../gen/sz/crypt/v1/options_pb.js";
import { type TypeScope, type TypeScopeOptions, typeScope } from "./type-scope.js";
import { visitPlanLeaves } from "./visit.js";

/** A field or an extension: both hold values the same way. */
export type FieldLike = DescField | DescExtension;

/** How a field holds its values. @internal */
export type FieldShape = "singular" | "list" | "map";

/** A sensitive string or bytes field: the values szcrypt encrypts. @internal */
export interface LeafOp {
  readonly kind: "leaf";
  readonly localName: string;
  /** Full protobuf name, e.g. `sz.examples.v1.Payment.card_number`. */
  readonly fieldName: string;
  readonly shape: FieldShape;
  readonly scalar: "string" | "bytes";
  /** The oneof's local name when the field is a oneof member. */
  readonly oneof: string | undefined;
  /**
   * True for a singular field with explicit presence (proto2 `optional`,
   * editions' default): an unset one reads as its declared default, so it is
   * walked only when set.
   */
  readonly explicit: boolean;
  /** Set when the value is an extension: it lives in the message's unknown fields. */
  readonly extension: DescExtension | undefined;
  readonly field: FieldLike;
}

/** A message-typed field (or extension) with sensitive fields somewhere below it. @internal */
export interface ChildOp {
  readonly kind: "child";
  readonly localName: string;
  readonly fieldName: string;
  readonly shape: FieldShape;
  readonly oneof: string | undefined;
  readonly explicit: boolean;
  readonly extension: DescExtension | undefined;
  readonly node: PlanNode;
  readonly field: FieldLike;
}

/**
 * A `google.protobuf.Any` field: what it packs is found in the plan's type
 * scope when a message is walked, and refused when the scope does not know it.
 *
 * @internal
 */
export interface AnyOp {
  readonly kind: "any";
  readonly localName: string;
  readonly fieldName: string;
  readonly shape: FieldShape;
  readonly oneof: string | undefined;
  readonly explicit: boolean;
  readonly extension: DescExtension | undefined;
  readonly field: FieldLike;
  /** @internal where packed types are resolved. */
  readonly scope: TypeScope;
}

/** One step of a plan. @internal */
export type FieldOp = LeafOp | ChildOp | AnyOp;

/** The compiled plan of one message type: only the fields that lead to something marked. @internal */
export interface PlanNode {
  readonly schema: DescMessage;
  readonly ops: readonly FieldOp[];
  /**
   * For a type that declares extension ranges: the ranges, and the extension
   * numbers the type scope knows. A value in those ranges that the scope does
   * not know could be a sensitive extension szcrypt cannot see: it is refused.
   */
  readonly extensionRanges?: { readonly ranges: readonly (readonly [number, number])[]; readonly known: ReadonlySet<number> };
}

/** A sensitive field as reached from the root message, for docs, linters and logs. */
export interface SensitiveFieldInfo {
  /** Path from the root: `card_number`, `notes[]`, `attributes{}`, `previous[].line1`. */
  readonly path: string;
  readonly fieldName: string;
  readonly scalar: "string" | "bytes";
}

/**
 * Which fields of a message type are sensitive, at any depth, compiled once
 * from the schema. Recursive types are described without looping; a type with
 * nothing sensitive below it has an empty plan and costs nothing per message.
 */
export interface FieldPlan {
  readonly schema: DescMessage;
  /**
   * True when no field at any depth is sensitive and none is a
   * `google.protobuf.Any` (whatever it packs could be).
   */
  readonly isEmpty: boolean;
  /** @internal the compiled walk. */
  readonly root: PlanNode;
  /** The sensitive fields, each reached once (a recursive type's fields appear at their first depth). */
  readonly sensitiveFields: readonly SensitiveFieldInfo[];
}

/** A predicate marking the fields a plan collects. */
export type FieldMarker = (field: FieldLike) => boolean;

/** Whether a field carries `(sz.crypt.v1.sensitive) = true` (valid or not). */
export const isSensitiveField: FieldMarker = (field) => hasOption(field, sensitive) && getOption(field, sensitive);
const isSensitive = isSensitiveField;

const ANY = "google.protobuf.Any";

const planCaches = new WeakMap<TypeScope, WeakMap<DescMessage, FieldPlan>>();

/**
 * The field plan of `schema` for the `(sz.crypt.v1.sensitive)` option,
 * compiled on first use and cached per type scope.
 *
 * Extensions of a type that the scope's registry knows are part of its plan;
 * `google.protobuf.Any` fields are walked through the registry (see
 * {@link TypeScopeOptions}).
 *
 * @example
 * ```ts
 * compileFieldPlan(PaymentSchema).sensitiveFields.map((f) => f.path); // ["card_number", …]
 * ```
 *
 * @throws SzcryptError SCHEMA_INVALID when the option sits on a field or an
 *   extension that is not `string` or `bytes` (or a map whose values are
 *   not), anywhere the type reaches, naming its full name and the fix.
 */
export function compileFieldPlan(schema: DescMessage, options?: TypeScopeOptions): FieldPlan {
  if (options !== undefined) {
    return compileScopedPlan(schema, typeScope(schema, options));
  }
  // The common call: one lookup, not the scope's several.
  let plan = defaultPlans.get(schema);
  if (plan === undefined) {
    plan = compileScopedPlan(schema, typeScope(schema, undefined));
    defaultPlans.set(schema, plan);
  }
  return plan;
}

const defaultPlans = new WeakMap<DescMessage, FieldPlan>();

/** @internal the plan of `schema` in `scope`, cached. */
export function compileScopedPlan(schema: DescMessage, scope: TypeScope): FieldPlan {
  let cache = planCaches.get(scope);
  if (cache === undefined) {
    cache = new WeakMap();
    planCaches.set(scope, cache);
  }
  let plan = cache.get(schema);
  if (plan === undefined) {
    plan = buildPlan(schema, isSensitive, scope, validateSensitive);
    cache.set(schema, plan);
  }
  return plan;
}

/**
 * A plan for any marker, e.g. sensitive or `debug_redact` fields for
 * redaction. Leaves may then be of any type; children are message fields.
 *
 * @internal
 */
export function buildPlan(schema: DescMessage, marker: FieldMarker, scope: TypeScope, validate?: (field: FieldLike) => void): FieldPlan {
  if (schema.typeName === ANY) {
    // An Any is walked as a field (unpacked, walked, repacked). As the whole
    // message, or packed directly in another Any, it would have no plan of its
    // own and cross untouched: refuse it instead.
    throw new SzcryptError(
      "UNSUPPORTED_MESSAGE",
      "szcrypt does not walk a google.protobuf.Any that is a whole request or response or is packed directly in another Any: " +
        "it could not see the sensitive fields inside. Pack the message itself, or hold the Any in a field of a message",
    );
  }
  const types = reachableTypes(schema, scope);
  if (validate !== undefined) {
    for (const type of types) {
      for (const field of membersOf(type, scope)) {
        if (marker(field)) {
          validate(field);
        }
      }
    }
  }
  const reaches = markReaching(types, marker, scope);
  const nodes = new Map<DescMessage, { schema: DescMessage; ops: FieldOp[]; extensionRanges?: NonNullable<PlanNode["extensionRanges"]> }>();
  const nodeOf = (type: DescMessage): PlanNode => {
    let node = nodes.get(type);
    if (node !== undefined) {
      return node;
    }
    const ranges = type.proto.extensionRange.map((r): readonly [number, number] => [r.start, r.end]);
    node =
      ranges.length === 0
        ? { schema: type, ops: [] }
        : { schema: type, ops: [], extensionRanges: { ranges, known: new Set(scope.extensionsOf(type.typeName).map((e) => e.number)) } };
    nodes.set(type, node); // before recursing: a recursive type finds itself here
    for (const field of membersOf(type, scope)) {
      const op = opFor(field, marker, reaches, nodeOf, scope);
      if (op !== undefined) {
        node.ops.push(op);
      }
    }
    return node;
  };
  const root = nodeOf(schema);
  return { schema, isEmpty: root.ops.length === 0 && root.extensionRanges === undefined, root, sensitiveFields: listLeaves(root) };
}

/** A type's fields, then the extensions of it that the scope knows. */
function membersOf(type: DescMessage, scope: TypeScope): readonly FieldLike[] {
  const extensions = scope.extensionsOf(type.typeName);
  return extensions.length === 0 ? type.fields : [...type.fields, ...extensions];
}

/** `sz.examples.v1.Payment.card_number`, or an extension's own full name. */
export function fullNameOf(field: FieldLike): string {
  return field.kind === "extension" ? field.typeName : `${field.parent.typeName}.${field.name}`;
}

function opFor(
  field: FieldLike,
  marker: FieldMarker,
  reaches: ReadonlySet<DescMessage>,
  nodeOf: (type: DescMessage) => PlanNode,
  scope: TypeScope,
): FieldOp | undefined {
  const extension = field.kind === "extension" ? field : undefined;
  const shape: FieldShape = field.fieldKind === "list" ? "list" : field.fieldKind === "map" ? "map" : "singular";
  const base = {
    // An extension has no property of its own; the name is only a label.
    localName: extension === undefined ? (field as DescField).localName : extension.typeName,
    fieldName: fullNameOf(field),
    oneof: field.oneof?.localName,
    // Message fields read as undefined when unset; other singular fields with
    // explicit presence read as their default and must be checked.
    explicit:
      extension === undefined && shape === "singular" && field.oneof === undefined && field.presence !== FeatureSet_FieldPresence.IMPLICIT,
    extension,
    field,
    shape,
  };
  if (marker(field)) {
    const scalar = scalarOf(field) === ScalarType.BYTES ? "bytes" : "string";
    return { kind: "leaf", scalar, ...base };
  }
  const child = messageOf(field);
  if (child?.typeName === ANY) {
    return { kind: "any", scope, ...base };
  }
  if (child === undefined || !reaches.has(child)) {
    return undefined;
  }
  return { kind: "child", node: nodeOf(child), ...base };
}

function scalarOf(field: FieldLike): ScalarType | undefined {
  switch (field.fieldKind) {
    case "scalar":
      return field.scalar;
    case "list":
      return field.listKind === "scalar" ? field.scalar : undefined;
    case "map":
      return field.mapKind === "scalar" ? field.scalar : undefined;
    default:
      return undefined;
  }
}

function messageOf(field: FieldLike): DescMessage | undefined {
  switch (field.fieldKind) {
    case "message":
      return field.message;
    case "list":
      return field.listKind === "message" ? field.message : undefined;
    case "map":
      return field.mapKind === "message" ? field.message : undefined;
    default:
      return undefined;
  }
}

/**
 * Checks one field that carries `(sz.crypt.v1.sensitive) = true`: only string
 * and bytes values may be marked.
 *
 * @throws SzcryptError SCHEMA_INVALID naming the field and the fix.
 * @internal for tools that check annotations one by one (`szcrypt lint`).
 */
export function validateSensitive(field: FieldLike): void {
  const scalar = scalarOf(field);
  if (scalar === ScalarType.STRING || scalar === ScalarType.BYTES) {
    return;
  }
  const fullName = fullNameOf(field);
  const what =
    field.fieldKind === "map"
      ? `a map whose values are ${field.mapKind === "message" ? `messages (${field.message.typeName})` : field.mapKind === "enum" ? "an enum" : ScalarType[field.scalar].toLowerCase()}`
      : field.fieldKind === "message" || (field.fieldKind === "list" && field.listKind === "message")
        ? `a message field (${messageOf(field)?.typeName})`
        : field.fieldKind === "enum" || (field.fieldKind === "list" && field.listKind === "enum")
          ? "an enum field"
          : `a ${ScalarType[scalarOf(field) ?? ScalarType.STRING].toLowerCase()} field`;
  throw new SzcryptError(
    "SCHEMA_INVALID",
    `(sz.crypt.v1.sensitive) is on ${field.kind === "extension" ? "the extension " : ""}${fullName}, ${what}; ` +
      "it is allowed only on string and bytes fields and extensions " +
      "(singular, optional, repeated, oneof members, map values). Mark the string or bytes fields inside instead, " +
      "or carry the structure as JSON text in a sensitive string field, as the platform page does for dicts",
    { fieldName: fullName },
  );
}

function reachableTypes(root: DescMessage, scope: TypeScope): DescMessage[] {
  const seen = new Set<DescMessage>([root]);
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const field of membersOf(queue[i] as DescMessage, scope)) {
      const child = messageOf(field);
      if (child !== undefined && !seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  return queue;
}

/**
 * The types from which a marked field or an Any (which may pack one) is
 * reachable: a fixpoint, so cycles terminate.
 */
function markReaching(types: readonly DescMessage[], marker: FieldMarker, scope: TypeScope): Set<DescMessage> {
  // Types with extension ranges count too: an extension the scope does not know may be sensitive (see PlanNode).
  const reaching = new Set<DescMessage>(
    types.filter((t) => t.proto.extensionRange.length > 0 || membersOf(t, scope).some((f) => marker(f) || messageOf(f)?.typeName === ANY)),
  );
  let changed = true;
  while (changed) {
    changed = false;
    for (const type of types) {
      if (reaching.has(type)) {
        continue;
      }
      if (membersOf(type, scope).some((f) => !marker(f) && reaching.has(messageOf(f) as DescMessage))) {
        reaching.add(type);
        changed = true;
      }
    }
  }
  return reaching;
}

function listLeaves(root: PlanNode): SensitiveFieldInfo[] {
  const out: SensitiveFieldInfo[] = [];
  visitPlanLeaves(root, (path, op) => out.push({ path, fieldName: op.fieldName, scalar: op.scalar }));
  return out;
}
