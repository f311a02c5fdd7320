import { type DescMessage, fromBinary, getExtension, type JsonValue, setExtension, toBinary } from "@bufbuild/protobuf";
import { isSzcryptError, SzcryptError } from "../errors/szcrypt-error.js";
import type { AnyOp, FieldOp, FieldPlan, LeafOp, PlanNode } from "./field-plan.js";
import type { TypeScope } from "./type-scope.js";
import {
  describeTypeUrl,
  holdsExtension,
  isPresent,
  MAX_NESTING,
  MAX_PACKED_NESTING,
  tooDeep,
  tooDeeplyPacked,
  unseenExtensionNumber,
} from "./walk-rules.js";

// The one walker over field plans. It owns how a plan reaches values (oneof
// members, lists, maps, extensions, explicit presence, google.protobuf.Any),
// the nesting limits and the field paths of errors; encryption, decryption
// and redaction only say what happens to a marked value and to what cannot
// be opened.

/** @internal A message as the walker sees it: protobuf-es objects are plain properties. */
export type Msg = Record<string, unknown>;

/** @internal Why an Any could not be opened. */
export type OpaqueAny =
  | { readonly reason: "no-type-url" }
  | { readonly reason: "unknown-type"; readonly typeName: string }
  | { readonly reason: "undecodable"; readonly typeName: string };

/**
 * What one walk does at the places the plan leaves open.
 *
 * @internal
 */
export interface PlanVisitor<C = undefined> {
  /**
   * The replacement for one marked value (never `undefined` or `null`).
   * Returning `value` itself leaves the message untouched there.
   */
  readonly leaf: (value: unknown, op: LeafOp, context: C) => unknown;
  /** The plan of a type packed in an Any (each marker has its own plans). */
  readonly planOf: (schema: DescMessage, scope: TypeScope) => FieldPlan;
  /**
   * An Any that cannot be opened. Without this hook the walk refuses it
   * (an unknown type passes only when the scope allows it).
   */
  readonly opaqueAny: ((any: Msg, why: OpaqueAny) => unknown) | undefined;
  /**
   * A message holding values in its extension ranges that the scope does not
   * know. Without this hook the walk refuses it.
   */
  readonly unseenExtensions: ((msg: Msg, node: PlanNode) => Msg) | undefined;
}

/**
 * A visitor with every member present, in one order: the walker's call
 * sites then see one object shape whichever walk runs (encryption and
 * redaction in one process stay fast).
 *
 * @internal
 */
export function planVisitor<C>(parts: {
  leaf: PlanVisitor<C>["leaf"];
  planOf: PlanVisitor<C>["planOf"];
  opaqueAny?: NonNullable<PlanVisitor<C>["opaqueAny"]>;
  unseenExtensions?: NonNullable<PlanVisitor<C>["unseenExtensions"]>;
}): PlanVisitor<C> {
  return { leaf: parts.leaf, planOf: parts.planOf, opaqueAny: parts.opaqueAny, unseenExtensions: parts.unseenExtensions };
}

// Any levels entered by the walk under way. Walks are synchronous, and the
// counter is restored on the way out, errors included.
let packedDepth = 0;

/**
 * Walks `msg` by `node`, handing each marked value and `context` to
 * `visitor.leaf` (a context, not a closure per call: nothing is allocated
 * per message). Copy-on-write: only the objects on the path to a
 * changed value are copied, and `msg` is never modified. Errors come out as
 * SzcryptError with `fieldPath` naming the value (`billing.line1`, `notes[2]`,
 * `attributes[<key>]`: map keys are the sender's text and are never quoted)
 * and `fieldName` its field.
 *
 * @throws SzcryptError UNSUPPORTED_MESSAGE, naming the field path, for nesting
 *   deeper than {@link MAX_NESTING}, Any values nested deeper than
 *   {@link MAX_PACKED_NESTING}, and what the visitor does not take over
 *   (an Any it cannot open, unknown extension values).
 * @internal
 */
export function visitMessage<C>(node: PlanNode, msg: Msg, visitor: PlanVisitor<C>, context: C): Msg {
  return walk(node, msg, visitor, context, 0);
}

function walk<C>(node: PlanNode, msg: Msg, v: PlanVisitor<C>, c: C, depth: number): Msg {
  if (depth > MAX_NESTING) {
    throw tooDeep();
  }
  let out: Msg | undefined;
  if (node.extensionRanges !== undefined) {
    const no = unseenExtensionNumber(node, msg);
    if (no !== undefined) {
      if (v.unseenExtensions === undefined) {
        throw unknownExtension(node, no);
      }
      out = v.unseenExtensions(msg, node);
    }
  }
  for (const op of node.ops) {
    if (op.extension !== undefined) {
      const ext = op.extension;
      if (!holdsExtension(msg, ext.number)) {
        continue;
      }
      const current = getExtension(msg as never, ext) as unknown;
      const next = applyOp(op, current, v, c, depth);
      if (next !== current) {
        out ??= shallowCopy(msg);
        // setExtension replaces the array, so the caller's unknown fields are not touched.
        setExtension(out as never, ext, next as never);
      }
      continue;
    }
    let value: unknown;
    if (op.oneof === undefined) {
      if (op.explicit && !isPresent(msg, op.field)) {
        continue; // unset: it reads as its declared default, and must stay unset
      }
      value = msg[op.localName];
    } else {
      const group = msg[op.oneof] as { case?: string; value?: unknown } | undefined;
      if (group?.case !== op.localName) {
        continue;
      }
      value = group.value;
    }
    if (value === undefined || value === null) {
      continue;
    }
    const next = applyOp(op, value, v, c, depth);
    if (next !== value) {
      out ??= shallowCopy(msg);
      if (op.oneof === undefined) {
        out[op.localName] = next;
      } else {
        out[op.oneof] = next === undefined ? { case: undefined } : { case: op.localName, value: next };
      }
    }
  }
  return out ?? msg;
}

function applyOp<C>(op: FieldOp, value: unknown, v: PlanVisitor<C>, c: C, depth: number): unknown {
  switch (op.shape) {
    case "singular":
      return one(op, value, v, c, undefined, depth);
    case "list": {
      const list = value as readonly unknown[];
      let out: unknown[] | undefined;
      for (let i = 0; i < list.length; i++) {
        const item = list[i];
        const next = one(op, item, v, c, i, depth);
        if (next !== item) {
          out ??= list.slice();
          out[i] = next;
        }
      }
      return out ?? list;
    }
    case "map": {
      const map = value as Record<string, unknown>;
      let out: Record<string, unknown> | undefined;
      for (const key of Object.keys(map)) {
        const item = map[key];
        const next = one(op, item, v, c, key, depth);
        if (next !== item) {
          out ??= { ...map };
          out[key] = next;
        }
      }
      return out ?? map;
    }
  }
}

/** @internal Where a value sits in its field: a list index, a map key, or nothing for a singular field. */
export type Slot = number | string | undefined;

function one<C>(op: FieldOp, value: unknown, v: PlanVisitor<C>, c: C, slot: Slot, depth: number): unknown {
  switch (op.kind) {
    case "leaf":
      try {
        return v.leaf(value, op, c);
      } catch (err) {
        throw withPath(err, segment(op, slot), op.fieldName, true);
      }
    default:
      if (typeof value !== "object" || value === null) {
        return value;
      }
      try {
        return op.kind === "child" ? walk(op.node, value as Msg, v, c, depth + 1) : packed(op, value as Msg, v, c, depth);
      } catch (err) {
        throw withPath(err, segment(op, slot), op.fieldName, false);
      }
  }
}

function packed<C>(op: AnyOp, value: Msg, v: PlanVisitor<C>, c: C, depth: number): unknown {
  const any = value as Msg & { typeUrl?: unknown; value?: unknown };
  const bytes = any.value instanceof Uint8Array ? any.value : new Uint8Array(0);
  if (typeof any.typeUrl !== "string" || any.typeUrl === "") {
    if (bytes.length === 0) {
      return value; // an empty Any packs nothing
    }
    return opaque(op, any, { reason: "no-type-url" }, v);
  }
  const typeName = any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1);
  const schema = op.scope.types.getMessage(typeName);
  if (schema === undefined) {
    return opaque(op, any, { reason: "unknown-type", typeName }, v);
  }
  const plan = v.planOf(schema, op.scope);
  if (plan.isEmpty) {
    return value;
  }
  if (depth + 1 > MAX_NESTING) {
    throw tooDeep();
  }
  if (packedDepth >= MAX_PACKED_NESTING) {
    throw tooDeeplyPacked();
  }
  let inner: Msg;
  try {
    inner = fromBinary(schema, bytes) as unknown as Msg;
  } catch {
    return opaque(op, any, { reason: "undecodable", typeName: schema.typeName }, v);
  }
  let next: Msg;
  packedDepth++;
  try {
    next = walk(plan.root, inner, v, c, depth + 1);
  } finally {
    packedDepth--;
  }
  if (next === inner) {
    return value;
  }
  const out = shallowCopy(any);
  out.value = toBinary(schema, next as never);
  return out;
}

function opaque<C>(op: AnyOp, any: Msg, why: OpaqueAny, v: PlanVisitor<C>): unknown {
  if (v.opaqueAny !== undefined) {
    return v.opaqueAny(any, why);
  }
  if (why.reason === "unknown-type" && op.scope.allowsUnknown(why.typeName)) {
    return any;
  }
  throw opaqueAnyError(why);
}

/** The refusal of an Any the walk cannot open; it never quotes the sender's bytes. */
function opaqueAnyError(why: OpaqueAny): SzcryptError {
  switch (why.reason) {
    case "no-type-url":
      return new SzcryptError(
        "UNSUPPORTED_MESSAGE",
        "a google.protobuf.Any holds bytes without a type URL; szcrypt cannot tell what they are",
      );
    case "unknown-type":
      return new SzcryptError(
        "UNSUPPORTED_MESSAGE",
        `a google.protobuf.Any packs ${describeTypeUrl(why.typeName)}, which szcrypt's type registry does not know, so it cannot tell ` +
          "whether it holds sensitive fields: give szcrypt a `registry` with the type's file, or list the type in `allowUnknownAny`",
      );
    case "undecodable":
      // protobuf-es's message may quote the input: keep only what it was.
      return new SzcryptError("UNSUPPORTED_MESSAGE", `a google.protobuf.Any packs a ${why.typeName} that does not decode`);
  }
}

function unknownExtension(node: PlanNode, no: number): SzcryptError {
  return new SzcryptError(
    "UNSUPPORTED_MESSAGE",
    `${node.schema.typeName} carries extension field ${no}, which szcrypt's type registry does not know, so it cannot tell ` +
      "whether it is sensitive: give szcrypt a `registry` that includes the file declaring the extension",
  );
}

/**
 * Walks the protobuf JSON form of a message by `node`, replacing each marked
 * value with `leaf(value)`; an Any's JSON (`@type` and the packed fields
 * inline) is walked by the plan of its type, or handed to `opaque` when
 * `scope` does not know it. Same nesting limit as {@link visitMessage}.
 *
 * @internal
 */
export function visitJson(
  node: PlanNode,
  json: JsonValue,
  scope: TypeScope,
  visitor: {
    leaf(value: JsonValue): JsonValue;
    readonly planOf: (schema: DescMessage, scope: TypeScope) => FieldPlan;
    opaque(json: JsonValue): JsonValue;
  },
): JsonValue {
  const walkJson = (n: PlanNode, j: JsonValue, depth: number): JsonValue => {
    if (depth > MAX_NESTING) {
      throw tooDeep();
    }
    if (typeof j !== "object" || j === null || Array.isArray(j)) {
      return j;
    }
    const out: Record<string, JsonValue> = { ...j };
    for (const op of n.ops) {
      const name = op.extension === undefined ? op.field.jsonName : `[${op.extension.typeName}]`;
      const value = out[name];
      if (value === undefined) {
        continue;
      }
      const item = (x: JsonValue): JsonValue =>
        op.kind === "leaf" ? visitor.leaf(x) : op.kind === "child" ? walkJson(op.node, x, depth + 1) : packedJson(x, depth + 1);
      if (op.shape === "list" && Array.isArray(value)) {
        out[name] = value.map(item);
      } else if (op.shape === "map" && typeof value === "object" && value !== null && !Array.isArray(value)) {
        out[name] = Object.fromEntries(Object.entries(value).map(([k, x]) => [k, item(x)]));
      } else {
        out[name] = item(value);
      }
    }
    return out;
  };
  const packedJson = (j: JsonValue, depth: number): JsonValue => {
    if (typeof j !== "object" || j === null || Array.isArray(j) || typeof j["@type"] !== "string") {
      return j;
    }
    const url = j["@type"];
    const schema = scope.types.getMessage(url.slice(url.lastIndexOf("/") + 1));
    if (schema === undefined) {
      return visitor.opaque(j);
    }
    const plan = visitor.planOf(schema, scope);
    return plan.isEmpty ? j : walkJson(plan.root, j, depth);
  };
  return walkJson(node, json, 0);
}

/**
 * Every leaf of a plan with its path from the root (`card_number`,
 * `notes[]`, `attributes{}`, `previous[].line1`, `(ext.name)`), each reached
 * once: a recursive type's leaves at their first depth.
 *
 * @internal
 */
export function visitPlanLeaves(root: PlanNode, leaf: (path: string, op: LeafOp) => void): void {
  const visiting = new Set<PlanNode>();
  const go = (node: PlanNode, prefix: string) => {
    visiting.add(node);
    for (const op of node.ops) {
      const seg = `${prefix}${segmentName(op)}${op.shape === "list" ? "[]" : op.shape === "map" ? "{}" : ""}`;
      if (op.kind === "leaf") {
        leaf(seg, op);
      } else if (op.kind === "child" && !visiting.has(op.node)) {
        go(op.node, `${seg}.`);
      }
    }
    visiting.delete(node);
  };
  go(root, "");
}

/** A field's name in a path; an extension is written `(full.name)`, as in protobuf options. */
export function segmentName(op: FieldOp): string {
  return op.extension === undefined ? op.field.name : `(${op.extension.typeName})`;
}

// Built only when an error needs it: paths are never computed on the per-message path.
function segment(op: FieldOp, slot: Slot): string {
  const name = segmentName(op);
  // Map keys are the sender's text (often identifiers: e-mail addresses, user
  // ids) and this path goes into statuses and logs: name the map, not the entry.
  return slot === undefined ? name : typeof slot === "number" ? `${name}[${slot}]` : `${name}[<key>]`;
}

function withPath(err: unknown, seg: string, fieldName: string, isLeaf: boolean): unknown {
  if (!isSzcryptError(err)) {
    return err;
  }
  const path = isLeaf || err.fieldPath === undefined ? seg : `${seg}.${err.fieldPath}`;
  return err.withField(path, isLeaf ? fieldName : (err.fieldName ?? fieldName));
}

/** @internal A copy of one message object that keeps its prototype (protobuf-es reads presence from it). */
export function shallowCopy(msg: Msg): Msg {
  const proto: unknown = Object.getPrototypeOf(msg);
  // A plain object (every proto3 message): spread copies it with its hidden
  // class in one step, ten times faster than property by property, and the
  // copy stays fast for protobuf-es to read.
  return proto === Object.prototype ? { ...msg } : Object.assign(Object.create(proto as object | null), msg);
}
