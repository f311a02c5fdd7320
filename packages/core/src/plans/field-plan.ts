import { type DescField, type DescMessage, getOption, hasOption, ScalarType } from "@bufbuild/protobuf";
import { SzcryptError } from "../errors/szcrypt-error.js";
import { sensitive } from "../gen/sz/crypt/v1/options_pb.js";

/** How a field holds its values. */
export type FieldShape = "singular" | "list" | "map";

/** A sensitive string or bytes field: the values szcrypt encrypts. */
export interface LeafOp {
  readonly kind: "leaf";
  readonly localName: string;
  /** Full protobuf name, e.g. `sz.examples.v1.Payment.card_number`. */
  readonly fieldName: string;
  readonly shape: FieldShape;
  readonly scalar: "string" | "bytes";
  /** The oneof's local name when the field is a oneof member. */
  readonly oneof: string | undefined;
  readonly field: DescField;
}

/** A message-typed field with sensitive fields somewhere below it. */
export interface ChildOp {
  readonly kind: "child";
  readonly localName: string;
  readonly fieldName: string;
  readonly shape: FieldShape;
  readonly oneof: string | undefined;
  readonly node: PlanNode;
  readonly field: DescField;
}

export type FieldOp = LeafOp | ChildOp;

/** The compiled plan of one message type: only the fields that lead to something marked. */
export interface PlanNode {
  readonly schema: DescMessage;
  readonly ops: readonly FieldOp[];
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
  /** True when no field at any depth is sensitive. */
  readonly isEmpty: boolean;
  /** @internal the compiled walk. */
  readonly root: PlanNode;
  /** The sensitive fields, each reached once (a recursive type's fields appear at their first depth). */
  readonly sensitiveFields: readonly SensitiveFieldInfo[];
}

/** A predicate marking the fields a plan collects. */
export type FieldMarker = (field: DescField) => boolean;

/** Whether a field carries `(sz.crypt.v1.sensitive) = true` (valid or not). */
export const isSensitiveField: FieldMarker = (field) => hasOption(field, sensitive) && getOption(field, sensitive);
const isSensitive = isSensitiveField;

const planCache = new WeakMap<DescMessage, FieldPlan>();

/**
 * The field plan of `schema` for the `(sz.crypt.v1.sensitive)` option,
 * compiled on first use and cached.
 *
 * @throws SzcryptError SCHEMA_INVALID when the option sits on a field that is
 *   not `string` or `bytes` (or a map whose values are not), anywhere the type
 *   reaches, naming the field's full name and the fix.
 */
export function compileFieldPlan(schema: DescMessage): FieldPlan {
  let plan = planCache.get(schema);
  if (plan === undefined) {
    plan = buildPlan(schema, isSensitive, validateSensitive);
    planCache.set(schema, plan);
  }
  return plan;
}

/**
 * A plan for any marker, e.g. sensitive or `debug_redact` fields for
 * redaction. Leaves may then be of any type; children are message fields.
 *
 * @internal
 */
export function buildPlan(schema: DescMessage, marker: FieldMarker, validate?: (field: DescField) => void): FieldPlan {
  const types = reachableTypes(schema);
  if (validate !== undefined) {
    for (const type of types) {
      for (const field of type.fields) {
        if (marker(field)) {
          validate(field);
        }
      }
    }
  }
  const reaches = markReaching(types, marker);
  const nodes = new Map<DescMessage, { schema: DescMessage; ops: FieldOp[] }>();
  const nodeOf = (type: DescMessage): PlanNode => {
    let node = nodes.get(type);
    if (node !== undefined) {
      return node;
    }
    node = { schema: type, ops: [] };
    nodes.set(type, node); // before recursing: a recursive type finds itself here
    for (const field of type.fields) {
      const op = opFor(field, marker, reaches, nodeOf);
      if (op !== undefined) {
        node.ops.push(op);
      }
    }
    return node;
  };
  const root = nodeOf(schema);
  return { schema, isEmpty: root.ops.length === 0, root, sensitiveFields: listLeaves(root) };
}

function opFor(
  field: DescField,
  marker: FieldMarker,
  reaches: ReadonlySet<DescMessage>,
  nodeOf: (type: DescMessage) => PlanNode,
): FieldOp | undefined {
  const base = {
    localName: field.localName,
    fieldName: `${field.parent.typeName}.${field.name}`,
    oneof: field.oneof?.localName,
    field,
  };
  if (marker(field)) {
    const shape: FieldShape = field.fieldKind === "list" ? "list" : field.fieldKind === "map" ? "map" : "singular";
    const scalar = scalarOf(field) === ScalarType.BYTES ? "bytes" : "string";
    return { kind: "leaf", shape, scalar, ...base };
  }
  const child = messageOf(field);
  if (child === undefined || !reaches.has(child)) {
    return undefined;
  }
  const shape: FieldShape = field.fieldKind === "list" ? "list" : field.fieldKind === "map" ? "map" : "singular";
  return { kind: "child", shape, node: nodeOf(child), ...base };
}

function scalarOf(field: DescField): ScalarType | undefined {
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

function messageOf(field: DescField): DescMessage | undefined {
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
export function validateSensitive(field: DescField): void {
  const scalar = scalarOf(field);
  if (scalar === ScalarType.STRING || scalar === ScalarType.BYTES) {
    return;
  }
  const fullName = `${field.parent.typeName}.${field.name}`;
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
    `(sz.crypt.v1.sensitive) is on ${fullName}, ${what}; it is allowed only on string and bytes fields ` +
      "(singular, optional, repeated, oneof members, map values). Mark the string or bytes fields inside instead, " +
      "or carry the structure as JSON text in a sensitive string field, as the platform page does for dicts",
    { fieldName: fullName },
  );
}

function reachableTypes(root: DescMessage): DescMessage[] {
  const seen = new Set<DescMessage>([root]);
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const field of queue[i]?.fields ?? []) {
      const child = messageOf(field);
      if (child !== undefined && !seen.has(child)) {
        seen.add(child);
        queue.push(child);
      }
    }
  }
  return queue;
}

/** The types from which a marked field is reachable: a fixpoint, so cycles terminate. */
function markReaching(types: readonly DescMessage[], marker: FieldMarker): Set<DescMessage> {
  const reaching = new Set<DescMessage>(types.filter((t) => t.fields.some(marker)));
  let changed = true;
  while (changed) {
    changed = false;
    for (const type of types) {
      if (reaching.has(type)) {
        continue;
      }
      if (type.fields.some((f) => !marker(f) && reaching.has(messageOf(f) as DescMessage))) {
        reaching.add(type);
        changed = true;
      }
    }
  }
  return reaching;
}

function listLeaves(root: PlanNode): SensitiveFieldInfo[] {
  const out: SensitiveFieldInfo[] = [];
  const walk = (node: PlanNode, prefix: string, visiting: Set<PlanNode>) => {
    visiting.add(node);
    for (const op of node.ops) {
      const seg = `${prefix}${op.field.name}${op.shape === "list" ? "[]" : op.shape === "map" ? "{}" : ""}`;
      if (op.kind === "leaf") {
        out.push({ path: seg, fieldName: op.fieldName, scalar: op.scalar });
      } else if (!visiting.has(op.node)) {
        walk(op.node, `${seg}.`, visiting);
      }
    }
    visiting.delete(node);
  };
  walk(root, "", new Set());
  return out;
}
