import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { ConformanceCase } from "./case.js";
import { listVectorCases } from "./vectors/cases.js";
import { parseVectorSuite } from "./vectors/suite.js";

/** The cases of one vector file (szcrypt's or Wycheproof's). @throws Error for an unknown schema or algorithm. */
export function casesFromFile(path: string): {
  cases: ConformanceCase[];
  generator: string | undefined;
  notApplicable: { readonly count: number; readonly reason: string } | undefined;
} {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new Error(`${path}: not a readable JSON file (${(err as Error).message})`);
  }
  const suite = parseVectorSuite(doc, basename(path));
  return {
    cases: listVectorCases(suite),
    generator: suite.generator,
    notApplicable: suite.notApplicable,
  };
}

/** Every committed suite: the .json files of conformance/vectors, in name order. */
export function committedSuites(vectorsDir: string): string[] {
  return readdirSync(vectorsDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(vectorsDir, f));
}

/** Wycheproof's files this runner knows, where the folder has them. */
export function wycheproofFiles(dir: string): string[] {
  return ["aes_cbc_pkcs5_test.json", "aes_gcm_test.json"].map((f) => join(dir, f)).filter((f) => existsSync(f));
}
