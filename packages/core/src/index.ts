export type { OracleGuard, OracleGuardOptions } from "./defence/oracle-guard.js";
export {
  createOracleGuard,
  isOracleGuard,
  isOracleGuardRefusal,
  ORACLE_GUARD_DEFAULTS,
  ORACLE_GUARD_MEMORY_BYTES,
} from "./defence/oracle-guard.js";
export type { SzcryptErrorCode } from "./errors/code.js";
export { szcryptErrorCodes } from "./errors/code.js";
export type { SzcryptErrorOptions } from "./errors/szcrypt-error.js";
export { DECRYPT_FAILED_MESSAGE, isSzcryptError, SzcryptError } from "./errors/szcrypt-error.js";
export type { FieldCrypto, FieldCryptoOptions, FormatName, KeySource } from "./fields/field-crypto.js";
export { checkFormatPolicy, createFieldCrypto, decryptFields, encryptFields, formatNames } from "./fields/field-crypto.js";
export type { FieldPolicy, FieldPolicyOptions, MethodPolicy } from "./fields/field-policy.js";
export { assertMethodPath, createFieldPolicy, DEFAULT_KEY_ENV } from "./fields/field-policy.js";
export {
  decryptLegacy,
  decryptLegacyBytes,
  encryptLegacy,
  encryptLegacyBytes,
  LEGACY_CBC,
} from "./formats/legacy-cbc.js";
export { decryptJsonLegacy, encryptJsonLegacy } from "./formats/legacy-json.js";
export type { Szc1Options, Szc1Parts } from "./formats/szc1.js";
export {
  decryptSzc1,
  decryptSzc1Bytes,
  encryptSzc1,
  encryptSzc1Bytes,
  isSzc1Bytes,
  parseSzc1Body,
  SZC1,
  SZC1_MAGIC,
  SZC1_TEXT_PREFIX,
} from "./formats/szc1.js";
export type { TokenInfo } from "./formats/token-info.js";
export { describeToken } from "./formats/token-info.js";
export { file_sz_crypt_v1_options, sensitive } from "./gen/sz/crypt/v1/options_pb.js";
export { PyFloat, pyFloat, pythonFloatRepr } from "./json/py-float.js";
export type { ParsePythonJsonOptions, PyJsonValue } from "./json/python-json.js";
export { parsePythonJson, pythonJsonDumps } from "./json/python-json.js";
export type { AesKeySize } from "./keys/key.js";
export { isSzcryptKey, SzcryptKey } from "./keys/key.js";
export type { AsyncKeyProviderOptions, FileKeyProviderOptions, KeyProvider, KeyProviderEvents } from "./keys/key-provider.js";
export { asyncKeyProvider, envKeyProvider, fileKeyProvider, isKeyProvider } from "./keys/key-provider.js";
export { parseKeySpec } from "./keys/key-spec.js";
export type { KeyringInit, KeyringJson } from "./keys/keyring.js";
export { DEFAULT_KEY_ID, isKeyring, Keyring } from "./keys/keyring.js";
export type { FailureReason } from "./observe/failure-reason.js";
export { failureReasons } from "./observe/failure-reason.js";
export type { HeaderLookup, Telemetry, TelemetryOptions, TelemetrySide } from "./observe/telemetry.js";
export { createTelemetry, TELEMETRY_SCOPE } from "./observe/telemetry.js";
export type {
  AnyOp,
  ChildOp,
  FieldLike,
  FieldOp,
  FieldPlan,
  FieldShape,
  LeafOp,
  PlanNode,
  SensitiveFieldInfo,
} from "./plans/field-plan.js";
export { compileFieldPlan, isSensitiveField, validateSensitive } from "./plans/field-plan.js";
export { REDACTED, redact, redactJson } from "./plans/redact.js";
export { compileMethodPlans, compileServicePlans } from "./plans/service-plans.js";
export type { LeafTransform } from "./plans/transform.js";
export { MAX_NESTING, MAX_PACKED_NESTING, transformMessage } from "./plans/transform.js";
export type { TypeScopeOptions } from "./plans/type-scope.js";
export type { TransportFailure } from "./transport/failure.js";
export { decryptFailure, encryptFailure } from "./transport/failure.js";
