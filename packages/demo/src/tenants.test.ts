import assert from "node:assert/strict";
import { createDecipheriv } from "node:crypto";
import { describe, it } from "node:test";
import { status } from "@grpc/grpc-js";
import { SENSITIVE_MARK } from "@szcrypt/testing";
import { DemoSecretsManager, isBoundSzc1, runTenantDemo, TENANTS } from "./tenants.js";

const ACME_KEY = "000102030405060708090a0b0c0d0e0f";
const FIELD = "sz.examples.v1.Payment.card_number";

// szc1 decryption written from conformance/SPEC.md with node:crypto alone: the
// expected values do not come from szcrypt.
function openSzc1(text: string, keyHex: string, field: string, context: string[]): string | undefined {
  const b = Buffer.from(text.slice("szc1:".length), "base64url");
  const h = b[0] as number;
  const idLen = h & 0x7f;
  const id = b.subarray(1, 1 + idLen);
  const nonce = b.subarray(1 + idLen, 13 + idLen);
  const body = b.subarray(13 + idLen, b.length - 16);
  const tag = b.subarray(b.length - 16);
  const parts = context.map((p) => Buffer.from(p, "utf8"));
  const aad = Buffer.concat([
    Buffer.from("szc1\0", "latin1"),
    id,
    Buffer.from(`\0${field}\0`, "latin1"),
    Buffer.from([parts.length]),
    ...parts.flatMap((p) => [Buffer.from([p.length >> 8, p.length & 0xff]), p]),
  ]);
  try {
    const d = createDecipheriv("aes-128-gcm", Buffer.from(keyHex, "hex"), nonce);
    d.setAAD(aad);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(body), d.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}

describe("the demo's two tenants", () => {
  it("round-trip each tenant, refuse acme's values elsewhere, and kill them with acme's key while globex works", async () => {
    const { steps, acmeStored, acmeSent } = await runTenantDemo(new DemoSecretsManager(TENANTS, { acme: ACME_KEY }));
    const codes = steps.map((s) => [s.label, s.code]);
    assert.deepEqual(codes, [
      ["acme   Authorize", status.OK],
      ["globex Authorize", status.OK],
      ["acme's stored values, sent again as acme, same record", status.OK],
      ["acme's stored values, sent as globex", status.INVALID_ARGUMENT],
      ["acme's stored values, moved to another acme record", status.INVALID_ARGUMENT],
      ["crypto-shredding", status.OK],
      ["acme's stored values, sent again as acme, same record", status.FAILED_PRECONDITION],
      ["globex Authorize", status.OK],
    ]);
    assert.ok(
      steps.every((s) => s.ok),
      steps.map((s) => `${s.label}: ${s.detail}`).join("\n"),
    );

    // What was stored for acme is ciphertext, bound (flag bit set), and opens, per the spec,
    // only with acme's key, acme's tenant id and this payment's id.
    const stored = acmeStored?.cardNumber ?? "";
    assert.ok(!stored.includes(SENSITIVE_MARK));
    assert.ok(isBoundSzc1(stored));
    assert.equal(openSzc1(stored, ACME_KEY, FIELD, ["acme", "pay-acme-1"]), acmeSent.cardNumber);
    assert.equal(openSzc1(stored, ACME_KEY, FIELD, ["globex", "pay-acme-1"]), undefined);
    assert.equal(openSzc1(stored, ACME_KEY, FIELD, ["acme", "pay-acme-2"]), undefined);
    assert.equal(openSzc1(stored, ACME_KEY, FIELD, ["acmepay-acme-1"]), undefined);
  });
});

describe("isBoundSzc1", () => {
  it("reads bit 7 of the byte after the magic", () => {
    assert.equal(isBoundSzc1(`szc1:${Buffer.from([0x82, 0x6b, 0x31]).toString("base64url")}`), true);
    assert.equal(isBoundSzc1(`szc1:${Buffer.from([0x02, 0x6b, 0x31]).toString("base64url")}`), false);
    assert.equal(isBoundSzc1("not a token"), false);
  });
});
