import { isSzcryptError, SzcryptError } from "../errors/szcrypt-error.js";
import type { ChildOp, FieldOp, LeafOp, PlanNode } from "./field-plan.js";

/** Turns one sensitive value into another (encrypts or decrypts it). */
export type LeafTransform = (value: string | Uint8Array, leaf: LeafOp) => string | Uint8Array;

type Msg = Record<string, unknown>;

/**
 * Deepest nesting walked. protobuf-es itself refuses to decode much less; a
 * message built in memory deeper than this is refused with a clear error
 * instead of overflowing the stack.
 */
export const MAX_NESTING = 1000;

/**
 * Applies `fn` to every non-empty sensitive value of `message`, returning a
 * new message. Copy-on-write: only the objects on the path to a changed value
 * are copied, and the caller's message is never modified. Empty strings and
 * bytes stay empty (proto3 does not send them; a peer never decrypts "").
 *
 * Errors from `fn` come out as SzcryptError with `fieldPath` naming the value
 * (`billing.line1`, `notes[2]`, `attributes["k"]`) and `fieldName` its field.
 */
export function transformMessage<T extends object>(node: PlanNode, message: T, fn: LeafTransform): T {
  return walk(node, message as Msg, fn, 0) as T;
}

function walk(node: PlanNode, msg: Msg, fn: LeafTransform, depth: number): Msg {
  if (depth > MAX_NESTING) {
    throw new SzcryptError(
      "INVALID_PLAINTEXT",
      `the message nests more than ${MAX_NESTING} levels deep; szcrypt refuses it rather than overflow the stack`,
    );
  }
  let out: Msg | undefined;
  for (const op of node.ops) {
    let value: unknown;
    if (op.oneof === undefined) {
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
      return op.kind === "leaf" ? leaf(op, value, fn, undefined) : child(op, value, fn, undefined, depth);
    case "list": {
      const list = value as readonly unknown[];
      let out: unknown[] | undefined;
      for (let i = 0; i < list.length; i++) {
        const item = list[i];
        const next = op.kind === "leaf" ? leaf(op, item, fn, i) : child(op, item, fn, i, depth);
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
        const next = op.kind === "leaf" ? leaf(op, item, fn, key) : child(op, item, fn, key, depth);
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

// Built only when an error needs it: paths are never computed on the per-message path.
function segment(op: FieldOp, slot: Slot): string {
  const name = op.field.name;
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

function withPath(err: unknown, seg: string, fieldName: string, isLeaf: boolean): unknown {
  if (!isSzcryptError(err)) {
    return err;
  }
  const path = isLeaf || err.fieldPath === undefined ? seg : `${seg}.${err.fieldPath}`;
  return err.withField(path, isLeaf ? fieldName : (err.fieldName ?? fieldName));
}

function quoteKey(key: string): string {
  // Map keys are clear on the wire by design; still, keep paths short.
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);
}

function shallowCopy(msg: Msg): Msg {
  // Keep the prototype: protobuf-es uses it for field presence in proto2 and editions.
  return Object.assign(Object.create(Object.getPrototypeOf(msg)), msg);
}
