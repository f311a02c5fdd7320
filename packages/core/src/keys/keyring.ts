import { SzcryptError } from "../errors/szcrypt-error.js";
import { isSzcryptKey, type SzcryptKey } from "./key.js";
import { parseKeySpec } from "./key-spec.js";

/** The id a lone key gets in szc1 tokens when it was given none. */
export const DEFAULT_KEY_ID = "default";

/**
 * The JSON form of a keyring, for an environment variable or a secret file:
 * ```json
 * { "primary": "2026-06", "legacy": "2025-01",
 *   "keys": { "2025-01": "utf8:…", "2026-06": "base64:…" } }
 * ```
 */
export interface KeyringJson {
  readonly primary: string;
  readonly legacy?: string;
  readonly keys: Readonly<Record<string, string>>;
}

export interface KeyringInit {
  /** Every key this service holds, each with an id. */
  readonly keys: readonly SzcryptKey[];
  /** The id of the key szc1 encryption uses. */
  readonly primary: string;
  /** The id of the key legacy-cbc uses (it carries no key id). Default: the primary. */
  readonly legacy?: string;
}

/**
 * Named keys: one primary that szc1 encryption uses, the rest kept for
 * decrypting tokens made under them, and the one key legacy-cbc uses.
 *
 * Rotation is add → deploy everywhere → promote → retire:
 * 1. add the new key (not primary) on every service, and deploy;
 * 2. promote it to primary, and deploy: new tokens use it, old ones still decrypt;
 * 3. retire the old key once no token made under it is still in flight.
 */
export class Keyring {
  readonly primary: SzcryptKey;
  readonly legacy: SzcryptKey;
  readonly #byId: ReadonlyMap<string, SzcryptKey>;

  constructor(init: KeyringInit) {
    const byId = new Map<string, SzcryptKey>();
    for (const key of init.keys) {
      if (!isSzcryptKey(key)) {
        throw new TypeError("Keyring: keys must be SzcryptKey objects (see parseKeySpec)");
      }
      if (key.id === undefined) {
        throw new SzcryptError("KEY_INVALID", "every key in a keyring needs an id (parseKeySpec(spec, { id }))");
      }
      if (byId.has(key.id)) {
        throw new SzcryptError("KEY_INVALID", `the keyring has two keys with id '${key.id}'`);
      }
      byId.set(key.id, key);
    }
    this.#byId = byId;
    this.primary = this.#need(init.primary, "primary");
    this.legacy = this.#need(init.legacy ?? init.primary, "legacy");
  }

  /** A keyring of one key: primary and legacy. A key without id gets the id `default`. */
  static of(key: SzcryptKey): Keyring {
    const withId = key.id === undefined ? key.withId(DEFAULT_KEY_ID) : key;
    return new Keyring({ keys: [withId], primary: withId.id as string });
  }

  /**
   * A keyring from its JSON form (see {@link KeyringJson}) or from a single
   * key spec.
   *
   * @throws SzcryptError KEY_INVALID naming the key id at fault, never its material.
   */
  static parse(text: string): Keyring {
    const trimmed = text.trim();
    if (!trimmed.startsWith("{")) {
      return Keyring.of(parseKeySpec(text));
    }
    let doc: KeyringJson;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      throw new SzcryptError(
        "KEY_INVALID",
        'a keyring is JSON: {"primary": id, "legacy"?: id, "keys": {id: key spec}}; this is not valid JSON',
      );
    }
    if (typeof doc !== "object" || doc === null || typeof doc.primary !== "string" || typeof doc.keys !== "object" || doc.keys === null) {
      throw new SzcryptError("KEY_INVALID", 'a keyring needs "primary" (a key id) and "keys" (an object of key id to key spec)');
    }
    const keys = Object.entries(doc.keys).map(([id, spec]) => {
      if (typeof spec !== "string") {
        throw new SzcryptError("KEY_INVALID", `keyring key '${id}' must be a key spec string`);
      }
      try {
        return parseKeySpec(spec, { id });
      } catch (err) {
        throw new SzcryptError("KEY_INVALID", `keyring key '${id}': ${(err as Error).message}`);
      }
    });
    return new Keyring({ keys, primary: doc.primary, ...(doc.legacy === undefined ? {} : { legacy: doc.legacy }) });
  }

  /** The key with this id, if the ring holds it. */
  get(id: string): SzcryptKey | undefined {
    return this.#byId.get(id);
  }

  /** The ids of every key, in the order given. */
  get ids(): string[] {
    return [...this.#byId.keys()];
  }

  toString(): string {
    return `Keyring(primary=${this.primary.id}, legacy=${this.legacy.id}, keys=[${this.ids.join(", ")}])`;
  }

  toJSON(): { primary: string | undefined; legacy: string | undefined; keys: ReturnType<SzcryptKey["toJSON"]>[] } {
    return { primary: this.primary.id, legacy: this.legacy.id, keys: [...this.#byId.values()].map((k) => k.toJSON()) };
  }

  #need(id: string, role: string): SzcryptKey {
    const key = this.#byId.get(id);
    if (key === undefined) {
      throw new SzcryptError("KEY_INVALID", `the keyring's ${role} key '${id}' is not among its keys (${this.ids.join(", ")})`);
    }
    return key;
  }
}

/** Whether `arg` is a {@link Keyring}. */
export function isKeyring(arg: unknown): arg is Keyring {
  return arg instanceof Keyring;
}
