import { SzcryptError } from "../errors/szcrypt-error.js";
import { isSzcryptKey, type SzcryptKey } from "./key.js";
import { isKeyring, Keyring } from "./keyring.js";

/**
 * What a tenant's key lookup may return: a keyring, a key, a key spec or
 * keyring JSON (as `SZCRYPT_KEY` holds it), or nothing (`undefined`/`null`)
 * when the tenant has no key, e.g. because it was shredded.
 */
export type KeyringLookupResult = Keyring | SzcryptKey | string | undefined | null;

/** Looks up one tenant's keys, e.g. in a secrets manager. May be async. */
export type KeyringLookup = (tenant: string) => KeyringLookupResult | Promise<KeyringLookupResult>;

export interface KeyringResolverOptions {
  /** The most tenants whose keyrings are kept; the least recently used goes first. An integer ≥ 1. */
  readonly maxEntries: number;
  /**
   * How long, in ms, a looked-up keyring is used before it is looked up
   * again, counted from the lookup (not from the last use), as the AWS
   * Encryption SDK's caching materials manager does. Bounds how long a key
   * removed at the source stays usable in a process that was not told
   * (`forget` removes it at once).
   */
  readonly ttlMs: number;
  /**
   * How long, in ms, a failed or empty lookup is remembered, so that a burst
   * of calls for a tenant without keys does not become a burst of lookups.
   * Kept apart from the keyrings (and bounded by `maxEntries` too): unknown
   * tenants never push out known ones. Default 0: not remembered.
   */
  readonly negativeTtlMs?: number;
  /**
   * Told why a lookup failed, for the service's own logs. The error is the
   * lookup's own and may quote the tenant or more: szcrypt's error never does.
   */
  readonly onLookupError?: (error: unknown, tenant: string) => void;
  /** The clock, in ms (monotonic by default). For tests. */
  readonly now?: () => number;
}

/**
 * A cache of keyrings per tenant (or any per-call key) in front of a lookup.
 * See {@link createKeyringResolver}.
 */
export interface KeyringResolver {
  /**
   * The keyring for `tenant`: from the cache while fresh, else from one
   * lookup shared by every concurrent call for the same tenant.
   *
   * @throws SzcryptError KEY_UNAVAILABLE (rejected) when the tenant is missing
   *   or empty, the lookup fails, finds nothing or returns something that is no
   *   key, or the tenant is forgotten while its lookup runs. One message for
   *   all, naming no tenant: a tenant id is the caller's text.
   */
  resolve(tenant: string | undefined): Promise<Keyring>;
  /** The cached keyring for `tenant` if one is fresh, without looking up: for a synchronous fast path. */
  cached(tenant: string): Keyring | undefined;
  /**
   * Forgets `tenant` at once: its cached keyring, a remembered failure, and
   * any lookup in flight (whose callers then get KEY_UNAVAILABLE). The next
   * call looks it up again. Crypto-shredding: delete the tenant's key at the
   * source, then `forget` it in every process.
   */
  forget(tenant: string): void;
  /** Forgets every tenant, as {@link KeyringResolver.forget}. */
  clear(): void;
  /** How many keyrings are cached now (expired ones included until next touched). */
  readonly size: number;
}

/** The one message of a keyring the resolver cannot give: it names no tenant. */
export const KEYRING_UNAVAILABLE_MESSAGE =
  "no keyring is available for this call's tenant (the tenant is missing, or its key lookup failed or found no key)";

interface Entry<T> {
  readonly value: T;
  readonly expiresAt: number;
}

/**
 * Creates a {@link KeyringResolver}: keys chosen per call (per tenant), looked
 * up lazily, cached with a bound and a time to live, failing closed.
 *
 * @example
 * ```ts
 * // One keyring per tenant from a secrets manager, cached for 5 minutes.
 * const tenants = createKeyringResolver(
 *   async (tenant) => (await secrets.get(`szcrypt/${tenant}`))?.value, // keyring JSON, or undefined
 *   { maxEntries: 1000, ttlMs: 5 * 60_000, negativeTtlMs: 10_000 },
 * );
 * // A transport's per-call key option: a function of the call returning the keyring.
 * const keyOfCall = (call: { metadata: { get(name: string): unknown[] } }) => {
 *   const tenant = call.metadata.get("x-tenant-id")[0];
 *   return tenants.resolve(typeof tenant === "string" ? tenant : undefined);
 * };
 * // Crypto-shredding tenant "acme": delete its secret, then in every process:
 * tenants.forget("acme");
 * ```
 *
 * A lookup that never settles holds every call for its tenant: give the
 * lookup its own timeout. Resolve only tenants the caller is entitled to (from
 * its authenticated identity): every unknown tenant id costs a lookup.
 *
 * @throws SzcryptError CONFIG_INVALID for a `maxEntries`, `ttlMs` or `negativeTtlMs` out of range.
 */
export function createKeyringResolver(lookup: KeyringLookup, options: KeyringResolverOptions): KeyringResolver {
  if (typeof lookup !== "function") {
    throw new SzcryptError("CONFIG_INVALID", "createKeyringResolver takes a lookup function (tenant) => keyring");
  }
  const { maxEntries, ttlMs } = options;
  const negativeTtlMs = options.negativeTtlMs ?? 0;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new SzcryptError("CONFIG_INVALID", "keyring resolver: maxEntries must be an integer of at least 1");
  }
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) {
    throw new SzcryptError("CONFIG_INVALID", "keyring resolver: ttlMs must be a positive, finite number of milliseconds");
  }
  if (!(negativeTtlMs >= 0) || !Number.isFinite(negativeTtlMs)) {
    throw new SzcryptError("CONFIG_INVALID", "keyring resolver: negativeTtlMs must be a finite number of milliseconds, 0 or more");
  }
  const now = options.now ?? (() => performance.now());
  // Map iteration order is insertion order: re-inserting on use makes the first key the least recently used.
  const rings = new Map<string, Entry<Keyring>>();
  const failures = new Map<string, Entry<true>>();
  // A slot per lookup in flight: forget() removes it, and a lookup whose slot is gone is discarded.
  const pending = new Map<string, { promise?: Promise<Keyring> }>();

  const remember = <T>(map: Map<string, Entry<T>>, tenant: string, value: T, ttl: number): void => {
    map.delete(tenant);
    map.set(tenant, { value, expiresAt: now() + ttl });
    if (map.size > maxEntries) {
      const oldest = map.keys().next().value as string;
      map.delete(oldest);
    }
  };
  const fresh = <T>(map: Map<string, Entry<T>>, tenant: string): T | undefined => {
    const entry = map.get(tenant);
    if (entry === undefined) {
      return undefined;
    }
    map.delete(tenant);
    if (now() >= entry.expiresAt) {
      return undefined;
    }
    map.set(tenant, entry);
    return entry.value;
  };
  const unavailable = () => new SzcryptError("KEY_UNAVAILABLE", KEYRING_UNAVAILABLE_MESSAGE);

  const lookUp = (tenant: string): Promise<Keyring> => {
    const slot: { promise?: Promise<Keyring> } = {};
    pending.set(tenant, slot);
    slot.promise = (async () => {
      let ring: Keyring | undefined;
      try {
        ring = asKeyring(await lookup(tenant));
      } catch (err) {
        try {
          options.onLookupError?.(err, tenant);
        } catch {
          // A throwing log hook must not turn a refusal into something else.
        }
      }
      // Forgotten (or cleared) while the lookup ran: neither cached nor handed out.
      if (pending.get(tenant) !== slot) {
        throw unavailable();
      }
      pending.delete(tenant);
      if (ring === undefined) {
        if (negativeTtlMs > 0) {
          remember(failures, tenant, true, negativeTtlMs);
        }
        throw unavailable();
      }
      remember(rings, tenant, ring, ttlMs);
      return ring;
    })();
    return slot.promise;
  };

  return {
    resolve(tenant) {
      if (typeof tenant !== "string" || tenant === "") {
        return Promise.reject(unavailable());
      }
      const ring = fresh(rings, tenant);
      if (ring !== undefined) {
        return Promise.resolve(ring);
      }
      if (fresh(failures, tenant) !== undefined) {
        return Promise.reject(unavailable());
      }
      return pending.get(tenant)?.promise ?? lookUp(tenant);
    },
    cached(tenant) {
      return fresh(rings, tenant);
    },
    forget(tenant) {
      rings.delete(tenant);
      failures.delete(tenant);
      pending.delete(tenant);
    },
    clear() {
      rings.clear();
      failures.clear();
      pending.clear();
    },
    get size() {
      return rings.size;
    },
  };
}

// What the lookup gave, as a keyring; undefined for nothing. Throws for what is no key.
function asKeyring(value: KeyringLookupResult): Keyring | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (isKeyring(value)) {
    return value;
  }
  if (isSzcryptKey(value)) {
    return Keyring.of(value);
  }
  if (typeof value === "string") {
    return Keyring.parse(value);
  }
  throw new TypeError(`a keyring lookup returned ${typeof value}, not a Keyring, a SzcryptKey or a key spec`);
}
