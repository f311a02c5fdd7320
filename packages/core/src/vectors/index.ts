/**
 * Vector suites: szcrypt's own (`szcrypt-vectors-v1`, made by the Python
 * reference in conformance/) and Wycheproof's, run against this package.
 * Used by core's tests and by the `szcrypt-conformance` runner.
 *
 * Also the only way to encrypt with a chosen IV or nonce, which reproducing a
 * vector needs and production code must never do: an IV reused under one key
 * shows which values share a prefix, and a GCM nonce reused breaks szc1.
 *
 * @packageDocumentation
 */

export { encryptLegacyBytesWithIv, encryptLegacyWithIv } from "../formats/legacy-cbc.js";
export { encryptJsonLegacyWithIv } from "../formats/legacy-json.js";
export { encryptSzc1BytesWithNonce, encryptSzc1WithNonce } from "../formats/szc1.js";
export type { VectorCase } from "./cases.js";
export { listVectorCases, VectorMismatch } from "./cases.js";
export type { SzcryptVectorAlgorithm, VectorGroup, VectorSuite, VectorTest } from "./suite.js";
export { parseVectorSuite, SZCRYPT_VECTORS_SCHEMA, szcryptVectorAlgorithms, wycheproofAlgorithms } from "./suite.js";
export type { TypedValue } from "./typed-value.js";
export { fromTypedValue, matchesTypedValue } from "./typed-value.js";
