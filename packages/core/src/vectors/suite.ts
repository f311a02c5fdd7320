import type { TypedValue } from "./typed-value.js";

/** The `schema` of szcrypt's own vector files. */
export const SZCRYPT_VECTORS_SCHEMA = "szcrypt-vectors-v1";

/** Algorithms of szcrypt vector files this version can run. */
export const szcryptVectorAlgorithms = ["legacy-cbc", "legacy-cbc-bytes", "legacy-cbc-json", "python-json-dumps"] as const;
export type SzcryptVectorAlgorithm = (typeof szcryptVectorAlgorithms)[number];

/** Wycheproof files this version can run, by their `schema` and `algorithm`. */
export const wycheproofAlgorithms = { "ind_cpa_test_schema_v1.json": "AES-CBC-PKCS5" } as const;

export interface VectorTest {
  readonly tcId: number;
  readonly case?: string;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: "valid" | "invalid" | "acceptable";
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
}

export interface VectorGroup {
  readonly name?: string;
  readonly keySpec?: string;
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
    return {
      source,
      kind: "wycheproof",
      algorithm,
      suite: `wycheproof/${algorithm.toLowerCase()}`,
      generator: "C2SP/wycheproof",
      testGroups,
    };
  }
  throw new Error(
    `${source}: unknown schema ${JSON.stringify(schema)}; this runner knows ${SZCRYPT_VECTORS_SCHEMA} and Wycheproof's ${Object.keys(wycheproofAlgorithms).join(", ")}`,
  );
}
