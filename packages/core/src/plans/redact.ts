import {
  type DescMessage,
  fromBinary,
  getExtension,
  getOption,
  hasOption,
  type JsonValue,
  type MessageShape,
  setExtension,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import { sensitive } from "../gen/sz/crypt/v1/options_pb.js";
import { type AnyOp, buildPlan, compileScopedPlan, type FieldLike, type FieldOp, type FieldPlan, type PlanNode } from "./field-plan.js";
import { type TypeScope, type TypeScopeOptions, typeScope } from "./type-scope.js";
import { holdsExtension, isPresent, MAX_NESTING, MAX_PACKED_NESTING, tooDeep, tooDeeplyPacked } from "./walk-rules.js";

/** What a redacted string shows. */
export const REDACTED = "[REDACTED]";

// Fields szcrypt masks: (sz.crypt.v1.sensitive) and protobuf's own debug_redact,
// which protobuf-es does not act on itself.
const isMasked = (f: FieldLike): boolean => (hasOption(f, sensitive) && getOption(f, sensitive)) || f.proto.options?.debugRedact === true;

const redactionPlans = new WeakMap<TypeScope, WeakMap<DescMessage, FieldPlan>>();

function redactionPlan(schema: DescMessage, scope: TypeScope): FieldPlan {
  let cache = redactionPlans.get(scope);
  if (cache === undefined) {
    cache = new WeakMap();
    redactionPlans.set(scope, cache);
  }
  let plan = cache.get(schema);
  if (plan === undefined) {
    compileScopedPlan(schema, scope); // validates the sensitive annotations
    plan = buildPlan(schema, isMasked, scope);
    cache.set(schema, plan);
  }
  return plan;
}

/**
 * A copy of `message` safe to log: sensitive string values become
 * `[REDACTED]` and sensitive bytes become empty; fields marked with protobuf's
 * `debug_redact` option are masked the same way when they are strings or
 * bytes, and cleared to their zero value otherwise. Empty values stay empty
 * and unset fields stay unset, so a log still shows which fields were set.
 * A `google.protobuf.Any` is redacted inside when its type is in the registry
 * (`options`, default: the schema's file and its imports) and emptied (its
 * type URL kept) when it is not. The message is not modified.
 *
 * @example
 * ```ts
 * logger.info(redact(PaymentSchema, payment)); // card_number: "[REDACTED]"
 * ```
 *
 * @throws SzcryptError UNSUPPORTED_MESSAGE for nesting deeper than the limit
 *   encryption walks (1000 levels, and 16 levels of Any in Any), rather than
 *   overflowing the stack.
 */
export function redact<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  options?: Pick<TypeScopeOptions, "registry">,
): MessageShape<Desc> {
  const scope = typeScope(schema, options);
  const plan = redactionPlan(schema, scope);
  return plan.isEmpty ? message : (redactNode(plan.root, message as Msg, true, 0) as MessageShape<Desc>);
}

type Msg = Record<string, unknown>;

// Any levels entered by the redaction under way (synchronous; restored on the way out).
let packedDepth = 0;

/**
 * One level of redaction. With `mask` false only what JSON needs is done:
 * depth checked and unknown packed types dropped, leaves kept for maskJson.
 */
function redactNode(node: PlanNode, message: Msg, mask: boolean, depth: number): Msg {
  if (depth > MAX_NESTING) {
    throw tooDeep();
  }
  const out: Msg = Object.assign(Object.create(Object.getPrototypeOf(message)), message);
  for (const op of node.ops) {
    if (op.extension !== undefined) {
      if (holdsExtension(message, op.extension.number)) {
        const value = getExtension(message as never, op.extension) as unknown;
        setExtension(out as never, op.extension, redactValue(op, value, mask, depth) as never);
      }
      continue;
    }
    const oneof = op.oneof === undefined ? undefined : (message[op.oneof] as { case?: string; value?: unknown } | undefined);
    if (oneof !== undefined && oneof.case !== op.localName) {
      continue;
    }
    if (oneof === undefined && op.explicit && !isPresent(message, op.field)) {
      continue; // unset: it reads as its default, and must stay unset
    }
    const value = oneof === undefined ? message[op.localName] : oneof.value;
    if (value === undefined || value === null) {
      continue;
    }
    const next = redactValue(op, value, mask, depth);
    if (op.oneof === undefined) {
      out[op.localName] = next;
    } else {
      out[op.oneof] = next === undefined ? { case: undefined } : { case: op.localName, value: next };
    }
  }
  return out;
}

function redactValue(op: FieldOp, value: unknown, mask: boolean, depth: number): unknown {
  const one = (v: unknown): unknown => {
    switch (op.kind) {
      case "leaf":
        return mask ? maskLeaf(v) : v;
      case "child":
        return typeof v === "object" && v !== null ? redactNode(op.node, v as Msg, mask, depth + 1) : v;
      case "any":
        return redactPacked(op, v, mask, depth + 1);
    }
  };
  if (op.shape === "list") {
    return (value as unknown[]).map(one);
  }
  if (op.shape === "map") {
    return Object.fromEntries(Object.entries(value as Msg).map(([k, v]) => [k, one(v)]));
  }
  return one(value);
}

function redactPacked(op: AnyOp, value: unknown, mask: boolean, depth: number): unknown {
  if (typeof value !== "object" || value === null) {
    return value;
  }
  const any = value as Msg & { typeUrl?: unknown; value?: unknown };
  if (typeof any.typeUrl !== "string" || any.typeUrl === "") {
    return value;
  }
  const schema = op.scope.types.getMessage(any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1));
  const plan = schema === undefined ? undefined : redactionPlan(schema, op.scope);
  if (plan?.isEmpty) {
    return value;
  }
  const out: Msg = Object.assign(Object.create(Object.getPrototypeOf(any)), any);
  if (schema !== undefined && plan !== undefined && any.value instanceof Uint8Array) {
    if (packedDepth >= MAX_PACKED_NESTING) {
      throw tooDeeplyPacked();
    }
    let inner: Msg | undefined;
    try {
      inner = fromBinary(schema, any.value) as unknown as Msg;
    } catch {
      inner = undefined;
    }
    if (inner !== undefined) {
      packedDepth++;
      try {
        out.value = toBinary(schema, redactNode(plan.root, inner, mask, depth) as never);
      } finally {
        packedDepth--;
      }
      return out;
    }
  }
  // Unknown, or not decodable: nothing of it can be shown safely. JSON cannot
  // even name an unknown type, so it loses the URL too.
  out.value = new Uint8Array(0);
  if (!mask) {
    out.typeUrl = "";
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
 * field's value replaced by `"[REDACTED]"`, for JSON loggers. Packed types
 * are handled as by {@link redact}.
 *
 * @throws SzcryptError UNSUPPORTED_MESSAGE for nesting deeper than 1000 levels.
 */
export function redactJson<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  options?: Pick<TypeScopeOptions, "registry">,
): JsonValue {
  const scope = typeScope(schema, options);
  const plan = redactionPlan(schema, scope);
  if (plan.isEmpty) {
    return toJson(schema, message);
  }
  // First the walk that checks depth and drops what JSON could not name, then the JSON.
  const prepared = redactNode(plan.root, message as Msg, false, 0) as MessageShape<Desc>;
  return maskJson(plan.root, toJson(schema, prepared, { registry: scope.types }), scope);
}

function maskJson(node: PlanNode, json: JsonValue, scope: TypeScope): JsonValue {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return json;
  }
  const out: Record<string, JsonValue> = { ...json };
  for (const op of node.ops) {
    const name = op.extension === undefined ? op.field.jsonName : `[${op.extension.typeName}]`;
    const value = out[name];
    if (value === undefined) {
      continue;
    }
    out[name] = maskValue(op, value, scope);
  }
  return out;
}

function maskValue(op: FieldOp, value: JsonValue, scope: TypeScope): JsonValue {
  const one = (v: JsonValue): JsonValue =>
    op.kind === "leaf" ? REDACTED : op.kind === "child" ? maskJson(op.node, v, scope) : maskPackedJson(v, scope);
  if (op.shape === "list" && Array.isArray(value)) {
    return value.map(one);
  }
  if (op.shape === "map" && typeof value === "object" && value !== null && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, one(v)]));
  }
  return one(value);
}

function maskPackedJson(json: JsonValue, scope: TypeScope): JsonValue {
  if (typeof json !== "object" || json === null || Array.isArray(json) || typeof json["@type"] !== "string") {
    return json;
  }
  const url = json["@type"];
  const schema = scope.types.getMessage(url.slice(url.lastIndexOf("/") + 1));
  if (schema === undefined) {
    return {};
  }
  const plan = redactionPlan(schema, scope);
  return plan.isEmpty ? json : maskJson(plan.root, json, scope);
}
