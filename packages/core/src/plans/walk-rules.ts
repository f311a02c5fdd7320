import { isFieldSet } from "@bufbuild/protobuf";
import { SzcryptError } from "../errors/szcrypt-error.js";
import type { FieldLike, PlanNode } from "./field-plan.js";

/**
 * Deepest nesting walked: this many messages below the root, counting those
 * packed in `google.protobuf.Any`. protobuf-es itself refuses to decode more
 * than 100; a message built in memory (or decoded with a raised limit) deeper
 * than this is refused with a clear error instead of overflowing the stack.
 */
export const MAX_NESTING = 1000;

/** The error for a message nested deeper than {@link MAX_NESTING}. */
export function tooDeep(): SzcryptError {
  return new SzcryptError(
    "UNSUPPORTED_MESSAGE",
    `the message nests more than ${MAX_NESTING} levels deep; szcrypt refuses it rather than overflow the stack`,
  );
}

/**
 * Deepest chain of `google.protobuf.Any` walked: an Any packing a message
 * that holds an Any, and so on. Each level is unpacked and, when a value
 * inside changes, repacked, so a chain costs its depth times its size: at
 * 1000 levels a 4 MB request took ~4 s to decrypt (~30 times one level);
 * at 16 the cost stays within the noise of one level. Real schemas nest
 * Any one or two deep.
 */
export const MAX_PACKED_NESTING = 16;

/** The error for Any values nested deeper than {@link MAX_PACKED_NESTING}. */
export function tooDeeplyPacked(): SzcryptError {
  return new SzcryptError(
    "UNSUPPORTED_MESSAGE",
    `google.protobuf.Any values nest more than ${MAX_PACKED_NESTING} deep (an Any packing a message that holds an Any…); ` +
      "szcrypt refuses them rather than unpack and repack every level",
  );
}

/**
 * Whether a singular field with explicit presence is set. An unset one reads
 * as its declared default (proto2 `[default = …]`, editions), and neither
 * protobuf-es's `toBinary` nor szcrypt must treat that as a value.
 */
export function isPresent(msg: Record<string, unknown>, field: FieldLike): boolean {
  if (field.kind === "field" && msg.$typeName === field.parent.typeName) {
    return isFieldSet(msg as never, field);
  }
  // A plain init object: what it holds itself is what it sets (the rule isFieldSet applies).
  const name = field.kind === "field" ? field.localName : field.typeName;
  return Object.hasOwn(msg, name) && msg[name] !== undefined;
}

/**
 * Whether the message holds a value for the extension, judged by its unknown
 * fields alone: unlike `hasExtension`, an object that does not name its type
 * still counts, so that `getExtension` refuses it instead of its value being
 * skipped unseen.
 */
export function holdsExtension(msg: Record<string, unknown>, number: number): boolean {
  const unknown = msg.$unknown as readonly { no: number }[] | undefined;
  return unknown?.some((uf) => uf.no === number) ?? false;
}

const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * A type name from an Any's type URL, for an error message: the URL is the
 * sender's text, so only a well-formed protobuf name of sensible length is
 * quoted (no control characters or payloads in logs and statuses).
 */
export function describeTypeUrl(typeName: string): string {
  return typeName.length <= 200 && TYPE_NAME.test(typeName) ? typeName : "a type URL that names no valid protobuf type";
}

/**
 * The first value in one of the node's extension ranges that its type scope
 * does not know, if any: it could be a sensitive extension szcrypt cannot see.
 */
export function unseenExtensionNumber(node: PlanNode, msg: Record<string, unknown>): number | undefined {
  const unknown = msg.$unknown as readonly { no: number }[] | undefined;
  const check = node.extensionRanges;
  if (unknown === undefined || unknown.length === 0 || check === undefined) {
    return undefined;
  }
  for (const { no } of unknown) {
    if (isUnseenExtension(node, no)) {
      return no;
    }
  }
  return undefined;
}

/** Whether field number `no` is in the node's extension ranges but not an extension its type scope knows. */
export function isUnseenExtension(node: PlanNode, no: number): boolean {
  const check = node.extensionRanges;
  return check !== undefined && !check.known.has(no) && check.ranges.some(([start, end]) => no >= start && no < end);
}
