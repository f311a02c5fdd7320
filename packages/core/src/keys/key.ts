import { createHash } from "node:crypto";
import { inspect } from "node:util";
import { SzcryptError } from "../errors/szcrypt-error.js";

/** AES key sizes in bytes: AES-128, AES-192, AES-256. */
export type AesKeySize = 16 | 24 | 32;

const FINGERPRINT_DOMAIN = "szcrypt/key-fingerprint/v1\0";
const KEY_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

let readMaterial: (key: SzcryptKey) => Buffer;

/**
 * An AES key that will not show its bytes.
 *
 * `toString`, `JSON.stringify`, `util.inspect` and every error show only the
 * size and the {@link SzcryptKey.fingerprint}. Make one with `parseKeySpec`,
 * or {@link SzcryptKey.fromBytes} when the bytes come from elsewhere.
 *
 * @example
 * ```ts
 * const key = SzcryptKey.fromBytes(bytesFromYourKms); // 16, 24 or 32 bytes
 * String(key); // "SzcryptKey(aes-256 szfp1:…)": never the bytes
 * ```
 */
export class SzcryptKey {
  readonly #material: Buffer;
  /** Key size in bytes. */
  readonly size: AesKeySize;
  /**
   * A key id, for szc1 tokens and keyrings. Optional: legacy-cbc tokens carry
   * no key id.
   */
  readonly id: string | undefined;
  #fingerprint: string | undefined;

  static {
    readMaterial = (key) => key.#material;
  }

  private constructor(material: Buffer, id: string | undefined) {
    this.#material = material;
    this.size = material.length as AesKeySize;
    this.id = id;
  }

  /**
   * A key from raw bytes, which are copied.
   *
   * @throws SzcryptError KEY_INVALID when the length is not 16, 24 or 32.
   */
  static fromBytes(bytes: Uint8Array, options: { id?: string } = {}): SzcryptKey {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError("SzcryptKey.fromBytes: expected a Uint8Array");
    }
    if (bytes.length !== 16 && bytes.length !== 24 && bytes.length !== 32) {
      throw new SzcryptError("KEY_INVALID", `an AES key must be 16, 24 or 32 bytes, got ${bytes.length} bytes`);
    }
    if (options.id !== undefined) {
      assertKeyId(options.id);
    }
    // Its own allocation: Buffer.from would put the key in Node's shared 8 KiB
    // pool, where any pooled Buffer handed out later shows it in `.buffer`.
    const material = Buffer.allocUnsafeSlow(bytes.length);
    material.set(bytes);
    return new SzcryptKey(material, options.id);
  }

  /** The same key material under another key id. */
  withId(id: string): SzcryptKey {
    assertKeyId(id);
    return new SzcryptKey(this.#material, id);
  }

  /**
   * A short, domain-separated digest of the key: two services compare
   * fingerprints to check they hold the same key without showing it.
   * `szfp1:` followed by the first 16 hex digits of
   * SHA-256("szcrypt/key-fingerprint/v1\0" ‖ key).
   */
  get fingerprint(): string {
    if (this.#fingerprint === undefined) {
      const digest = createHash("sha256").update(FINGERPRINT_DOMAIN).update(this.#material).digest("hex");
      this.#fingerprint = `szfp1:${digest.slice(0, 16)}`;
    }
    return this.#fingerprint;
  }

  /** Whether `other` holds the same key material (compares fingerprints, never the bytes). */
  equals(other: SzcryptKey): boolean {
    return this.fingerprint === other.fingerprint;
  }

  toString(): string {
    const id = this.id === undefined ? "" : ` id=${this.id}`;
    return `SzcryptKey(aes-${this.size * 8}${id} ${this.fingerprint})`;
  }

  toJSON(): { algorithm: string; id?: string; fingerprint: string } {
    return {
      algorithm: `aes-${this.size * 8}`,
      ...(this.id === undefined ? {} : { id: this.id }),
      fingerprint: this.fingerprint,
    };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** Whether `arg` is a {@link SzcryptKey}. */
export function isSzcryptKey(arg: unknown): arg is SzcryptKey {
  return arg instanceof SzcryptKey;
}

/**
 * The key's bytes, for this package's ciphers only. Not exported from the
 * package entry point.
 *
 * @internal
 */
export function keyMaterial(key: SzcryptKey): Buffer {
  if (!(key instanceof SzcryptKey)) {
    throw new TypeError("expected a SzcryptKey (see parseKeySpec)");
  }
  return readMaterial(key);
}

/** What a key id is, for messages that refuse one (without quoting it). */
export const KEY_ID_GRAMMAR = "1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'";

/**
 * Whether `id` is a key id (conformance/SPEC.md): 1 to 64 characters of
 * `A-Z a-z 0-9 . _ -`. Only such a value may be named in a message or printed.
 */
export function isKeyId(id: unknown): id is string {
  return typeof id === "string" && KEY_ID_RE.test(id);
}

/** Whether bytes[start, end) spell a key id in ASCII. */
export function isKeyIdBytes(bytes: Uint8Array, start: number, end: number): boolean {
  const length = end - start;
  if (length < 1 || length > 64) {
    return false;
  }
  for (let i = start; i < end; i++) {
    const b = bytes[i] as number;
    const ok = (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2e || b === 0x5f || b === 0x2d;
    if (!ok) {
      return false;
    }
  }
  return true;
}

function assertKeyId(id: string): void {
  if (!isKeyId(id)) {
    throw new SzcryptError("KEY_INVALID", `a key id is ${KEY_ID_GRAMMAR}`);
  }
}
