import { fromBinary, getExtension, setExtension, toBinary } from "@bufbuild/protobuf";
import { isSzcryptError, SzcryptError } from "../errors/szcrypt-error.js";
import { type AnyOp, type ChildOp, compileScopedPlan, type FieldOp, type LeafOp, type PlanNode, segmentName } from "./field-plan.js";
import { describeTypeUrl, holdsExtension, isPresent, MAX_NESTING, MAX_PACKED_NESTING, tooDeep, tooDeeplyPacked } from "./walk-rules.js";

/** Turns one sensitive value into another (encrypts or decrypts it). */
export type LeafTransform = (value: string | Uint8Array, leaf: LeafOp) => string | Uint8Array;

type Msg = Record<string, unknown>;

export { MAX_NESTING, MAX_PACKED_NESTING };

// Any levels entered by the walk under way. Walks are synchronous, and the
// counter is restored on the way out, errors included.
let packedDepth = 0;

/**
 * Applies `fn` to every non-empty sensitive value of `message`, returning a
 * new message. Copy-on-write: only the objects on the path to a changed value
 * are copied, and the caller's message is never modified. Empty strings and
 * bytes stay empty (proto3 does not send them; a peer never decrypts "").
 *
 * Errors from `fn` come out as SzcryptError with `fieldPath` naming the value
 * (`billing.line1`, `notes[2]`, `attributes[<key>]`: map keys are the sender's text and
 * are never quoted) and `fieldName` its field.
 *
 * Unset fields with explicit presence are skipped (they read as their
 * declared default); extensions are read from and written back to the
 * message's unknown fields; a `google.protobuf.Any` is unpacked, walked and
 * repacked when its type is in the plan's scope.
 *
 * @throws SzcryptError UNSUPPORTED_MESSAGE, naming the field path, for an Any
 *   packing a type the scope does not know (unless allowed) or that does not
 *   decode, for nesting deeper than {@link MAX_NESTING}, and for Any values
 *   nested deeper than {@link MAX_PACKED_NESTING}.
 */
export function transformMessage<T extends object>(node: PlanNode, message: T, fn: LeafTransform): T {
  return walk(node, message as Msg, fn, 0) as T;
}

function walk(node: PlanNode, msg: Msg, fn: LeafTransform, depth: number): Msg {
  if (depth > MAX_NESTING) {
    throw tooDeep();
  }
  if (node.extensionRanges !== undefined) {
    refuseUnknownExtensions(node, msg);
  }
  let out: Msg | undefined;
  for (const op of node.ops) {
    let value: unknown;
    if (op.extension !== undefined) {
      const ext = op.extension;
      if (!holdsExtension(msg, ext.number)) {
        continue;
      }
      const current = getExtension(msg as never, ext) as unknown;
      const next = applyOp(op, current, fn, depth);
      if (next !== current) {
        out ??= shallowCopy(msg);
        // setExtension replaces the array, so the caller's unknown fields are not touched.
        setExtension(out as never, ext, next as never);
      }
      continue;
    }
    if (op.oneof === undefined) {
      if (op.explicit && !isPresent(msg, op.field)) {
        continue;
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
    const next = applyOp(op, value, fn, depth);
    if (next !== value) {
      out ??= shallowCopy(msg);
      out[op.oneof ?? op.localName] = op.oneof === undefined ? next : { case: op.localName, value: next };
    }
  }
  return out ?? msg;
}

function applyOp(op: FieldOp, value: unknown, fn: LeafTransform, depth: number): unknown {
  switch (op.shape) {
    case "singular":
      return one(op, value, fn, undefined, depth);
    case "list": {
      const list = value as readonly unknown[];
      let out: unknown[] | undefined;
      for (let i = 0; i < list.length; i++) {
        const item = list[i];
        const next = one(op, item, fn, i, depth);
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
        const next = one(op, item, fn, key, depth);
        if (next !== item) {
          out ??= { ...map };
          out[key] = next;
        }
      }
      return out ?? map;
    }
  }
}

/** Where a value sits in its field: a list index, a map key, or nothing for a singular field. */
type Slot = number | string | undefined;

function one(op: FieldOp, value: unknown, fn: LeafTransform, slot: Slot, depth: number): unknown {
  switch (op.kind) {
    case "leaf":
      return leaf(op, value, fn, slot);
    case "child":
      return child(op, value, fn, slot, depth);
    case "any":
      return packed(op, value, fn, slot, depth);
  }
}

// Built only when an error needs it: paths are never computed on the per-message path.
function segment(op: FieldOp, slot: Slot): string {
  const name = segmentName(op);
  return slot === undefined ? name : typeof slot === "number" ? `${name}[${slot}]` : `${name}[${quoteKey(slot)}]`;
}

function leaf(op: LeafOp, value: unknown, fn: LeafTransform, slot: Slot): unknown {
  if (op.scalar === "string" ? typeof value !== "string" : !(value instanceof Uint8Array)) {
    throw new SzcryptError("INVALID_PLAINTEXT", `expected ${op.scalar === "string" ? "a string" : "a Uint8Array"} value`, {
      fieldPath: segment(op, slot),
      fieldName: op.fieldName,
    });
  }
  if ((value as string | Uint8Array).length === 0) {
    return value;
  }
  try {
    return fn(value as string | Uint8Array, op);
  } catch (err) {
    throw withPath(err, segment(op, slot), op.fieldName, true);
  }
}

function child(op: ChildOp, value: unknown, fn: LeafTransform, slot: Slot, depth: number): unknown {
  if (typeof value !== "object" || value === null) {
    return value;
  }
  try {
    return walk(op.node, value as Msg, fn, depth + 1);
  } catch (err) {
    throw withPath(err, segment(op, slot), op.fieldName, false);
  }
}

function packed(op: AnyOp, value: unknown, fn: LeafTransform, slot: Slot, depth: number): unknown {
  if (typeof value !== "object" || value === null) {
    return value;
  }
  const any = value as { typeUrl?: unknown; value?: unknown };
  const bytes = any.value instanceof Uint8Array ? any.value : new Uint8Array(0);
  try {
    if (typeof any.typeUrl !== "string" || any.typeUrl === "") {
      if (bytes.length === 0) {
        return value; // an empty Any packs nothing
      }
      throw new SzcryptError(
        "UNSUPPORTED_MESSAGE",
        "a google.protobuf.Any holds bytes without a type URL; szcrypt cannot tell what they are",
      );
    }
    const typeName = any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1);
    const schema = op.scope.types.getMessage(typeName);
    if (schema === undefined) {
      if (op.scope.allowsUnknown(typeName)) {
        return value;
      }
      throw new SzcryptError(
        "UNSUPPORTED_MESSAGE",
        `a google.protobuf.Any packs ${describeTypeUrl(typeName)}, which szcrypt's type registry does not know, so it cannot tell ` +
          "whether it holds sensitive fields: give szcrypt a `registry` with the type's file, or list the type in `allowUnknownAny`",
      );
    }
    const plan = compileScopedPlan(schema, op.scope);
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
      // protobuf-es's message may quote the input: keep only what it was.
      throw new SzcryptError("UNSUPPORTED_MESSAGE", `a google.protobuf.Any packs a ${schema.typeName} that does not decode`);
    }
    let next: Msg;
    packedDepth++;
    try {
      next = walk(plan.root, inner, fn, depth + 1);
    } finally {
      packedDepth--;
    }
    if (next === inner) {
      return value;
    }
    const out = shallowCopy(any as Msg);
    out.value = toBinary(schema, next as never);
    return out;
  } catch (err) {
    throw withPath(err, segment(op, slot), op.fieldName, false);
  }
}

/** Fails closed on a value in an extension range that the type scope does not know. */
function refuseUnknownExtensions(node: PlanNode, msg: Msg): void {
  const unknown = msg["$unknown"] as readonly { no: number }[] | undefined;
  const check = node.extensionRanges;
  if (unknown === undefined || unknown.length === 0 || check === undefined) {
    return;
  }
  for (const { no } of unknown) {
    if (!check.known.has(no) && check.ranges.some(([start, end]) => no >= start && no < end)) {
      throw new SzcryptError(
        "UNSUPPORTED_MESSAGE",
        `${node.schema.typeName} carries extension field ${no}, which szcrypt's type registry does not know, so it cannot tell ` +
          "whether it is sensitive: give szcrypt a `registry` that includes the file declaring the extension",
      );
    }
  }
}

function withPath(err: unknown, seg: string, fieldName: string, isLeaf: boolean): unknown {
  if (!isSzcryptError(err)) {
    return err;
  }
  const path = isLeaf || err.fieldPath === undefined ? seg : `${seg}.${err.fieldPath}`;
  return err.withField(path, isLeaf ? fieldName : (err.fieldName ?? fieldName));
}

function quoteKey(_key: string): string {
  // Map keys are the sender's text (often identifiers: e-mail addresses, user
  // ids) and this path goes into statuses and logs: name the map, not the entry.
  return "<key>";
}

function shallowCopy(msg: Msg): Msg {
  // Keep the prototype: protobuf-es uses it for field presence in proto2 and editions.
  return Object.assign(Object.create(Object.getPrototypeOf(msg)), msg);
}
