// Sample PaymentService messages for tests and the demo: every sensitive shape
// set, values searchable on the wire, and what Authorize returns for them.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { type Payment, PaymentSchema, paymentId } from "@szcrypt/example";

/** What Authorize returns for a payment: the payment, with id = SHA-256 of its card number. */
export function authorized(init: MessageInitShape<typeof PaymentSchema>): Payment {
  const p = create(PaymentSchema, init);
  return { ...p, id: paymentId(p.cardNumber) };
}

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
