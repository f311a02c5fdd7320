// biome-ignore-all assist/source/organizeImports: grouped by task for readers, not sorted by path
// @szcrypt/core: field-level encryption of protobuf messages.
//
// This index is the end-user API, grouped by task, most used first. Transport
// authors (what @szcrypt/grpc-js and @szcrypt/connect are built on) use
// `@szcrypt/core/adapter`; reproducing test vectors with a chosen IV or nonce
// is `@szcrypt/core/fixed-iv`, never for production. Nothing here is private.

// Field crypto: encrypt and decrypt the sensitive fields of whole messages.
export type { FieldCrypto, FieldCryptoOptions } from "./fields/field-crypto.js";
export { createFieldCrypto, decryptFields, encryptFields } from "./fields/field-crypto.js";
export type { FormatName } from "./fields/format-policy.js";
export type { KeySource } from "./fields/key-source.js";

// Per call: keys chosen per call (tenant) and szc1 values bound to their record.
export type { CallInfo, ContextFunction, ContextParts, KeyForCall, MessageBinding } from "./fields/call-binding.js";
export type { ContextFromOptions } from "./transport/context-from.js";
export { contextFrom } from "./transport/context-from.js";

// Keys: parse a key spec, hold keys opaquely, group them for rotation, find them.
export { DEFAULT_KEY_ENV, keyringFromEnv } from "./keys/default-key.js";
export type { AesKeySize } from "./keys/key.js";
export { isSzcryptKey, SzcryptKey } from "./keys/key.js";
export type { AsyncKeyProviderOptions, FileKeyProviderOptions, KeyProvider, KeyProviderEvents } from "./keys/key-provider.js";
export { asyncKeyProvider, envKeyProvider, fileKeyProvider, isKeyProvider } from "./keys/key-provider.js";
export { parseKeySpec } from "./keys/key-spec.js";
export type { KeyringInit, KeyringJson } from "./keys/keyring.js";
export { DEFAULT_KEY_ID, isKeyring, Keyring } from "./keys/keyring.js";
export type { KeyringLookup, KeyringLookupResult, KeyringResolver, KeyringResolverOptions } from "./keys/keyring-resolver.js";
export { createKeyringResolver } from "./keys/keyring-resolver.js";

// Errors: one class, a documented code.
export type { SzcryptErrorCode } from "./errors/code.js";
export { szcryptErrorCodes } from "./errors/code.js";
export type { SzcryptErrorOptions } from "./errors/szcrypt-error.js";
export { isSzcryptError, SzcryptError } from "./errors/szcrypt-error.js";

// legacy-cbc: the platform page's snippet, byte for byte. Unauthenticated.
export { decryptLegacy, decryptLegacyBytes, encryptLegacy, encryptLegacyBytes } from "./formats/legacy-cbc.js";
export { decryptJsonLegacy, encryptJsonLegacy } from "./formats/legacy-json.js";

// szc1: authenticated (AES-GCM), bound to the key id, the field's name and, optionally, a context.
export type { Szc1Context, Szc1ContextPart, Szc1Options } from "./formats/szc1.js";
export { decryptSzc1, decryptSzc1Bytes, encryptSzc1, encryptSzc1Bytes, isContextUnboundRefusal, SZC1_TEXT_PREFIX } from "./formats/szc1.js";
export { SZC1_CONTEXT_MAX_PART_BYTES, SZC1_CONTEXT_MAX_PARTS } from "./formats/szc1-context.js";

// Tokens: what a value is, without decrypting it.
export type { TokenInfo } from "./formats/token-info.js";
export { describeToken } from "./formats/token-info.js";

// Schemas: which fields are sensitive, and copies of messages safe to log.
export type { FieldPlan, SensitiveFieldInfo } from "./plans/field-plan.js";
export { compileFieldPlan, isSensitiveField, validateSensitive } from "./plans/field-plan.js";
export { REDACTED, redact, redactJson } from "./plans/redact.js";
export type { TypeScopeOptions } from "./plans/type-scope.js";
export { MAX_NESTING, MAX_PACKED_NESTING } from "./plans/walk-rules.js";

// Python-compatible JSON: the text Python's json.dumps writes, for dicts.
export { PyFloat, pythonFloatRepr } from "./json/py-float.js";
export type { ParsePythonJsonOptions, PyJsonValue } from "./json/python-json.js";
export { parsePythonJson, pythonJsonDumps } from "./json/python-json.js";

// The legacy-cbc padding-oracle guard (see SECURITY.md).
export type { OracleGuard, OracleGuardOptions } from "./defence/oracle-guard.js";
export {
  createOracleGuard,
  isOracleGuard,
  isOracleGuardRefusal,
  ORACLE_GUARD_DEFAULTS,
  ORACLE_GUARD_MEMORY_BYTES,
} from "./defence/oracle-guard.js";

// Telemetry: what the transports record (configured through their `telemetry` option).
export type { FailureReason } from "./observe/failure-reason.js";
export { failureReasons } from "./observe/failure-reason.js";
export type { TelemetryOptions } from "./observe/telemetry.js";
export { TELEMETRY_SCOPE } from "./observe/telemetry.js";
