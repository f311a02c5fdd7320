import { type DescMessage, getOption, hasOption, type JsonValue, type MessageShape, toJson } from "@bufbuild/protobuf";
import { sensitive } from "../gen/sz/crypt/v1/options_pb.js";
import { buildPlan, compileScopedPlan, type FieldLike, type FieldPlan, type PlanNode } from "./field-plan.js";
import { type TypeScope, type TypeScopeOptions, typeScope } from "./type-scope.js";
import { type Msg, planVisitor, shallowCopy, visitJson, visitMessage } from "./visit.js";
import { isUnseenExtension } from "./walk-rules.js";

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
 * type URL kept) when it is not, or holds bytes without a type URL, or does
 * not decode. Extension values the registry does not know are left out (they
 * could be sensitive: encryption refuses them). The message is not modified.
 * The walk is encryption's (see `visit.ts`): the same fields, limits and errors.
 *
 * @example
 * ```ts
 * logger.info(redact(PaymentSchema, payment)); // card_number: "[REDACTED]"
 * ```
 *
 * @throws SzcryptError UNSUPPORTED_MESSAGE, naming the field path, for
 *   nesting deeper than the limit encryption walks (1000 levels, and 16
 *   levels of Any in Any), rather than overflowing the stack: the error
 *   encryption gives for the same message.
 */
export function redact<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
  options?: Pick<TypeScopeOptions, "registry">,
): MessageShape<Desc> {
  const scope = typeScope(schema, options);
  const plan = redactionPlan(schema, scope);
  if (plan.isEmpty) {
    return message;
  }
  const out = visitMessage(plan.root, message as Msg, masking, undefined);
  return (out === message ? shallowCopy(out) : out) as MessageShape<Desc>;
}

const masking = planVisitor<undefined>({
  leaf: maskLeaf,
  planOf: redactionPlan,
  // Unknown, or not decodable: nothing of it can be shown safely.
  opaqueAny: (any) => Object.assign(shallowCopy(any), { value: new Uint8Array(0) }),
  unseenExtensions: dropUnseenExtensions,
});

// Before JSON: leaves are kept for the JSON pass, and an Any JSON could not
// even name loses its type URL too.
const preparingJson = planVisitor<undefined>({
  leaf: (value) => value,
  planOf: redactionPlan,
  opaqueAny: (any) => Object.assign(shallowCopy(any), { typeUrl: "", value: new Uint8Array(0) }),
  unseenExtensions: dropUnseenExtensions,
});

/**
 * A copy without the values in extension ranges that the scope does not
 * know: encryption refuses them as possibly sensitive, so a log never shows them.
 */
function dropUnseenExtensions(msg: Msg, node: PlanNode): Msg {
  const unknown = msg.$unknown as readonly { no: number }[];
  return Object.assign(shallowCopy(msg), { $unknown: unknown.filter(({ no }) => !isUnseenExtension(node, no)) });
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
 * @throws SzcryptError UNSUPPORTED_MESSAGE as {@link redact} does.
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
  const prepared = visitMessage(plan.root, message as Msg, preparingJson, undefined) as MessageShape<Desc>;
  return visitJson(plan.root, toJson(schema, prepared, { registry: scope.types }), scope, {
    leaf: () => REDACTED,
    planOf: redactionPlan,
    opaque: () => ({}),
  });
}
