import type { DescField, DescMessage, Message } from "@bufbuild/protobuf";
import { SzcryptError } from "../errors/szcrypt-error.js";
import type { CallInfo, ContextFunction, ContextParts } from "../fields/call-binding.js";
import { isSensitiveField } from "../plans/field-plan.js";

/** Where {@link contextFrom} takes a context's parts from. */
export interface ContextFromOptions {
  /** The request header (metadata) of the first part, e.g. `"x-tenant-id"`; required on every call. */
  readonly header: string;
  /**
   * A clear (not sensitive) scalar field of every message with sensitive
   * fields, by its .proto name or its protobuf-es name, e.g. `"payment_id"`:
   * the second part, as text. Omit it for a tenant-only binding.
   */
  readonly field?: string;
}

/**
 * A `context` function for the common case: the parts are `[header value,
 * String(value of the clear field)]`, so a value moved to another record or
 * another tenant no longer decrypts. Both sides configure the same one.
 *
 * A call without the header, or a message type without that field (when
 * `field` is given), or where it is sensitive or not a scalar, fails the
 * message closed: CONFIG_INVALID naming the header or field, never a value.
 *
 * @example
 * ```ts
 * const interceptor = createServerInterceptor({
 *   key: tenantKeyring,
 *   format: "szc1",
 *   accept: ["szc1"],
 *   context: contextFrom({ header: "x-tenant-id", field: "payment_id" }),
 * });
 * ```
 * @throws SzcryptError CONFIG_INVALID now for an empty header or field name.
 */
export function contextFrom(options: ContextFromOptions): ContextFunction {
  const header = options.header;
  if (typeof header !== "string" || header === "") {
    throw new SzcryptError("CONFIG_INVALID", 'contextFrom needs the name of a request header, e.g. { header: "x-tenant-id" }');
  }
  const name = header.toLowerCase();
  const fieldName = options.field;
  if (fieldName !== undefined && (typeof fieldName !== "string" || fieldName === "")) {
    throw new SzcryptError("CONFIG_INVALID", 'contextFrom\'s `field` is the name of a clear field of the message, e.g. "payment_id"');
  }
  const fields = new WeakMap<DescMessage, DescField>();
  const fieldOf = (schema: DescMessage): DescField => {
    let found = fields.get(schema);
    if (found === undefined) {
      found = schema.fields.find((f) => f.name === fieldName || f.localName === fieldName);
      if (found === undefined || (found.fieldKind !== "scalar" && found.fieldKind !== "enum")) {
        throw new SzcryptError(
          "CONFIG_INVALID",
          `contextFrom: ${schema.typeName} has no scalar field ${JSON.stringify(fieldName)} to bind its values to`,
        );
      }
      if (isSensitiveField(found)) {
        // Ciphertext on one side, plaintext on the other: the two contexts would never match.
        throw new SzcryptError("CONFIG_INVALID", `contextFrom: ${schema.typeName}.${found.name} is sensitive; bind to a clear field`);
      }
      fields.set(schema, found);
    }
    return found;
  };
  return (call: CallInfo, message: Message, schema: DescMessage): ContextParts => {
    const tenant = call.header(name);
    if (tenant === undefined) {
      throw new SzcryptError("CONFIG_INVALID", `contextFrom: the call has no ${JSON.stringify(name)} header to bind its values to`);
    }
    if (fieldName === undefined) {
      return [tenant];
    }
    return [tenant, String(clearValue(message, fieldOf(schema)))];
  };
}

function clearValue(message: Message, field: DescField): unknown {
  const record = message as unknown as Record<string, unknown>;
  if (field.oneof === undefined) {
    return record[field.localName];
  }
  const group = record[field.oneof.localName] as { case?: string; value?: unknown } | undefined;
  return group?.case === field.localName ? group.value : "";
}
