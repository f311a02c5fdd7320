/**
 * Throws a TypeError unless `value` is a Uint8Array (a Buffer is one). A string
 * passed where bytes belong would otherwise be read as a length-only array
 * (`Buffer.set("secret")` copies nothing) and encrypt zeros without a word.
 *
 * @internal
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
 *
 * @internal
 */
export function ownCopy(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * Whether `bytes` is the whole of its ArrayBuffer, so handing it out shows nothing else.
 *
 * @internal
 */
export function ownsItsMemory(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/**
 * `head ‖ tail` in an allocation of its own, both inputs zeroed: a decipher's
 * update() and final() joined without Buffer.concat, which would put the
 * plaintext in the shared pool. Returns `head` itself when `tail` is empty.
 *
 * @internal
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

/**
 * What a public function hands out for bytes: a plain Uint8Array (not a
 * Buffer, so it compares equal to protobuf-es bytes and promises no Buffer
 * methods) over memory of its own. The same memory, with no copy, when
 * `bytes` is already the whole of its ArrayBuffer (as szcrypt's
 * `allocUnsafeSlow` results are); a copy otherwise, and the original is zeroed
 * because it may have held a plaintext in a shared pool.
 *
 * @internal
 */
export function handOut(bytes: Uint8Array): Uint8Array {
  if (ownsItsMemory(bytes)) {
    return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, 0, bytes.byteLength);
  }
  const out = new Uint8Array(bytes.byteLength);
  out.set(bytes);
  bytes.fill(0);
  return out;
}
