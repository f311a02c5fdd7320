import { SzcryptError } from "../errors/szcrypt-error.js";

/** One part of an szc1 context: text (its UTF-8 bytes) or bytes. */
export type Szc1ContextPart = string | Uint8Array;

/**
 * What an szc1 value is bound to besides its field, chosen per call: 1 to 16
 * parts of at most 1024 bytes each, typically `[tenantId, recordId]`. A value
 * sealed under one context decrypts under that same context only.
 */
export type Szc1Context = readonly Szc1ContextPart[];

/** The most parts a context has. */
export const SZC1_CONTEXT_MAX_PARTS = 16;
/** The most bytes one part has. */
export const SZC1_CONTEXT_MAX_PART_BYTES = 1024;

/**
 * A context's encoding in the associated data: `u8(n) ‖ for each part:
 * u16be(len(part)) ‖ part` (conformance/SPEC.md). The count and the length
 * prefixes keep `["a", "bc"]` and `["ab", "c"]` apart.
 *
 * @throws SzcryptError CONFIG_INVALID, naming the limit, for anything but 1 to
 *   16 parts of text or bytes of at most 1024 bytes each. Never quotes a part.
 * @internal
 */
export function encodeSzc1Context(context: unknown): Buffer {
  if (!Array.isArray(context)) {
    throw new SzcryptError("CONFIG_INVALID", "an szc1 context is an array of 1 to 16 parts (strings or Uint8Arrays)");
  }
  const count = context.length;
  if (count < 1 || count > SZC1_CONTEXT_MAX_PARTS) {
    throw new SzcryptError("CONFIG_INVALID", `an szc1 context has 1 to ${SZC1_CONTEXT_MAX_PARTS} parts, got ${count}`);
  }
  const parts: Uint8Array[] = [];
  let total = 1;
  for (let i = 0; i < count; i++) {
    const part = partBytes(context[i], i);
    if (part.length > SZC1_CONTEXT_MAX_PART_BYTES) {
      throw new SzcryptError(
        "CONFIG_INVALID",
        `part ${i} of the szc1 context is ${part.length} bytes; a part is at most ${SZC1_CONTEXT_MAX_PART_BYTES} bytes`,
      );
    }
    parts.push(part);
    total += 2 + part.length;
  }
  // Copied into an allocation of its own: the parts are the caller's and may change after this call.
  const out = Buffer.alloc(total);
  out[0] = count;
  let at = 1;
  for (const part of parts) {
    out.writeUInt16BE(part.length, at);
    out.set(part, at + 2);
    at += 2 + part.length;
  }
  return out;
}

function partBytes(part: unknown, index: number): Uint8Array {
  if (part instanceof Uint8Array) {
    return part;
  }
  if (typeof part !== "string") {
    throw new SzcryptError(
      "CONFIG_INVALID",
      `part ${index} of the szc1 context is ${part === null ? "null" : typeof part}; a part is a string or a Uint8Array`,
    );
  }
  if (!part.isWellFormed()) {
    // Buffer.from would turn a lone surrogate into U+FFFD: two different contexts would seal alike.
    throw new SzcryptError("CONFIG_INVALID", `part ${index} of the szc1 context has a lone UTF-16 surrogate and no UTF-8 form`);
  }
  return Buffer.from(part, "utf8");
}

/**
 * szc1's associated data: `"szc1" 0x00 ID 0x00 F`, and for a bound token
 * `0x00` and the encoded context after it (conformance/SPEC.md).
 *
 * @internal
 */
export function szc1AssociatedData(keyId: string, fieldName: string, encodedContext: Uint8Array | undefined): Buffer {
  const head = `szc1\0${keyId}\0${fieldName}`;
  if (encodedContext === undefined) {
    return Buffer.from(head, "utf8");
  }
  const headLength = Buffer.byteLength(head, "utf8");
  const out = Buffer.alloc(headLength + 1 + encodedContext.length);
  out.write(head, 0, "utf8");
  // out[headLength] stays 0: the zero byte that ends F.
  out.set(encodedContext, headLength + 1);
  return out;
}
