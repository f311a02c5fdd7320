import { SzcryptError } from "../errors/szcrypt-error.js";
import { compileScopedPlan, type LeafOp, type PlanNode } from "./field-plan.js";
import { type Msg, planVisitor, visitMessage } from "./visit.js";
import { MAX_NESTING, MAX_PACKED_NESTING } from "./walk-rules.js";

/**
 * Turns one sensitive value into another (encrypts or decrypts it).
 *
 * @internal
 */
export type LeafTransform = (value: string | Uint8Array, leaf: LeafOp) => string | Uint8Array;

export { MAX_NESTING, MAX_PACKED_NESTING };

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
 * repacked when its type is in the plan's scope (see `visit.ts`).
 *
 * @throws SzcryptError UNSUPPORTED_MESSAGE, naming the field path, for an Any
 *   packing a type the scope does not know (unless allowed) or that does not
 *   decode, for extension values the scope does not know, for nesting deeper
 *   than {@link MAX_NESTING}, and for Any values nested deeper than
 *   {@link MAX_PACKED_NESTING}.
 * @internal
 */
export function transformMessage<T extends object>(node: PlanNode, message: T, fn: LeafTransform): T {
  return visitMessage(node, message as Msg, transform, fn) as T;
}

const transform = planVisitor<LeafTransform>({
  leaf(value, op, fn) {
    if (op.scalar === "string" ? typeof value !== "string" : !(value instanceof Uint8Array)) {
      throw new SzcryptError("INVALID_PLAINTEXT", `expected ${op.scalar === "string" ? "a string" : "a Uint8Array"} value`);
    }
    return (value as string | Uint8Array).length === 0 ? value : fn(value as string | Uint8Array, op);
  },
  planOf: compileScopedPlan,
});
