import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileFieldPlan } from "@szcrypt/core";
import { AddressSchema, PaymentSchema, PaymentSummarySchema, WatchRequestSchema } from "./index.js";

describe("the PaymentService plans", () => {
  it("marks exactly the fields payments.proto marks", () => {
    assert.deepEqual(
      compileFieldPlan(PaymentSchema).sensitiveFields.map((f) => `${f.path} ${f.scalar}`),
      [
        "card_number string",
        "cardholder string",
        "notes[] string",
        "attributes{} string",
        "billing.line1 string",
        "token bytes",
        "iban string",
        "previous[].line1 string",
      ],
    );
    assert.deepEqual(
      compileFieldPlan(AddressSchema).sensitiveFields.map((f) => f.path),
      ["line1"],
    );
    assert.deepEqual(compileFieldPlan(WatchRequestSchema).sensitiveFields.length, 8, "the template's fields");
    assert.equal(compileFieldPlan(PaymentSummarySchema).isEmpty, true);
  });
});
