import { createHash } from "node:crypto";
import { create } from "@bufbuild/protobuf";
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
