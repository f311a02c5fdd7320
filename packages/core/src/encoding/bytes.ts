/**
 * Throws a TypeError unless `value` is a Uint8Array (a Buffer is one). A string
 * passed where bytes belong would otherwise be read as a length-only array
 * (`Buffer.set("secret")` copies nothing) and encrypt zeros without a word.
 */
export function assertBytes(value: unknown, what: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`${what} must be a Uint8Array, got ${value === null ? "null" : typeof value}`);
  }
}

/**
 * A copy of `bytes` in an allocation of its own. Node's small Buffers share
 * one 8 KiB pool: a value handed out as a view of it carries, in its
 * `.buffer`, whatever else lives there (keys, other plaintexts).
 */
export function ownCopy(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.length);
  out.set(bytes);
  return out;
}

/** Whether `bytes` is the whole of its ArrayBuffer, so handing it out shows nothing else. */
export function ownsItsMemory(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/**
 * `head ‖ tail` in an allocation of its own, both inputs zeroed: a decipher's
 * update() and final() joined without Buffer.concat, which would put the
 * plaintext in the shared pool. Returns `head` itself when `tail` is empty.
 */
export function joinOwned(head: Buffer, tail: Buffer): Buffer {
  if (tail.length === 0) {
    return head;
  }
  const out = Buffer.allocUnsafeSlow(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  head.fill(0);
  tail.fill(0);
  return out;
}
