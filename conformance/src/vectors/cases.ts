import {
  decryptJsonLegacy,
  decryptLegacy,
  decryptLegacyBytes,
  decryptSzc1,
  decryptSzc1Bytes,
  encryptSzc1,
  encryptSzc1Bytes,
  isSzcryptError,
  parseKeySpec,
  parsePythonJson,
  pythonJsonDumps,
  SzcryptKey,
} from "@szcrypt/core";
import {
  encryptJsonLegacyWithIv,
  encryptLegacyBytesWithIv,
  encryptLegacyWithIv,
  encryptSzc1BytesWithNonce,
  encryptSzc1WithNonce,
  gcmOpen,
  gcmSeal,
  parseSzc1Body,
} from "@szcrypt/core/fixed-iv";
import type { ConformanceCase } from "../case.js";
import type { VectorGroup, VectorSuite, VectorTest } from "./suite.js";
import { fromTypedValue, matchesTypedValue } from "./typed-value.js";

/**
 * A case's outcome differed from its expectation. The message says what
 * differed by position and length, never by content: vectors hold keys and
 * plaintexts, and output goes to CI logs.
 */
export class VectorMismatch extends Error {
  override readonly name = "VectorMismatch";
}

/** Every case of a suite, labelled, in file order. */
export function listVectorCases(suite: VectorSuite): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  for (const group of suite.testGroups) {
    for (const test of group.tests) {
      const label = test.case ?? slug(test.flags[0] ?? test.comment) ?? "case";
      out.push({
        name: `${suite.suite}/${label}/${test.tcId}`,
        comment: test.comment,
        flags: test.flags,
        expected: test.result === "valid" || test.result === "context-required" ? test.result : "invalid",
        run: () => runGuarded(suite, group, test),
      });
    }
  }
  return out;
}

function slug(text: string): string | undefined {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return s === "" ? undefined : s;
}

function runGuarded(suite: VectorSuite, group: VectorGroup, test: VectorTest): void {
  try {
    runCase(suite, group, test);
  } catch (err) {
    if (err instanceof VectorMismatch) {
      throw err;
    }
    // szcrypt's messages carry no key or plaintext, so they can be shown.
    const what = isSzcryptError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new VectorMismatch(`the ${test.result} case threw ${what}`);
  }
}

function runCase(suite: VectorSuite, group: VectorGroup, test: VectorTest): void {
  if (suite.kind === "wycheproof") {
    if (suite.algorithm === "AES-GCM") {
      runWycheproofGcm(test);
    } else {
      runWycheproofCbc(test);
    }
    return;
  }
  switch (suite.algorithm) {
    case "legacy-cbc":
      runLegacyString(groupKey(group), test);
      return;
    case "legacy-cbc-bytes":
      runLegacyBytes(groupKey(group), test);
      return;
    case "legacy-cbc-json":
      runLegacyJson(groupKey(group), test);
      return;
    case "python-json-dumps":
      runPythonJson(test);
      return;
    case "szc1":
      runSzc1String(groupKey(group), test);
      return;
    case "szc1-bytes":
      runSzc1Bytes(groupKey(group), test);
      return;
    case "szc1-context":
      runSzc1Context(groupKey(group), test);
      return;
    default:
      throw new Error(`no runner for algorithm ${suite.algorithm}`);
  }
}

function groupKey(group: VectorGroup): SzcryptKey {
  return parseKeySpec(need(group.keySpec, "keySpec"), group.keyId === undefined ? {} : { id: group.keyId });
}

function need<T>(value: T | undefined, field: string): T {
  if (value === undefined) {
    throw new VectorMismatch(`the vector has no '${field}' field`);
  }
  return value;
}

function sameText(what: string, got: string, expected: string): void {
  if (got === expected) {
    return;
  }
  let i = 0;
  while (i < got.length && i < expected.length && got[i] === expected[i]) {
    i++;
  }
  throw new VectorMismatch(`${what} differs from the vector at offset ${i} (got ${got.length} chars, expected ${expected.length})`);
}

function sameBytes(what: string, got: Uint8Array, expectedHex: string): void {
  sameText(what, Buffer.from(got).toString("hex"), expectedHex.toLowerCase());
}

function expectRejected(what: string, fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (isSzcryptError(err, "DECRYPT_FAILED") || isSzcryptError(err, "MALFORMED")) {
      return;
    }
    throw new VectorMismatch(`${what} failed, but not with szcrypt's own error (${err instanceof Error ? err.name : typeof err})`);
  }
  throw new VectorMismatch(`${what} accepted a token the vector says is invalid`);
}

function ivOf(raw: Uint8Array): Uint8Array {
  return raw.subarray(0, 16);
}

function runLegacyString(key: SzcryptKey, test: VectorTest): void {
  const token = need(test.token, "token");
  if (test.result !== "valid") {
    expectRejected("decryption", () => decryptLegacy(token, key));
    return;
  }
  const plaintext = need(test.plaintext, "plaintext");
  sameText("decryption", decryptLegacy(token, key), plaintext);
  sameText("encryption with the token's IV", encryptLegacyWithIv(plaintext, key, ivOf(Buffer.from(token, "base64"))), token);
}

function runLegacyBytes(key: SzcryptKey, test: VectorTest): void {
  const raw = Buffer.from(need(test.tokenHex, "tokenHex"), "hex");
  if (test.result !== "valid") {
    expectRejected("decryption", () => decryptLegacyBytes(raw, key));
    return;
  }
  const plaintext = Buffer.from(need(test.plaintextHex, "plaintextHex"), "hex");
  sameBytes("decryption", decryptLegacyBytes(raw, key), plaintext.toString("hex"));
  sameBytes("encryption with the token's IV", encryptLegacyBytesWithIv(plaintext, key, ivOf(raw)), raw.toString("hex"));
}

function runLegacyJson(key: SzcryptKey, test: VectorTest): void {
  const token = need(test.token, "token");
  if (test.result !== "valid") {
    expectRejected("JSON decryption", () => decryptJsonLegacy(token, key));
    return;
  }
  const typed = need(test.value, "value");
  const value = fromTypedValue(typed);
  sameText("pythonJsonDumps", pythonJsonDumps(value), need(test.plaintext, "plaintext"));
  sameText("JSON encryption with the token's IV", encryptJsonLegacyWithIv(value, key, ivOf(Buffer.from(token, "base64"))), token);
  if (!matchesTypedValue(decryptJsonLegacy(token, key, { objects: "map" }), typed)) {
    throw new VectorMismatch("JSON decryption gave a value other than the vector's");
  }
}

function runPythonJson(test: VectorTest): void {
  const typed = need(test.value, "value");
  const text = need(test.plaintext, "plaintext");
  sameText("pythonJsonDumps", pythonJsonDumps(fromTypedValue(typed)), text);
  if (!matchesTypedValue(parsePythonJson(text, { objects: "map" }), typed)) {
    throw new VectorMismatch("parsePythonJson gave a value other than the vector's");
  }
}

function runWycheproofCbc(test: VectorTest): void {
  const key = SzcryptKey.fromBytes(Buffer.from(need(test.key, "key"), "hex"));
  const iv = Buffer.from(need(test.iv, "iv"), "hex");
  const raw = Buffer.concat([iv, Buffer.from(need(test.ct, "ct"), "hex")]);
  if (test.result !== "valid") {
    expectRejected("decryption", () => decryptLegacyBytes(raw, key));
    return;
  }
  const msg = need(test.msg, "msg");
  sameBytes("decryption", decryptLegacyBytes(raw, key), msg);
  sameBytes("encryption", encryptLegacyBytesWithIv(Buffer.from(msg, "hex"), key, iv), raw.toString("hex"));
}

function szc1Nonce(binary: Buffer): Uint8Array {
  const parts = parseSzc1Body(binary.subarray(4));
  if (parts === undefined) {
    throw new VectorMismatch("the valid token is too short to be szc1");
  }
  return parts.nonce;
}

function runSzc1String(key: SzcryptKey, test: VectorTest): void {
  const token = need(test.token, "token");
  const fieldName = need(test.fieldName, "fieldName");
  if (test.result !== "valid") {
    expectRejected("szc1 decryption", () => decryptSzc1(token, key, { fieldName }));
    return;
  }
  const plaintext = need(test.plaintext, "plaintext");
  sameText("szc1 decryption", decryptSzc1(token, key, { fieldName }), plaintext);
  const binary = Buffer.concat([Buffer.from("szc1"), Buffer.from(token.slice(5), "base64url")]);
  sameText("szc1 encryption with the token's nonce", encryptSzc1WithNonce(plaintext, key, { fieldName }, szc1Nonce(binary)), token);
}

function runSzc1Bytes(key: SzcryptKey, test: VectorTest): void {
  const raw = Buffer.from(need(test.tokenHex, "tokenHex"), "hex");
  const fieldName = need(test.fieldName, "fieldName");
  if (test.result !== "valid") {
    expectRejected("szc1 decryption", () => decryptSzc1Bytes(raw, key, { fieldName }));
    return;
  }
  const plaintext = Buffer.from(need(test.plaintextHex, "plaintextHex"), "hex");
  sameBytes("szc1 decryption", decryptSzc1Bytes(raw, key, { fieldName }), plaintext.toString("hex"));
  sameBytes(
    "szc1 encryption with the token's nonce",
    encryptSzc1BytesWithNonce(plaintext, key, { fieldName }, szc1Nonce(raw)),
    raw.toString("hex"),
  );
}

/** The vector's context as core takes it: its hex parts as bytes, or undefined for `null`. */
function vectorContext(test: VectorTest): Buffer[] | undefined {
  const parts = need(test.context, "context");
  return parts === null ? undefined : parts.map((hex) => Buffer.from(hex, "hex"));
}

/**
 * szc1 bound to a context (conformance/SPEC.md, "Context binding"). `valid`:
 * decrypts to the plaintext, and sealing it again with the token's nonce (under
 * the context when the token is bound, without it when an unbound one was
 * accepted) gives the token. `invalid`: the uniform refusal; for BadContext,
 * which has no token, encryption refuses the context. `context-required`: the
 * configuration error, told apart from a decryption failure.
 */
function runSzc1Context(key: SzcryptKey, test: VectorTest): void {
  const fieldName = need(test.fieldName, "fieldName");
  const context = vectorContext(test);
  const options = { fieldName, context, acceptUnbound: test.acceptUnbound === true };
  const text = test.token !== undefined || test.plaintext !== undefined;
  if (test.flags.includes("BadContext")) {
    const seal = text
      ? () => encryptSzc1(need(test.plaintext, "plaintext"), key, options)
      : () => encryptSzc1Bytes(Buffer.from(need(test.plaintextHex, "plaintextHex"), "hex"), key, options);
    expectCode("encryption under a context outside its limits", "CONFIG_INVALID", seal);
    return;
  }
  const raw = text
    ? Buffer.concat([Buffer.from("szc1"), Buffer.from(need(test.token, "token").slice(5), "base64url")])
    : Buffer.from(need(test.tokenHex, "tokenHex"), "hex");
  const open = text
    ? () => decryptSzc1(need(test.token, "token"), key, options)
    : () => Buffer.from(decryptSzc1Bytes(raw, key, options)).toString("hex");
  if (test.result === "context-required") {
    expectCode("szc1 decryption without a context", "CONTEXT_REQUIRED", open);
    return;
  }
  if (test.result !== "valid") {
    expectRejected("szc1 decryption", open);
    return;
  }
  // The flag read here from the header byte (SPEC.md), not from core's parser.
  const bound = ((raw[4] ?? 0) & 0x80) !== 0;
  const sealOptions = bound ? options : { fieldName };
  if (text) {
    const plaintext = need(test.plaintext, "plaintext");
    sameText("szc1 decryption", open(), plaintext);
    sameText(
      "szc1 encryption with the token's nonce",
      encryptSzc1WithNonce(plaintext, key, sealOptions, szc1Nonce(raw)),
      need(test.token, "token"),
    );
  } else {
    const plaintextHex = need(test.plaintextHex, "plaintextHex");
    sameText("szc1 decryption", open(), plaintextHex.toLowerCase());
    sameBytes(
      "szc1 encryption with the token's nonce",
      encryptSzc1BytesWithNonce(Buffer.from(plaintextHex, "hex"), key, sealOptions, szc1Nonce(raw)),
      raw.toString("hex"),
    );
  }
}

/** `fn` fails with szcrypt's error of this code, and nothing else. */
function expectCode(what: string, code: "CONFIG_INVALID" | "CONTEXT_REQUIRED", fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (isSzcryptError(err, code)) {
      return;
    }
    const got = isSzcryptError(err) ? err.code : err instanceof Error ? err.name : typeof err;
    throw new VectorMismatch(`${what} failed with ${got}, expected ${code}`);
  }
  throw new VectorMismatch(`${what} succeeded; the vector expects ${code}`);
}

function runWycheproofGcm(test: VectorTest): void {
  const key = Buffer.from(need(test.key, "key"), "hex");
  const nonce = Buffer.from(need(test.iv, "iv"), "hex");
  const aad = Buffer.from(need(test.aad, "aad"), "hex");
  const sealed = Buffer.concat([Buffer.from(need(test.ct, "ct"), "hex"), Buffer.from(need(test.tag, "tag"), "hex")]);
  const opened = gcmOpen(key, nonce, aad, sealed);
  if (test.result !== "valid") {
    if (opened !== undefined) {
      throw new VectorMismatch("AES-GCM accepted a ciphertext the vector says is invalid");
    }
    return;
  }
  if (opened === undefined) {
    throw new VectorMismatch("AES-GCM rejected a valid ciphertext");
  }
  sameBytes("AES-GCM decryption", opened, need(test.msg, "msg"));
  sameBytes("AES-GCM encryption", gcmSeal(key, nonce, aad, Buffer.from(need(test.msg, "msg"), "hex")), sealed.toString("hex"));
}
