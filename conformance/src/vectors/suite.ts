import type { TypedValue } from "./typed-value.js";

/** The `schema` of szcrypt's own vector files. */
export const SZCRYPT_VECTORS_SCHEMA = "szcrypt-vectors-v1";

/** Algorithms of szcrypt vector files this version can run. */
export const szcryptVectorAlgorithms = [
  "legacy-cbc",
  "legacy-cbc-bytes",
  "legacy-cbc-json",
  "python-json-dumps",
  "szc1",
  "szc1-bytes",
  "szc1-context",
] as const;
export type SzcryptVectorAlgorithm = (typeof szcryptVectorAlgorithms)[number];

/** Wycheproof files this version can run, by their `schema` and `algorithm`. */
export const wycheproofAlgorithms = { "ind_cpa_test_schema_v1.json": "AES-CBC-PKCS5", "aead_test_schema_v1.json": "AES-GCM" } as const;

export interface VectorTest {
  readonly tcId: number;
  readonly case?: string;
  readonly comment: string;
  readonly flags: readonly string[];
  /** `context-required`: szc1-context only, the refusal told apart from a decryption failure. */
  readonly result: "valid" | "invalid" | "acceptable" | "context-required";
  readonly plaintext?: string;
  readonly token?: string;
  readonly plaintextHex?: string;
  readonly tokenHex?: string;
  readonly value?: TypedValue;
  // Wycheproof fields
  readonly key?: string;
  readonly iv?: string;
  readonly msg?: string;
  readonly ct?: string;
  readonly aad?: string;
  readonly tag?: string;
  readonly fieldName?: string;
  /** szc1-context: the receiver's (for BadContext, the sender's) context as hex parts; null for none. */
  readonly context?: readonly string[] | null;
  /** szc1-context: the receiver's migration option; false when absent. */
  readonly acceptUnbound?: boolean;
}

export interface VectorGroup {
  readonly name?: string;
  readonly keySpec?: string;
  readonly keyId?: string;
  readonly ivSize?: number;
  readonly tagSize?: number;
  readonly tests: readonly VectorTest[];
}

export interface VectorSuite {
  /** Where it was read from, for messages. */
  readonly source: string;
  readonly kind: "szcrypt" | "wycheproof";
  readonly algorithm: string;
  /** Short name that prefixes each case name, e.g. `legacy-cbc`. */
  readonly suite: string;
  readonly generator: string | undefined;
  readonly testGroups: readonly VectorGroup[];
  /** Cases in the file this runner does not apply, with why; runners print it. */
  readonly notApplicable?: { readonly count: number; readonly reason: string };
}

/**
 * Checks a parsed vector file's header and shape.
 *
 * @throws Error naming the file and the unknown `schema` or `algorithm`:
 *   a runner never guesses at a file it does not understand.
 */
export function parseVectorSuite(doc: unknown, source: string): VectorSuite {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new Error(`${source}: not a vector file (expected a JSON object)`);
  }
  const d = doc as Record<string, unknown>;
  const schema = d["schema"];
  const algorithm = d["algorithm"];
  if (!Array.isArray(d["testGroups"])) {
    throw new Error(`${source}: not a vector file (no testGroups array)`);
  }
  const testGroups = d["testGroups"] as VectorGroup[];
  for (const group of testGroups) {
    if (!Array.isArray(group?.tests)) {
      throw new Error(`${source}: a test group has no tests array`);
    }
  }
  if (schema === SZCRYPT_VECTORS_SCHEMA) {
    if (!szcryptVectorAlgorithms.includes(algorithm as SzcryptVectorAlgorithm)) {
      throw new Error(
        `${source}: unknown algorithm ${JSON.stringify(algorithm)} for schema ${SZCRYPT_VECTORS_SCHEMA}; this runner knows ${szcryptVectorAlgorithms.join(", ")}`,
      );
    }
    return {
      source,
      kind: "szcrypt",
      algorithm: algorithm as string,
      suite: typeof d["suite"] === "string" ? d["suite"] : (algorithm as string),
      generator: typeof d["generator"] === "string" ? d["generator"] : undefined,
      testGroups,
    };
  }
  const wycheproof = wycheproofAlgorithms[schema as keyof typeof wycheproofAlgorithms];
  if (wycheproof !== undefined) {
    if (algorithm !== wycheproof) {
      throw new Error(`${source}: unknown algorithm ${JSON.stringify(algorithm)} for Wycheproof schema ${String(schema)}`);
    }
    if (wycheproof === "AES-GCM") {
      // szc1 uses 96-bit nonces and 128-bit tags only; other groups test GCM options szcrypt never uses.
      const applies = (g: VectorGroup) => g.ivSize === 96 && g.tagSize === 128;
      const skipped = testGroups.filter((g) => !applies(g)).reduce((n, g) => n + g.tests.length, 0);
      return {
        source,
        kind: "wycheproof",
        algorithm: wycheproof,
        suite: "wycheproof/aes-gcm",
        generator: "C2SP/wycheproof",
        testGroups: testGroups.filter(applies),
        notApplicable: { count: skipped, reason: "IV sizes other than 96 bits: szc1 uses 96-bit nonces only" },
      };
    }
    return {
      source,
      kind: "wycheproof",
      algorithm: wycheproof,
      suite: `wycheproof/${wycheproof.toLowerCase()}`,
      generator: "C2SP/wycheproof",
      testGroups,
    };
  }
  throw new Error(
    `${source}: unknown schema ${JSON.stringify(schema)}; this runner knows ${SZCRYPT_VECTORS_SCHEMA} and Wycheproof's ${Object.keys(wycheproofAlgorithms).join(", ")}`,
  );
}
