/**
 * Vector suites: szcrypt's own (`szcrypt-vectors-v1`, made by the Python
 * reference in conformance/) and Wycheproof's, run against this package.
 * Used by core's tests and by the `szcrypt-conformance` runner.
 *
 * @packageDocumentation
 */
export type { VectorCase } from "./cases.js";
export { listVectorCases, VectorMismatch } from "./cases.js";
export type { SzcryptVectorAlgorithm, VectorGroup, VectorSuite, VectorTest } from "./suite.js";
export { parseVectorSuite, SZCRYPT_VECTORS_SCHEMA, szcryptVectorAlgorithms, wycheproofAlgorithms } from "./suite.js";
export type { TypedValue } from "./typed-value.js";
export { fromTypedValue, matchesTypedValue } from "./typed-value.js";
