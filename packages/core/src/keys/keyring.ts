import { SzcryptError } from "../errors/szcrypt-error.js";
import { isKeyId, isSzcryptKey, KEY_ID_GRAMMAR, type SzcryptKey } from "./key.js";
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

/** What a {@link Keyring} is made of: its keys and which of them does what. */
export interface KeyringInit {
  /** Every key this service holds, each with an id. */
  readonly keys: readonly SzcryptKey[];
  /** The id of the key szc1 encryption uses. */
  readonly primary: string;
  /**
   * The id of the key legacy-cbc uses (it carries no key id). Default: the
   * primary, which a ring of several keys warns about: promoting a new primary
   * would then silently switch legacy-cbc to a key its peers do not use.
   */
  readonly legacy?: string;
}

// Fingerprints of primaries already warned about: a provider re-parses its keyring on every reload.
const warnedUnpinned = new Set<string>();

/**
 * Named keys: one primary that szc1 encryption uses, the rest kept for
 * decrypting tokens made under them, and the one key legacy-cbc uses.
 *
 * Rotation is add → deploy everywhere → promote → retire:
 * 1. add the new key (not primary) on every service, and deploy;
 * 2. promote it to primary, and deploy: new tokens use it, old ones still decrypt;
 * 3. retire the old key once no token made under it is still in flight.
 *
 * @example
 * ```ts
 * const ring = Keyring.parse(
 *   '{"primary": "2026-06", "legacy": "page", "keys": {"2026-06": "hex:…64 digits…", "page": "utf8:39b96ec8e9f303bfbb14917b232866d5"}}',
 * );
 * encryptSzc1("4111", ring.primary, { fieldName: "sz.examples.v1.Payment.card_number" });
 * encryptLegacy("4111", ring.legacy);
 * ```
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
    if (init.legacy === undefined && byId.size > 1 && !warnedUnpinned.has(this.primary.fingerprint)) {
      // Ids only: never key material.
      warnedUnpinned.add(this.primary.fingerprint);
      process.emitWarning(
        `szcrypt: a keyring of ${byId.size} keys without "legacy" uses its primary '${this.primary.id}' for legacy-cbc, ` +
          "so promoting a new primary also switches legacy-cbc's key, which legacy peers do not follow; " +
          'name the key legacy-cbc uses with "legacy"',
        { code: "SZCRYPT_LEGACY_KEY_UNPINNED" },
      );
    }
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
    if (
      typeof doc !== "object" ||
      doc === null ||
      Array.isArray(doc) ||
      typeof doc.keys !== "object" ||
      doc.keys === null ||
      Array.isArray(doc.keys)
    ) {
      throw new SzcryptError("KEY_INVALID", 'a keyring needs "primary" (a key id) and "keys" (an object of key id to key spec)');
    }
    // Nothing from the document is named in a message before it is known to
    // be a key id: a swapped map or a spec in "primary" would otherwise quote a key.
    for (const role of ["primary", "legacy"] as const) {
      const id: unknown = doc[role];
      if ((role === "primary" || id !== undefined) && !isKeyId(id)) {
        throw new SzcryptError(
          "KEY_INVALID",
          `the keyring's "${role}" must be a key id (${KEY_ID_GRAMMAR}), the name of one of its "keys", not a key spec`,
        );
      }
    }
    const keys = Object.entries(doc.keys).map(([id, spec], index) => {
      if (!isKeyId(id)) {
        throw new SzcryptError(
          "KEY_INVALID",
          `the keyring's key #${index + 1} is not named by a key id (${KEY_ID_GRAMMAR}): "keys" maps key id to key spec, e.g. {"2026-06": "hex:…"}`,
        );
      }
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
    if (!isKeyId(id)) {
      // Not quoted: it may be anything, a key spec included.
      throw new SzcryptError("KEY_INVALID", `the keyring's ${role} must be a key id (${KEY_ID_GRAMMAR}), the id of one of its keys`);
    }
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
