// The second part of `pnpm demo`: one PaymentService serving two tenants, each
// with its own keyring from a (simulated) secrets manager, szc1 values bound
// to the tenant and the payment's id. Shows that each tenant round-trips, that
// a value of one tenant cannot be read in another's call or another record,
// and crypto-shredding: acme's key deleted, acme's stored values are dead
// while globex keeps working. Every verdict comes from a check outside
// szcrypt: the status a call ended with, the bytes the server received.
import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { credentials, Metadata, Server, ServerCredentials, type ServiceError, status } from "@grpc/grpc-js";
import { contextFrom, createKeyringResolver } from "@szcrypt/core";
import { grpcPaymentHandlers, type Payment, PaymentSchema, PaymentService } from "@szcrypt/example";
import {
  createClientInterceptor,
  createGrpcClient,
  createGrpcServiceDefinition,
  createServerInterceptor,
  type SzcryptGrpcOptions,
} from "@szcrypt/grpc-js";
import { authorized, type PaymentInit, SENSITIVE_MARK, samplePayment } from "@szcrypt/testing";
import { differingFields } from "./checks.js";
import { serverWireTap } from "./wire.js";

/** The header that names a call's tenant. */
export const TENANT_HEADER = "x-tenant-id";
export const TENANTS = ["acme", "globex"] as const;
export type Tenant = (typeof TENANTS)[number];

/** One step of the tenant demo: what was done, the status it ended with, and whether that is what must happen. */
export interface TenantStep {
  readonly label: string;
  /** The gRPC status code the call ended with (0: OK). */
  readonly code: number;
  readonly ok: boolean;
  readonly detail: string;
}

export interface TenantDemoResult {
  readonly steps: TenantStep[];
  /** The sensitive values of acme's request exactly as the server received them: what a store of acme's tokens holds. */
  readonly acmeStored?: Payment;
  /** The plaintext acme sent, to compare the stored values with. */
  readonly acmeSent: PaymentInit;
}

/**
 * A stand-in for a secrets manager: async like a real one, one secret (a key
 * spec) per tenant, deletable. The demo's keys are fresh random ones.
 */
export class DemoSecretsManager {
  private readonly secrets = new Map<string, string>();
  lookups = 0;
  /** One fresh AES-128 key per tenant, unless `hexKeys` gives a tenant's (for tests that check values on their own). */
  constructor(tenants: readonly string[], hexKeys: Readonly<Record<string, string>> = {}) {
    for (const t of tenants) {
      this.secrets.set(`szcrypt/${t}`, `hex:${hexKeys[t] ?? randomBytes(16).toString("hex")}`);
    }
  }
  async get(name: string): Promise<string | undefined> {
    this.lookups++;
    await new Promise((resolve) => setImmediate(resolve));
    return this.secrets.get(name);
  }
  async delete(name: string): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.secrets.delete(name);
  }
}

/**
 * The options both sides of a multi-tenant service pass to szcrypt: the keyring
 * of the call's tenant, through a cache in front of the secrets manager, and
 * szc1 values bound to [tenant, payment id]. Each process has its own cache.
 */
export function tenantOptions(secrets: DemoSecretsManager) {
  const keys = createKeyringResolver((tenant) => secrets.get(`szcrypt/${tenant}`), { maxEntries: 1000, ttlMs: 5 * 60_000 });
  const options = {
    format: "szc1",
    accept: ["szc1"],
    keyForCall: (call) => keys.resolve(call.header(TENANT_HEADER)),
    context: contextFrom({ header: TENANT_HEADER, field: "id" }),
  } satisfies SzcryptGrpcOptions;
  return { keys, options };
}

function tenantMetadata(tenant: string): Metadata {
  const m = new Metadata();
  m.set(TENANT_HEADER, tenant);
  return m;
}

type AnyClient = ReturnType<typeof createGrpcClient<typeof PaymentService>>;

function authorize(client: AnyClient, tenant: string, request: PaymentInit): Promise<{ code: number; response?: Payment }> {
  return new Promise((resolve) => {
    client.authorize(request, tenantMetadata(tenant), { deadline: Date.now() + 10_000 }, (err: ServiceError | null, response?: Payment) =>
      resolve(err ? { code: err.code } : { code: status.OK, ...(response === undefined ? {} : { response }) }),
    );
  });
}

/** The szc1 text form's first byte after "szc1:": bit 7 says context-bound (conformance/SPEC.md), read here without szcrypt. */
export function isBoundSzc1(text: string): boolean {
  if (!text.startsWith("szc1:")) {
    return false;
  }
  const bytes = Buffer.from(text.slice(5), "base64url");
  return bytes.length > 0 && ((bytes[0] as number) & 0x80) !== 0;
}

/** Runs the tenant demo against a fresh server; the caller prints the steps. */
export async function runTenantDemo(secrets = new DemoSecretsManager(TENANTS)): Promise<TenantDemoResult> {
  const serverSide = tenantOptions(secrets);
  const clientSide = tenantOptions(secrets);
  const received: Payment[] = [];
  const handlerSaw: Payment[] = [];

  const server = new Server({ interceptors: [serverWireTap(received), createServerInterceptor(serverSide.options)] });
  server.addService(
    createGrpcServiceDefinition(PaymentService),
    grpcPaymentHandlers((_method, request) => {
      if ("cardNumber" in request) {
        handlerSaw.push(request);
      }
    }),
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const target = `127.0.0.1:${port}`;
  const client = createGrpcClient(PaymentService, target, credentials.createInsecure(), {
    interceptors: [createClientInterceptor(clientSide.options)],
  });
  // No szcrypt: sends stored values as they are, as a replaying attacker or a store's reader would.
  const raw = createGrpcClient(PaymentService, target, credentials.createInsecure());

  const steps: TenantStep[] = [];
  const roundTrip = async (tenant: Tenant, n: number, label: string): Promise<Payment | undefined> => {
    const sent: PaymentInit = { ...samplePayment(n), id: `pay-${tenant}-${n}` };
    const before = received.length;
    const { code, response } = await authorize(client, tenant, sent);
    const onWire = received[before];
    const wireCard = onWire?.cardNumber ?? "";
    const problems: string[] = [];
    if (code !== status.OK || response === undefined) {
      problems.push(`status ${status[code]}`);
    } else {
      const diff = differingFields(response, authorized(sent));
      if (diff.length > 0) {
        problems.push(`${diff.join(", ")} did not round-trip`);
      }
    }
    if (onWire === undefined) {
      problems.push("nothing reached the server");
    } else if (JSON.stringify(onWire, (_k, v) => (typeof v === "bigint" ? String(v) : v)).includes(SENSITIVE_MARK)) {
      problems.push("plaintext on the wire");
    } else if (!isBoundSzc1(wireCard)) {
      problems.push("card_number on the wire is not a context-bound szc1 value");
    }
    steps.push({
      label,
      code,
      ok: problems.length === 0,
      detail:
        problems.length === 0
          ? `round trip ✔  card_number on the wire: ${wireCard.slice(0, 9)}… (${wireCard.length} chars, context-bound)`
          : `✘ ${problems.join("; ")}`,
    });
    return onWire;
  };
  const replay = async (label: string, tenant: Tenant, message: Payment, want: number, wantSaw?: string): Promise<void> => {
    const seen = handlerSaw.length;
    const { code } = await authorize(raw, tenant, message);
    const saw = handlerSaw[seen];
    const sawOk = wantSaw === undefined ? saw === undefined : saw?.cardNumber === wantSaw;
    const ok = code === want && sawOk;
    const what =
      code === status.OK ? `OK, the handler saw acme's card number${sawOk ? "" : " NOT"}` : `${status[code]}, the handler never ran`;
    steps.push({ label, code, ok, detail: `${what} ${ok ? "✔" : `✘ (expected ${status[want]})`}` });
  };

  try {
    const acmeSent: PaymentInit = { ...samplePayment(1), id: "pay-acme-1" };
    const acmeWire = await roundTrip("acme", 1, "acme   Authorize");
    await roundTrip("globex", 2, "globex Authorize");
    if (acmeWire === undefined) {
      steps.push({
        label: "acme's stored values",
        code: -1,
        ok: false,
        detail: "✘ the server received no acme request: nothing to replay",
      });
      return { steps, acmeSent };
    }
    // What a store of acme's tokens holds: the request as it crossed the wire.
    const acmeStored = create(PaymentSchema, acmeWire);
    const acmeCard = acmeSent.cardNumber as string;
    await replay("acme's stored values, sent again as acme, same record", "acme", acmeStored, status.OK, acmeCard);
    await replay("acme's stored values, sent as globex", "globex", { ...acmeStored, id: "pay-acme-1" }, status.INVALID_ARGUMENT);
    await replay(
      "acme's stored values, moved to another acme record",
      "acme",
      { ...acmeStored, id: "pay-acme-2" },
      status.INVALID_ARGUMENT,
    );

    // Crypto-shredding: delete the tenant's key at the source, then forget it in every process.
    await secrets.delete("szcrypt/acme");
    serverSide.keys.forget("acme");
    clientSide.keys.forget("acme");
    steps.push({
      label: "crypto-shredding",
      code: status.OK,
      ok: true,
      detail: `acme's key deleted from the secrets manager, forget("acme") on both sides`,
    });
    await replay("acme's stored values, sent again as acme, same record", "acme", acmeStored, status.FAILED_PRECONDITION);
    await roundTrip("globex", 3, "globex Authorize");
    return { steps, acmeStored, acmeSent };
  } finally {
    client.close();
    raw.close();
    server.forceShutdown();
  }
}
