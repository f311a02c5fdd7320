import { createHash } from "node:crypto";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import {
  type Payment,
  PaymentSchema,
  type PaymentSummary,
  PaymentSummarySchema,
  type WatchRequest,
} from "./gen/sz/examples/v1/payments_pb.js";

/** The id Authorize sets: lowercase hex SHA-256 of the card number the handler saw. */
export function paymentId(cardNumber: string): string {
  return createHash("sha256").update(cardNumber, "utf8").digest("hex");
}

/** Authorize: the payment received, with its id set. */
export function authorize(payment: Payment): Payment {
  return { ...payment, id: paymentId(payment.cardNumber) };
}

/** Upload: how many payments arrived, and the id Authorize would give each, in order. */
export function summarize(payments: readonly Payment[]): PaymentSummary {
  return create(PaymentSummarySchema, { count: payments.length, ids: payments.map((p) => paymentId(p.cardNumber)) });
}

/** Watch: `count` copies of the template, each as Authorize returns it. */
export function watch(request: WatchRequest): Payment[] {
  const template = request.template ?? create(PaymentSchema);
  return Array.from({ length: Math.max(0, request.count) }, () => authorize(template));
}

/**
 * A payment with every sensitive shape set (nested, repeated, map, oneof,
 * bytes) and non-ASCII text, distinct per `n`. Every sensitive value contains
 * `SENSITIVE_MARK` so a wire capture can be searched for it.
 */
export function samplePayment(n: number): MessageInitShape<typeof PaymentSchema> {
  const method: MessageInitShape<typeof PaymentSchema>["method"] =
    n % 2 === 0 ? { case: "iban", value: `${SENSITIVE_MARK}DE89 3704 0044 0532 0130 ${n}` } : { case: "walletId", value: `wallet-${n}` };
  return {
    cardNumber: `${SENSITIVE_MARK}4111-1111-1111-${String(1000 + n)}`,
    cardholder: `${SENSITIVE_MARK}Zoë Ångström 東京 😀 #${n}`,
    amountCents: BigInt(1999 + n),
    notes: [`${SENSITIVE_MARK}first note ${n}`, "", `${SENSITIVE_MARK}third note`],
    attributes: { tier: `${SENSITIVE_MARK}gold`, region: `${SENSITIVE_MARK}eu-west ${n}` },
    billing: { line1: `${SENSITIVE_MARK}1 Main Street`, city: `Berlin-${n}` },
    token: new TextEncoder().encode(`${SENSITIVE_MARK}raw-token-${n}`),
    method,
    previous: [
      { line1: `${SENSITIVE_MARK}old street ${n}`, city: "Paris" },
      { line1: "", city: "Rome" },
    ],
  };
}

/** A marker every sensitive sample value contains, and no clear one does. */
export const SENSITIVE_MARK = "SZSECRET-";

/** Clear values of samplePayment(n) that must stay readable on the wire. */
export function clearSampleValues(n: number): string[] {
  return [`Berlin-${n}`, "Paris", "Rome", "tier", "region"];
}

/** A payment whose only set field is the card number: for tests that send one chosen value. */
export function onlyCardNumber(cardNumber: string): MessageInitShape<typeof PaymentSchema> {
  return { cardNumber };
}
