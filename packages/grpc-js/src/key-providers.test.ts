// Key providers in use: a file provider (the server's, as a Kubernetes secret
// mount) and an async provider (the client's, as a secrets manager) passed as
// the interceptors' `key`, with keys rotated underneath while calls run. Calls
// keep succeeding across every switch; a token made under the old key still
// decrypts while that key is in the ring, and not once it is retired.
import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { credentials, status } from "@grpc/grpc-js";
import { asyncKeyProvider, createFieldCrypto, fileKeyProvider, type Keyring, parseKeySpec } from "@szcrypt/core";
import { PaymentSchema, PaymentService, paymentId } from "@szcrypt/example";
import { grpcServerFor, type PaymentClient, samplePayment, unary } from "@szcrypt/testing";
import { createGrpcClient } from "./client.js";
import { createClientInterceptor } from "./client-interceptor.js";
import { createServerInterceptor } from "./server-interceptor.js";
import { createGrpcServiceDefinition } from "./service-definition.js";

const startPaymentServer = grpcServerFor(createGrpcServiceDefinition(PaymentService));

const SPEC = { k1: `hex:${"11".repeat(32)}`, k2: `hex:${"22".repeat(32)}` } as const;
type Id = keyof typeof SPEC;
const ringJson = (primary: Id, ...ids: Id[]) => JSON.stringify({ primary, keys: Object.fromEntries(ids.map((id) => [id, SPEC[id]])) });
const describeRing = (r: Keyring) => `${r.primary.id}:${[...new Set(r.toJSON().keys.map((k) => k.id))].sort().join(",")}`;

/** Resolves once `loads` has seen a keyring with this primary and these ids. */
function loaded(loads: string[], primary: Id, ...ids: Id[]): Promise<void> {
  const want = `${primary}:${[...ids].sort().join(",")}`;
  return (async () => {
    for (let i = 0; i < 500 && loads.at(-1) !== want; i++) {
      await sleep(10);
    }
    assert.equal(loads.at(-1), want, "the provider did not pick the new keyring up");
  })();
}

function expected(n: number) {
  const p = create(PaymentSchema, samplePayment(n));
  return { ...p, id: paymentId(p.cardNumber) };
}

describe("key providers as the interceptors' key, rotated while calls run", () => {
  const dir = mkdtempSync(join(tmpdir(), "szcrypt-keys-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, "keyring.json");
  /** Replaces the file atomically, as a secret mount update does. */
  const writeKeys = (json: string) => {
    writeFileSync(`${keyFile}.tmp`, json);
    renameSync(`${keyFile}.tmp`, keyFile);
  };

  // szc1 only: a legacy-cbc token names no key, so a server reads exactly one legacy key
  // and switching it cannot be done without failing calls in between.
  for (const format of ["szc1"] as const) {
    it(`add, promote, retire (${format}): no call fails, old tokens decrypt until their key is retired`, async () => {
      writeKeys(ringJson("k1", "k1"));
      const serverLoads: string[] = [];
      const clientLoads: string[] = [];
      const fileProvider = fileKeyProvider(keyFile, { pollIntervalMs: 10, onLoad: (r) => serverLoads.push(describeRing(r)) });
      let secret = ringJson("k1", "k1");
      const asyncProvider = asyncKeyProvider(async () => secret, {
        refreshIntervalMs: 10,
        onLoad: (r) => clientLoads.push(describeRing(r)),
      });
      await asyncProvider.ready();
      const server = await startPaymentServer([createServerInterceptor({ key: fileProvider, format })]);
      const client: PaymentClient = createGrpcClient(PaymentService, `127.0.0.1:${server.port}`, credentials.createInsecure(), {
        interceptors: [createClientInterceptor({ key: asyncProvider, format })],
      });
      const plain: PaymentClient = createGrpcClient(PaymentService, `127.0.0.1:${server.port}`, credentials.createInsecure());
      const oldToken = createFieldCrypto({ key: parseKeySpec(SPEC.k1, { id: "k1" }), format }).encryptMessage(
        PaymentSchema,
        create(PaymentSchema, samplePayment(900)),
      );

      let running = true;
      let ok = 0;
      const failures: string[] = [];
      const traffic = Promise.all(
        Array.from({ length: 4 }, async (_, w) => {
          for (let n = w; running; n += 4) {
            try {
              assert.deepEqual(await unary(client, samplePayment(n % 500)), expected(n % 500));
              ok++;
            } catch (err) {
              failures.push(`call ${n}: ${(err as Error).message}`);
            }
          }
        }),
      );
      try {
        await sleep(50);
        // 1. Add k2 everywhere, k1 still primary.
        writeKeys(ringJson("k1", "k1", "k2"));
        secret = ringJson("k1", "k1", "k2");
        await Promise.all([loaded(serverLoads, "k1", "k1", "k2"), loaded(clientLoads, "k1", "k1", "k2")]);
        await sleep(50);
        // 2. Promote k2, the server first.
        writeKeys(ringJson("k2", "k1", "k2"));
        await loaded(serverLoads, "k2", "k1", "k2");
        // A token made under k1 still decrypts: k1 is in the server's ring.
        await unary(plain, oldToken);
        const old = create(PaymentSchema, samplePayment(900)); // traffic never sends 900
        const got = server.calls.find((c) => "amountCents" in c.request && c.request.amountCents === old.amountCents);
        assert.deepEqual(got?.request, old, "the handler got the k1 token's plaintext");
        secret = ringJson("k2", "k1", "k2");
        await loaded(clientLoads, "k2", "k1", "k2");
        await sleep(50);
        // 3. Retire k1.
        secret = ringJson("k2", "k2");
        writeKeys(ringJson("k2", "k2"));
        await Promise.all([loaded(serverLoads, "k2", "k2"), loaded(clientLoads, "k2", "k2")]);
        await sleep(50);
        const refused = await unary(plain, oldToken).then(
          () => undefined,
          (err: { code: number }) => err.code,
        );
        assert.equal(refused, status.INVALID_ARGUMENT, "a k1 token once k1 is retired");
      } finally {
        running = false;
        await traffic;
        client.close();
        plain.close();
        fileProvider.close();
        asyncProvider.close();
        await server.close();
      }
      assert.deepEqual(failures, []);
      assert.ok(ok >= 20, `only ${ok} calls ran across the rotation`);
    });
  }
});
