import { type DescField, type DescMessage, type JsonValue, type MessageShape, toJson } from "@bufbuild/protobuf";
import { buildPlan, compileFieldPlan, type FieldOp, type FieldPlan, type PlanNode } from "./field-plan.js";

/** What a redacted string shows. */
export const REDACTED = "[REDACTED]";

const redactionPlans = new WeakMap<DescMessage, FieldPlan>();

// Fields szcrypt masks: (sz.crypt.v1.sensitive) and protobuf's own debug_redact,
// which protobuf-es does not act on itself.
function redactionPlan(schema: DescMessage): FieldPlan {
  let plan = redactionPlans.get(schema);
  if (plan === undefined) {
    compileFieldPlan(schema); // validates the sensitive annotations
    const sensitiveOps = new Set(collectFields(compileFieldPlan(schema).root));
    plan = buildPlan(schema, (f) => sensitiveOps.has(f) || f.proto.options?.debugRedact === true);
    redactionPlans.set(schema, plan);
  }
  return plan;
}

/**
 * A copy of `message` safe to log: sensitive string values become
 * `[REDACTED]` and sensitive bytes become empty; fields marked with protobuf's
 * `debug_redact` option are masked the same way when they are strings or
 * bytes, and cleared to their zero value otherwise. Empty values stay empty,
 * so a log still shows which fields were set. The message is not modified.
 */
export function redact<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): MessageShape<Desc> {
  const plan = redactionPlan(schema);
  return plan.isEmpty ? message : (redactNode(plan.root, message as Msg) as MessageShape<Desc>);
}

type Msg = Record<string, unknown>;

function redactNode(node: PlanNode, message: Msg): Msg {
  const out: Msg = Object.assign(Object.create(Object.getPrototypeOf(message)), message);
  for (const op of node.ops) {
    const oneof = op.oneof === undefined ? undefined : (message[op.oneof] as { case?: string; value?: unknown } | undefined);
    if (oneof !== undefined && oneof.case !== op.localName) {
      continue;
    }
    const value = oneof === undefined ? message[op.localName] : oneof.value;
    if (value === undefined || value === null) {
      continue;
    }
    const one = (v: unknown): unknown =>
      op.kind === "leaf" ? maskLeaf(v) : typeof v === "object" && v !== null ? redactNode(op.node, v as Msg) : v;
    let next: unknown;
    if (op.shape === "list") {
      next = (value as unknown[]).map(one);
    } else if (op.shape === "map") {
      next = Object.fromEntries(Object.entries(value as Msg).map(([k, v]) => [k, one(v)]));
    } else {
      next = one(value);
    }
    if (op.oneof === undefined) {
      out[op.localName] = next;
    } else {
      out[op.oneof] = next === undefined ? { case: undefined } : { case: op.localName, value: next };
    }
  }
  return out;
}

function maskLeaf(value: unknown): unknown {
  switch (typeof value) {
    case "string":
      return value === "" ? value : REDACTED;
    case "number":
      return 0;
    case "bigint":
      return 0n;
    case "boolean":
      return false;
    default:
      return value instanceof Uint8Array ? new Uint8Array(0) : undefined;
  }
}

/**
 * The message in protobuf JSON form with every sensitive and `debug_redact`
 * field's value replaced by `"[REDACTED]"`, for JSON loggers.
 */
export function redactJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): JsonValue {
  const json = toJson(schema, message);
  const plan = redactionPlan(schema);
  return plan.isEmpty ? json : maskJson(plan.root, json);
}

function maskJson(node: PlanNode, json: JsonValue): JsonValue {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return json;
  }
  const out: Record<string, JsonValue> = { ...json };
  for (const op of node.ops) {
    const name = op.field.jsonName;
    const value = out[name];
    if (value === undefined) {
      continue;
    }
    out[name] = maskValue(op, value);
  }
  return out;
}

function maskValue(op: FieldOp, value: JsonValue): JsonValue {
  const one = (v: JsonValue): JsonValue => (op.kind === "leaf" ? REDACTED : maskJson(op.node, v));
  if (op.shape === "list" && Array.isArray(value)) {
    return value.map(one);
  }
  if (op.shape === "map" && typeof value === "object" && value !== null && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, one(v)]));
  }
  return one(value);
}

function collectFields(root: PlanNode): DescField[] {
  const out: DescField[] = [];
  const seen = new Set<PlanNode>();
  const walk = (node: PlanNode) => {
    if (seen.has(node)) {
      return;
    }
    seen.add(node);
    for (const op of node.ops) {
      if (op.kind === "leaf") {
        out.push(op.field);
      } else {
        walk(op.node);
      }
    }
  };
  walk(root);
  return out;
}
