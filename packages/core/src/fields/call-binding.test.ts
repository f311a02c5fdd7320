import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { DECRYPT_FAILED_MESSAGE, isSzcryptError } from "../errors/szcrypt-error.js";
import { isContextUnboundRefusal } from "../formats/szc1.js";
import { LeafSchema, ShapesSchema } from "../gen/sz/testing/v1/shapes_pb.js";
import { SzcryptKey } from "../keys/key.js";
import { Keyring } from "../keys/keyring.js";
import { failureReason } from "../observe/failure-reason.js";
import { contextFrom } from "../transport/context-from.js";
import type { CallInfo } from "./call-binding.js";
import { createFieldCrypto, decryptFields, encryptFields } from "./field-crypto.js";
import { createFieldPolicy } from "./field-policy.js";

// Context binding and per-call keyrings at the FieldCrypto and policy level
// (#19). Tokens are sealed and opened with node:crypto over the AAD bytes of
// conformance/SPEC.md "Context binding", not with szcrypt's codecs.

const BYTES_A = new Uint8Array(32).fill(0xa1);
const BYTES_B = new Uint8Array(32).fill(0xb2);
const keyA = SzcryptKey.fromBytes(BYTES_A);
const keyB = SzcryptKey.fromBytes(BYTES_B);
const SECRET = "sz.testing.v1.Shapes.secret";
const BLOB = "sz.testing.v1.Shapes.blob";

function aad(field: string, parts: readonly string[] | undefined): Buffer {
  const head = Buffer.from(`szc1\0default\0${field}`, "utf8");
  if (parts === undefined) {
    return head;
  }
  const encoded = parts.flatMap((p) => {
    const bytes = Buffer.from(p, "utf8");
    const length = Buffer.alloc(2);
    length.writeUInt16BE(bytes.length);
    return [length, bytes];
  });
  return Buffer.concat([head, Buffer.from([0, parts.length]), ...encoded]);
}

/** The binary form after the magic, sealed by node:crypto under key id "default". */
function sealBody(key: Uint8Array, field: string, parts: readonly string[] | undefined, plaintext: Uint8Array): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(aad(field, parts));
  const sealed = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([Buffer.from([7 | (parts === undefined ? 0 : 0x80)]), Buffer.from("default"), nonce, sealed]);
}

function sealText(key: Uint8Array, field: string, parts: readonly string[] | undefined, plaintext: string): string {
  return `szc1:${sealBody(key, field, parts, Buffer.from(plaintext, "utf8")).toString("base64url")}`;
}

function openText(token: string, key: Uint8Array, field: string, parts: readonly string[] | undefined): string | undefined {
  const body = Buffer.from(token.slice(5), "base64url");
  assert.equal((body[0] as number) >> 7, parts === undefined ? 0 : 1, "the context flag");
  const rest = body.subarray(20);
  const decipher = createDecipheriv("aes-256-gcm", key, body.subarray(8, 20));
  decipher.setAAD(aad(field, parts));
  decipher.setAuthTag(rest.subarray(rest.length - 16));
  try {
    return Buffer.concat([decipher.update(rest.subarray(0, rest.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}

const strict = { format: "szc1", accept: ["szc1"] } as const;

function call(headers: Record<string, string>): CallInfo {
  return { method: "/sz.testing.v1.Svc/Do", side: "server", header: (name) => headers[name] };
}

describe("context binding in FieldCrypto", () => {
  it("seals every szc1 value under the message's context (checked with node:crypto), and opens it under that context only", () => {
    const crypto = createFieldCrypto({ key: keyA, ...strict });
    const sealed = crypto.encryptMessage(ShapesSchema, create(ShapesSchema, { plain: "rec-1", secret: "s-1" }), {
      context: ["acme", "rec-1"],
    });
    assert.equal(openText(sealed.secret, BYTES_A, SECRET, ["acme", "rec-1"]), "s-1");
    assert.equal(openText(sealed.secret, BYTES_A, SECRET, ["acme", "rec-2"]), undefined);
    assert.equal(crypto.decryptMessage(ShapesSchema, sealed, { context: ["acme", "rec-1"] }).secret, "s-1");
    for (const other of [["acme", "rec-2"], ["acmerec-1"], ["globex", "rec-1"]]) {
      assert.throws(
        () => crypto.decryptMessage(ShapesSchema, sealed, { context: other }),
        (err) => isSzcryptError(err, "DECRYPT_FAILED") && err.rawMessage === DECRYPT_FAILED_MESSAGE,
      );
    }
  });

  it("opens a token node:crypto sealed under the context", () => {
    const crypto = createFieldCrypto({ key: keyA, ...strict, context: ["acme", "rec-1"] });
    const wire = create(ShapesSchema, { secret: sealText(BYTES_A, SECRET, ["acme", "rec-1"], "from node") });
    assert.equal(crypto.decryptMessage(ShapesSchema, wire).secret, "from node");
  });

  it("uses the binding's keyring in place of its own key", () => {
    const crypto = createFieldCrypto({ key: keyA, ...strict });
    const sealed = crypto.encryptMessage(ShapesSchema, create(ShapesSchema, { secret: "s-1" }), { keyring: Keyring.of(keyB) });
    assert.equal(openText(sealed.secret, BYTES_B, SECRET, undefined), "s-1");
    assert.throws(
      () => crypto.decryptMessage(ShapesSchema, sealed),
      (err) => isSzcryptError(err, "DECRYPT_FAILED"),
    );
    assert.equal(crypto.decryptMessage(ShapesSchema, sealed, { keyring: Keyring.of(keyB) }).secret, "s-1");
  });

  it("refuses an unbound value where a context is given: the uniform failure, its cause kept for onError and telemetry", () => {
    const crypto = createFieldCrypto({ key: keyA, ...strict, context: ["acme"] });
    const wire = create(ShapesSchema, { secret: sealText(BYTES_A, SECRET, undefined, "old") });
    let caught: unknown;
    assert.throws(
      () => crypto.decryptMessage(ShapesSchema, wire),
      (err) => {
        caught = err;
        return isSzcryptError(err, "DECRYPT_FAILED") && err.rawMessage === DECRYPT_FAILED_MESSAGE;
      },
    );
    assert.ok(isContextUnboundRefusal(caught), "the context_unbound cause");
    assert.equal(failureReason("decrypt", caught), "context_unbound");
    const migrating = createFieldCrypto({ key: keyA, ...strict, context: ["acme"], acceptUnbound: true });
    assert.equal(migrating.decryptMessage(ShapesSchema, wire).secret, "old");
  });

  it("a bound bytes value with both formats accepted and no context is CONTEXT_REQUIRED, not a legacy decryption", () => {
    const crypto = createFieldCrypto({ key: keyA, format: "szc1", accept: ["szc1", "legacy-cbc"], oracleGuard: false });
    const blob = new Uint8Array(Buffer.concat([Buffer.from("szc1"), sealBody(BYTES_A, BLOB, ["acme"], Buffer.from("raw"))]));
    const text = sealText(BYTES_A, SECRET, ["acme"], "t");
    for (const wire of [create(ShapesSchema, { blob }), create(ShapesSchema, { secret: text })]) {
      assert.throws(
        () => crypto.decryptMessage(ShapesSchema, wire),
        (err) => isSzcryptError(err, "CONTEXT_REQUIRED") && /configure the same context function/.test(err.message),
      );
    }
  });

  it("encryptFields and decryptFields take the context in their options", () => {
    const options = { key: keyA, ...strict, context: ["acme", "rec-1"] };
    const sealed = encryptFields(ShapesSchema, create(ShapesSchema, { secret: "s-1" }), options);
    assert.equal(openText(sealed.secret, BYTES_A, SECRET, ["acme", "rec-1"]), "s-1");
    assert.equal(decryptFields(ShapesSchema, sealed, options).secret, "s-1");
  });

  it("a context with legacy-cbc written, or accepted without acceptUnbound, is CONFIG_INVALID naming the option", () => {
    const named = (err: unknown) => isSzcryptError(err, "CONFIG_INVALID") && err.message.includes("`context`");
    assert.throws(() => createFieldCrypto({ key: keyA, context: ["acme"] }), named);
    assert.throws(() => createFieldCrypto({ key: keyA, format: "szc1", accept: ["szc1", "legacy-cbc"], context: ["acme"] }), named);
    createFieldCrypto({ key: keyA, format: "szc1", accept: ["szc1", "legacy-cbc"], context: ["acme"], acceptUnbound: true });
    const legacy = createFieldCrypto({ key: keyA });
    assert.throws(
      () => legacy.encryptMessage(ShapesSchema, create(ShapesSchema, { secret: "s" }), { context: ["acme"] }),
      (err) => isSzcryptError(err, "CONFIG_INVALID"),
    );
  });
});

describe("the policy's keyForCall, context and acceptUnbound", () => {
  const contextFn = () => ["acme"];
  it("refuses keyForCall with key, and a context where legacy-cbc is written or accepted, naming the option", () => {
    assert.throws(
      () => createFieldPolicy({ key: keyA, keyForCall: () => keyA }),
      (err) => isSzcryptError(err, "CONFIG_INVALID") && /`keyForCall` and `key`/.test(err.message),
    );
    const named = (err: unknown) => isSzcryptError(err, "CONFIG_INVALID") && err.message.includes("`context`");
    assert.throws(() => createFieldPolicy({ key: keyA, context: contextFn }), named);
    assert.throws(() => createFieldPolicy({ key: keyA, format: "szc1", accept: ["szc1", "legacy-cbc"], context: contextFn }), named);
    createFieldPolicy({ key: keyA, format: "szc1", accept: ["szc1", "legacy-cbc"], context: contextFn, acceptUnbound: true });
  });

  it("with keyForCall, a message without its call's keyring fails closed", () => {
    const policy = createFieldPolicy({ keyForCall: () => keyA, ...strict });
    assert.throws(
      () => policy.cryptoFor("/a.B/C").encryptMessage(ShapesSchema, create(ShapesSchema, { secret: "s" })),
      (err) => isSzcryptError(err, "KEY_UNAVAILABLE"),
    );
  });
});

describe("contextFrom", () => {
  const message = create(ShapesSchema, { plain: "rec-7", secret: "s" });
  it("gives [header, String(clear field)], or [header] without a field", () => {
    assert.deepEqual(contextFrom({ header: "X-Tenant-Id", field: "plain" })(call({ "x-tenant-id": "acme" }), message, ShapesSchema), [
      "acme",
      "rec-7",
    ]);
    assert.deepEqual(contextFrom({ header: "x-tenant-id" })(call({ "x-tenant-id": "acme" }), message, ShapesSchema), ["acme"]);
  });

  it("fails closed, CONFIG_INVALID naming the header or field and never a value", () => {
    const noValue = (err: unknown) => isSzcryptError(err, "CONFIG_INVALID") && !err.message.includes("rec-7");
    const fn = contextFrom({ header: "x-tenant-id", field: "plain" });
    assert.throws(
      () => fn(call({}), message, ShapesSchema),
      (err) => noValue(err) && /"x-tenant-id"/.test((err as Error).message),
    );
    const leaf = create(LeafSchema, { secret: "s", label: "rec-7" });
    assert.throws(
      () => fn(call({ "x-tenant-id": "acme" }), leaf, LeafSchema),
      (err) => noValue(err) && /"plain"/.test((err as Error).message),
    );
    const sensitive = contextFrom({ header: "x-tenant-id", field: "secret" });
    assert.throws(
      () => sensitive(call({ "x-tenant-id": "acme" }), message, ShapesSchema),
      (err) => noValue(err) && /sensitive/.test((err as Error).message),
    );
    assert.throws(
      () => contextFrom({ header: "" }),
      (err) => isSzcryptError(err, "CONFIG_INVALID"),
    );
  });
});
