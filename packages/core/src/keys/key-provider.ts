import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { SzcryptError } from "../errors/szcrypt-error.js";
import { DEFAULT_KEY_ENV, keyringFromEnv, parseKeyringText } from "./default-key.js";
import { isSzcryptKey, type SzcryptKey } from "./key.js";
import { isKeyring, Keyring } from "./keyring.js";

/**
 * Where keys come from at run time. `current()` is synchronous so that the
 * per-message path never waits; `ready()` resolves once a first keyring is
 * loaded, and rejects (fail closed: there is never a default key) if none can be.
 */
export interface KeyProvider {
  /** What the keys are read from, for logs: never key material. */
  readonly description: string;
  /** @throws SzcryptError KEY_UNAVAILABLE until a keyring has been loaded. */
  current(): Keyring;
  ready(): Promise<void>;
  /** Stops any watching or refreshing. */
  close(): void;
}

/** What a key provider reports as it loads keys: fingerprints and errors, never key material. */
export interface KeyProviderEvents {
  /**
   * A keyring was loaded or replaced. Log `String(keyring)` or fingerprints
   * (`keyring.toJSON()`), never anything else of it.
   */
  readonly onLoad?: (keyring: Keyring) => void;
  /** A reload failed; the last good keyring stays in use. The error holds no key material. */
  readonly onError?: (error: SzcryptError) => void;
}

/** Whether `arg` is a {@link KeyProvider}. */
export function isKeyProvider(arg: unknown): arg is KeyProvider {
  return (
    typeof arg === "object" &&
    arg !== null &&
    typeof (arg as KeyProvider).current === "function" &&
    typeof (arg as KeyProvider).ready === "function"
  );
}

/**
 * Keys from an environment variable (default `SZCRYPT_KEY`): a key spec, or a
 * keyring's JSON form for several keys. Read once, now (see {@link keyringFromEnv}).
 *
 * @example
 * ```ts
 * const crypto = createFieldCrypto({ key: envKeyProvider() });
 * ```
 * @throws SzcryptError KEY_UNAVAILABLE when the variable is unset, empty or
 *   whitespace, KEY_INVALID when it cannot be read; neither shows its value.
 */
export function envKeyProvider(name: string = DEFAULT_KEY_ENV, events: KeyProviderEvents = {}): KeyProvider {
  const ring = keyringFromEnv(name);
  events.onLoad?.(ring);
  return { description: `environment variable ${name}`, current: () => ring, ready: async () => {}, close: () => {} };
}

/** Options of {@link fileKeyProvider}. */
export interface FileKeyProviderOptions extends KeyProviderEvents {
  /** How often to look for a replaced file, in ms. Default 1000. */
  readonly pollIntervalMs?: number;
}

/**
 * Keys from a file holding a key spec or keyring JSON, such as a Kubernetes
 * secret mount. The file is read now; a replacement on disk (an atomic rename,
 * or the symlink swap Kubernetes does) is picked up without a restart. A
 * replacement that cannot be read is reported and the last good keyring kept.
 *
 * @example
 * ```ts
 * const keys = fileKeyProvider("/var/run/secrets/szcrypt/key", {
 *   onLoad: (ring) => console.log(`szcrypt keys loaded: ${ring}`),
 * });
 * const crypto = createFieldCrypto({ key: keys });
 * ```
 * @throws SzcryptError KEY_UNAVAILABLE when the file cannot be read at start.
 */
export function fileKeyProvider(path: string, options: FileKeyProviderOptions = {}): KeyProvider {
  const read = (): { ring: Keyring; digest: string } => {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new SzcryptError("KEY_UNAVAILABLE", `cannot read the key file ${path} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    return { ring: parseKeyringText(text, `key file ${path}`), digest: createHash("sha256").update(text).digest("hex") };
  };
  let { ring, digest } = read();
  options.onLoad?.(ring);
  let lastStat = statKey(path);
  const timer = setInterval(() => {
    const now = statKey(path);
    if (now === lastStat) {
      return;
    }
    lastStat = now;
    try {
      const next = read();
      if (next.digest !== digest) {
        ring = next.ring;
        digest = next.digest;
        options.onLoad?.(ring);
      }
    } catch (err) {
      options.onError?.(err as SzcryptError);
    }
  }, options.pollIntervalMs ?? 1000);
  timer.unref();
  return { description: `key file ${path}`, current: () => ring, ready: async () => {}, close: () => clearInterval(timer) };
}

function statKey(path: string): string {
  try {
    // statSync follows symlinks: a swapped ..data link shows as a new inode.
    const s = statSync(path);
    return `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return "missing";
  }
}

/** Options of {@link asyncKeyProvider}. */
export interface AsyncKeyProviderOptions extends KeyProviderEvents {
  /** Re-fetch this often, in ms, keeping the last good keyring if a fetch fails. Default: never. */
  readonly refreshIntervalMs?: number;
  /** What the keys are fetched from, for logs. */
  readonly description?: string;
}

/**
 * Keys from anything asynchronous, such as a secrets manager. `load` returns a
 * key spec, keyring JSON, a key or a keyring. It is called once at start
 * (await `ready()` before serving) and then every `refreshIntervalMs`; the
 * result is cached in between, so calls never wait on the secrets manager.
 * A failure at start rejects `ready()` with KEY_UNAVAILABLE: never a default key.
 *
 * One load runs at a time: a refresh due while one is in flight is skipped,
 * so a slow load can never install an older keyring over a newer one; a load
 * that never settles therefore holds off every later refresh, so give `load`
 * its own timeout. After `close()` (even before the first load ends) no load
 * is started or installed.
 *
 * @example
 * ```ts
 * const keys = asyncKeyProvider(() => secrets.get("szcrypt-keyring"), { refreshIntervalMs: 60_000 });
 * await keys.ready(); // before serving
 * const crypto = createFieldCrypto({ key: keys });
 * ```
 */
export function asyncKeyProvider(load: () => Promise<string | SzcryptKey | Keyring>, options: AsyncKeyProviderOptions = {}): KeyProvider {
  const description = options.description ?? "async key provider";
  let ring: Keyring | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let loading = false;
  // Generation of the load that gave `ring`: only a later one may replace it.
  let started = 0;
  let installed = 0;
  const fetchOnce = async (): Promise<Keyring> => {
    let value: string | SzcryptKey | Keyring;
    try {
      value = await load();
    } catch (err) {
      // Not attached as `cause`: a secrets manager's error may hold what it fetched.
      throw new SzcryptError("KEY_UNAVAILABLE", `${description} failed to provide keys (${describeLoadError(err)})`);
    }
    return isKeyring(value) ? value : isSzcryptKey(value) ? Keyring.of(value) : parseKeyringText(String(value), description);
  };
  const install = (generation: number, next: Keyring): void => {
    if (closed || generation <= installed) {
      return;
    }
    installed = generation;
    ring = next;
    options.onLoad?.(next);
  };
  const refresh = (): void => {
    if (closed || loading) {
      return;
    }
    loading = true;
    const generation = ++started;
    fetchOnce().then(
      (next) => {
        loading = false;
        install(generation, next);
      },
      (err: SzcryptError) => {
        loading = false;
        if (!closed) {
          options.onError?.(err);
        }
      },
    );
  };
  loading = true;
  const first = fetchOnce().then(
    (r) => {
      loading = false;
      // Installed even after close(): whoever awaits ready() gets keys, but nothing refreshes them.
      installed = ++started;
      ring = r;
      options.onLoad?.(r);
      if (options.refreshIntervalMs !== undefined && !closed) {
        timer = setInterval(refresh, options.refreshIntervalMs);
        timer.unref();
      }
    },
    (err: unknown) => {
      loading = false;
      throw err;
    },
  );
  first.catch(() => {}); // reported through ready()
  return {
    description,
    current: () => {
      if (ring === undefined) {
        throw new SzcryptError("KEY_UNAVAILABLE", `${description} has not provided keys yet: await ready() before serving`);
      }
      return ring;
    },
    ready: () => first,
    close: () => {
      closed = true;
      clearInterval(timer);
      timer = undefined;
    },
  };
}

/**
 * What of a key loader's error may be logged: its class name and a code that
 * looks like one (`ECONNREFUSED`, `AccessDeniedException`). Never its message,
 * properties or cause: a secrets manager's error may quote the secret, as text
 * or as bytes.
 */
function describeLoadError(err: unknown): string {
  const identifier = (v: unknown) => (typeof v === "string" && /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/.test(v) ? v : undefined);
  if (!(err instanceof Error)) {
    return `a thrown ${err === null ? "null" : typeof err}`;
  }
  const code = identifier((err as { code?: unknown }).code);
  const name = identifier(err.name) ?? "Error";
  return code === undefined ? name : `${name} ${code}`;
}
