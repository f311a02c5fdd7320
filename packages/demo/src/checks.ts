// The checks demo and demo:client run against a PaymentService: all four call
// kinds, every sensitive shape of Payment. Problems name fields, never values.
import { create, equals, type MessageInitShape } from "@bufbuild/protobuf";
import type { ServiceError } from "@grpc/grpc-js";
import { type Payment, PaymentSchema, type PaymentSummary } from "@szcrypt/example";
import { authorized, bidi, clientStream, type PaymentClient, samplePayment, serverStream, unary } from "@szcrypt/testing";

export type { PaymentClient };
type PaymentInit = MessageInitShape<typeof PaymentSchema>;

export interface CheckResult {
  readonly rpc: "Authorize" | "Upload" | "Watch" | "Exchange";
  readonly kind: string;
  readonly problems: string[];
  /** What was sent and what came back, for the demo's table. */
  readonly sent: PaymentInit[];
  readonly received: Payment[];
  readonly summary?: PaymentSummary;
}

/** The fields of two payments that differ, by name. */
export function differingFields(got: Payment, want: Payment): string[] {
  if (equals(PaymentSchema, got, want)) {
    return [];
  }
  return PaymentSchema.fields
    .filter((f) => {
      const a = create(PaymentSchema);
      const b = create(PaymentSchema);
      const key = f.oneof?.localName ?? f.localName;
      (a as Record<string, unknown>)[key] = (got as Record<string, unknown>)[key];
      (b as Record<string, unknown>)[key] = (want as Record<string, unknown>)[key];
      return !equals(PaymentSchema, a, b);
    })
    .map((f) => f.name);
}

function describe(err: unknown): string {
  const e = err as Partial<ServiceError>;
  return e.code === undefined ? String(err) : `failed with gRPC status ${e.code}: ${e.details ?? ""}`;
}

function compare(problems: string[], label: string, got: readonly Payment[], want: readonly Payment[]): void {
  if (got.length !== want.length) {
    problems.push(`${label}: got ${got.length} payments, expected ${want.length}`);
  }
  for (let i = 0; i < Math.min(got.length, want.length); i++) {
    const diff = differingFields(got[i] as Payment, want[i] as Payment);
    if (diff.length > 0) {
      problems.push(`${label} #${i}: ${diff.join(", ")} did not round-trip`);
    }
  }
}

export async function checkAuthorize(client: PaymentClient, n = 0): Promise<CheckResult> {
  const sent = [samplePayment(n)];
  const problems: string[] = [];
  const received: Payment[] = [];
  try {
    received.push(await unary(client, sent[0] as PaymentInit));
    compare(problems, "Authorize", received, sent.map(authorized));
  } catch (err) {
    problems.push(`Authorize ${describe(err)}`);
  }
  return { rpc: "Authorize", kind: "unary", problems, sent, received };
}

export async function checkUpload(client: PaymentClient, ns = [1, 2, 3]): Promise<CheckResult> {
  const sent = ns.map(samplePayment);
  const problems: string[] = [];
  let summary: PaymentSummary | undefined;
  try {
    summary = await clientStream(client, sent);
    if (summary.count !== sent.length) {
      problems.push(`Upload: count is ${summary.count}, expected ${sent.length}`);
    }
    const ids = sent.map((p) => authorized(p).id);
    if (summary.ids.length !== ids.length || summary.ids.some((id, i) => id !== ids[i])) {
      problems.push("Upload: ids are not the SHA-256 of the card numbers sent, in order");
    }
  } catch (err) {
    problems.push(`Upload ${describe(err)}`);
  }
  return { rpc: "Upload", kind: "client streaming", problems, sent, received: [], ...(summary === undefined ? {} : { summary }) };
}

export async function checkWatch(client: PaymentClient, n = 4, count = 3): Promise<CheckResult> {
  const template = samplePayment(n);
  const problems: string[] = [];
  let received: Payment[] = [];
  try {
    received = await serverStream(client, { count, template });
    compare(
      problems,
      "Watch",
      received,
      Array.from({ length: count }, () => authorized(template)),
    );
  } catch (err) {
    problems.push(`Watch ${describe(err)}`);
  }
  return { rpc: "Watch", kind: "server streaming", problems, sent: [template], received };
}

export async function checkExchange(client: PaymentClient, ns = [5, 6, 7, 8]): Promise<CheckResult> {
  const sent = ns.map(samplePayment);
  const problems: string[] = [];
  let received: Payment[] = [];
  try {
    received = await bidi(client, sent);
    compare(problems, "Exchange", received, sent.map(authorized));
  } catch (err) {
    problems.push(`Exchange ${describe(err)}`);
  }
  return { rpc: "Exchange", kind: "bidi streaming", problems, sent, received };
}

export async function runAllChecks(client: PaymentClient): Promise<CheckResult[]> {
  return [await checkAuthorize(client), await checkUpload(client), await checkWatch(client), await checkExchange(client)];
}
