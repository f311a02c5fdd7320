import { SzcryptError } from "../errors/szcrypt-error.js";
import type { SzcryptKey } from "../keys/key.js";

// NIST SP 800-38D §8.3: with random 96-bit nonces, one key may seal at most
// 2^32 messages, which keeps the chance of a repeated nonce (which breaks
// GCM's confidentiality and integrity for that key) below 2^-32. szcrypt counts
// szc1 encryptions per key (by fingerprint, so re-parsed copies of one key
// share a count) in this process, warns at half the budget and refuses at it.
// Other processes using the same key spend from the same budget unseen: the
// documented limit (SECURITY.md) is per key across all of them.

/** Encryptions under one key with random 96-bit nonces: 2^32. */
export const GCM_RANDOM_NONCE_LIMIT = 2 ** 32;

/** Counts random-nonce encryptions per key, warning once and then refusing. */
export class NonceBudget {
  readonly #spent = new Map<string, number>();
  readonly #warnAt: number;
  readonly #limit: number;

  constructor(limit = GCM_RANDOM_NONCE_LIMIT, warnAt = limit / 2) {
    this.#limit = limit;
    this.#warnAt = warnAt;
  }

  /**
   * Spends one nonce of `key`'s budget.
   *
   * @throws SzcryptError KEY_UNAVAILABLE once the budget is used up.
   */
  spend(key: SzcryptKey): void {
    const fingerprint = key.fingerprint;
    const spent = this.#spent.get(fingerprint) ?? 0;
    if (spent >= this.#limit) {
      throw new SzcryptError(
        "KEY_UNAVAILABLE",
        `key ${fingerprint} has sealed ${this.#limit} szc1 values with random nonces in this process, the most one key may: promote a new primary key`,
      );
    }
    this.#spent.set(fingerprint, spent + 1);
    if (spent + 1 === this.#warnAt) {
      process.emitWarning(
        `szcrypt: key ${fingerprint} has sealed ${this.#warnAt} szc1 values with random nonces in this process, half of its budget; rotate it`,
        { code: "SZCRYPT_NONCE_BUDGET" },
      );
    }
  }

  /** How many nonces `key` has spent in this process. */
  spent(key: SzcryptKey): number {
    return this.#spent.get(key.fingerprint) ?? 0;
  }
}

/** The process-wide budget szc1 encryption spends from. */
export const szc1NonceBudget = new NonceBudget();
