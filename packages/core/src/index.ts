// @szcrypt/core: field-level encryption of protobuf messages. End-user API
// first, grouped by task; what transports need is at the end, marked private.

// The legacy-cbc padding-oracle guard.
export type { OracleGuard, OracleGuardOptions } from "./defence/oracle-guard.js";
export {
  createOracleGuard,
  isOracleGuard,
  isOracleGuardRefusal,
  ORACLE_GUARD_DEFAULTS,
  ORACLE_GUARD_MEMORY_BYTES,
} from "./defence/oracle-guard.js";
// Errors: one class, a documented code.
export type { SzcryptErrorCode } from "./errors/code.js";
export { szcryptErrorCodes } from "./errors/code.js";
export type { SzcryptErrorOptions } from "./errors/szcrypt-error.js";
export { isSzcryptError, SzcryptError } from "./errors/szcrypt-error.js";
// Field crypto: encrypt and decrypt the sensitive fields of whole messages.
export type { FieldCrypto, FieldCryptoOptions } from "./fields/field-crypto.js";
export { createFieldCrypto, decryptFields, encryptFields } from "./fields/field-crypto.js";
// ---------------------------------------------------------------------------
// All exports below are private: for szcrypt's own transport packages, not for
// applications, and they may change in any release.
// used by @szcrypt/grpc-js and @szcrypt/connect until ./adapter
export type { FieldPolicy, FieldPolicyOptions, MethodPolicy } from "./fields/field-policy.js";
export { assertMethodPath, createFieldPolicy } from "./fields/field-policy.js";
export type { FormatName } from "./fields/format-policy.js";
export type { KeySource } from "./fields/key-source.js";
// legacy-cbc: the platform page's snippet, byte for byte. Unauthenticated.
export { decryptLegacy, decryptLegacyBytes, encryptLegacy, encryptLegacyBytes } from "./formats/legacy-cbc.js";
export { decryptJsonLegacy, encryptJsonLegacy } from "./formats/legacy-json.js";
// szc1: authenticated (AES-GCM), bound to the key id and the field's name.
export type { Szc1Options } from "./formats/szc1.js";
export { decryptSzc1, decryptSzc1Bytes, encryptSzc1, encryptSzc1Bytes, SZC1_TEXT_PREFIX } from "./formats/szc1.js";
export type { TokenInfo } from "./formats/token-info.js";
export { describeToken } from "./formats/token-info.js";
// Python-compatible JSON: the text Python's json.dumps writes.
export { PyFloat, pythonFloatRepr } from "./json/py-float.js";
export type { ParsePythonJsonOptions, PyJsonValue } from "./json/python-json.js";
export { parsePythonJson, pythonJsonDumps } from "./json/python-json.js";
// Key sources: the default key (SZCRYPT_KEY), files, secrets managers.
export { DEFAULT_KEY_ENV, keyringFromEnv } from "./keys/default-key.js";
// Keys: parse a key spec, hold keys opaquely, group them for rotation.
export type { AesKeySize } from "./keys/key.js";
export { isSzcryptKey, SzcryptKey } from "./keys/key.js";
export type { AsyncKeyProviderOptions, FileKeyProviderOptions, KeyProvider, KeyProviderEvents } from "./keys/key-provider.js";
export { asyncKeyProvider, envKeyProvider, fileKeyProvider, isKeyProvider } from "./keys/key-provider.js";
export { parseKeySpec } from "./keys/key-spec.js";
export type { KeyringInit, KeyringJson } from "./keys/keyring.js";
export { DEFAULT_KEY_ID, isKeyring, Keyring } from "./keys/keyring.js";
// Telemetry: what the transports record, and where it goes.
export type { FailureReason } from "./observe/failure-reason.js";
export { failureReasons } from "./observe/failure-reason.js";
export type { HeaderLookup, Telemetry, TelemetryOptions, TelemetrySide } from "./observe/telemetry.js";
export { createTelemetry, TELEMETRY_SCOPE } from "./observe/telemetry.js";
// Schemas: which fields are sensitive, and copies safe to log.
export type { FieldPlan, SensitiveFieldInfo } from "./plans/field-plan.js";
export { compileFieldPlan, isSensitiveField, validateSensitive } from "./plans/field-plan.js";
export { REDACTED, redact, redactJson } from "./plans/redact.js";
export { compileServicePlans } from "./plans/service-plans.js";
export type { TypeScopeOptions } from "./plans/type-scope.js";
export { MAX_NESTING, MAX_PACKED_NESTING } from "./plans/walk-rules.js";
export type { TransportFailure } from "./transport/failure.js";
export { decryptFailure, encryptFailure } from "./transport/failure.js";
