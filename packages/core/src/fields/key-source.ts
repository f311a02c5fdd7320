import { keyringFromEnv } from "../keys/default-key.js";
import { isSzcryptKey, type SzcryptKey } from "../keys/key.js";
import { isKeyProvider, type KeyProvider } from "../keys/key-provider.js";
import { isKeyring, Keyring } from "../keys/keyring.js";

/** A key, a keyring, a key provider, or a function giving the current key or keyring (called per message: keep it cheap). */
export type KeySource = SzcryptKey | Keyring | KeyProvider | (() => SzcryptKey | Keyring);

/** What a transport's `key` option takes: a {@link KeySource}, or a key spec or keyring JSON string. */
export type KeyOption = KeySource | string;

/**
 * A transport's `key` option as a KeySource: a string is parsed now, and no
 * key at all means the default key, `SZCRYPT_KEY`, read now.
 *
 * @throws SzcryptError KEY_UNAVAILABLE without a key (there is never a default
 *   key), KEY_INVALID for an unreadable one.
 * @throws TypeError for a value of no key type.
 * @internal
 */
export function resolveKeyOption(key: KeyOption | undefined): KeySource {
  if (typeof key === "string") {
    return Keyring.parse(key);
  }
  if (key === undefined) {
    return keyringFromEnv(undefined, "or pass `key`");
  }
  if (typeof key !== "function" && !isSzcryptKey(key) && !isKeyring(key) && !isKeyProvider(key)) {
    throw new TypeError(
      "szcrypt: `key` must be a SzcryptKey, a Keyring, a key provider, a key spec or keyring JSON string, or a function returning a key or keyring",
    );
  }
  return key;
}

/**
 * The keyring in force now, from any KeySource: what FieldCrypto calls once
 * per value it works on.
 *
 * @internal
 */
export function keyringSource(source: KeySource): () => Keyring {
  if (isKeyProvider(source)) {
    return () => source.current();
  }
  if (typeof source === "function") {
    // Memoized per value returned, so a provider that returns the same key or
    // ring each time costs one lookup, not a new Keyring per message.
    let last: SzcryptKey | Keyring | undefined;
    let ring: Keyring | undefined;
    return () => {
      const current = source();
      if (current !== last || ring === undefined) {
        last = current;
        ring = toKeyring(current);
      }
      return ring;
    };
  }
  const ring = toKeyring(source);
  return () => ring;
}

function toKeyring(value: unknown): Keyring {
  if (isKeyring(value)) {
    return value;
  }
  if (isSzcryptKey(value)) {
    return Keyring.of(value);
  }
  throw new TypeError("szcrypt: the key source must give a SzcryptKey or a Keyring");
}
