// Key providers as the Connect interceptors' `key`, rotated while calls run: a
// file provider on the server (a secret mount replaced atomically) and an async
// provider on the client (a secrets manager). szc1, whose tokens name their key:
// no call fails across add, promote and retire.
import assert from "node:assert/strict";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { asyncKeyProvider, createFieldCrypto, fileKeyProvider, type Keyring, parseKeySpec } from "@szcrypt/core";
import { PaymentSchema, PaymentService, paymentId } from "@szcrypt/example";
import { samplePayment, startConnectServer } from "@szcrypt/testing";
import { createConnectClientInterceptor, createConnectServerInterceptor } from "./interceptors.js";

const SPEC = { k1: `hex:${"33".repeat(32)}`, k2: `hex:${"44".repeat(32)}` } as const;
type Id = keyof typeof SPEC;
const ringJson = (primary: Id, ...ids: Id[]) => JSON.stringify({ primary, keys: Object.fromEntries(ids.map((id) => [id, SPEC[id]])) });
const label = (r: Keyring) => `${r.primary.id}:${[...new Set(r.toJSON().keys.map((k) => k.id))].sort().join(",")}`;

async function loaded(loads: string[], want: string): Promise<void> {
  for (let i = 0; i < 500 && loads.at(-1) !== want; i++) {
    await sleep(10);
  }
  assert.equal(loads.at(-1), want, "the provider did not pick the new keyring up");
}

describe("Connect: key providers rotated while calls run", () => {
  const dir = mkdtempSync(join(tmpdir(), "szcrypt-connect-keys-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, "keyring.json");
  const writeKeys = (json: string) => {
    writeFileSync(`${keyFile}.tmp`, json);
    renameSync(`${keyFile}.tmp`, keyFile);
  };

  it("add, promote, retire: no call fails; a k1 token decrypts until k1 is retired", async () => {
    writeKeys(ringJson("k1", "k1"));
    const serverLoads: string[] = [];
    const clientLoads: string[] = [];
    const fileProvider = fileKeyProvider(keyFile, { pollIntervalMs: 10, onLoad: (r) => serverLoads.push(label(r)) });
    let secret = ringJson("k1", "k1");
    const asyncProvider = asyncKeyProvider(async () => secret, { refreshIntervalMs: 10, onLoad: (r) => clientLoads.push(label(r)) });
    await asyncProvider.ready();
    const server = await startConnectServer([createConnectServerInterceptor({ key: fileProvider, format: "szc1" })]);
    const baseUrl = `http://127.0.0.1:${server.port}`;
    const client = createClient(
      PaymentService,
      createConnectTransport({
        baseUrl,
        httpVersion: "2",
        interceptors: [createConnectClientInterceptor({ key: asyncProvider, format: "szc1" })],
      }),
    );
    const plain = createClient(PaymentService, createConnectTransport({ baseUrl, httpVersion: "2" }));
    const oldToken = createFieldCrypto({ key: parseKeySpec(SPEC.k1, { id: "k1" }), format: "szc1" }).encryptMessage(
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
            const p = create(PaymentSchema, samplePayment(n % 500));
            assert.deepEqual(await client.authorize(samplePayment(n % 500), { timeoutMs: 10_000 }), { ...p, id: paymentId(p.cardNumber) });
            ok++;
          } catch (err) {
            failures.push(`call ${n}: ${ConnectError.from(err).message}`);
          }
        }
      }),
    );
    try {
      await sleep(50);
      writeKeys(ringJson("k1", "k1", "k2"));
      secret = ringJson("k1", "k1", "k2");
      await Promise.all([loaded(serverLoads, "k1:k1,k2"), loaded(clientLoads, "k1:k1,k2")]);
      writeKeys(ringJson("k2", "k1", "k2"));
      await loaded(serverLoads, "k2:k1,k2");
      await plain.authorize(oldToken, { timeoutMs: 10_000 });
      const old = create(PaymentSchema, samplePayment(900));
      assert.deepEqual(
        server.seen.find((p) => p.amountCents === old.amountCents),
        old,
        "the handler got the k1 token's plaintext while k1 is in the ring",
      );
      secret = ringJson("k2", "k1", "k2");
      await loaded(clientLoads, "k2:k1,k2");
      await sleep(50);
      secret = ringJson("k2", "k2");
      writeKeys(ringJson("k2", "k2"));
      await Promise.all([loaded(serverLoads, "k2:k2"), loaded(clientLoads, "k2:k2")]);
      await sleep(50);
      await assert.rejects(
        plain.authorize(oldToken, { timeoutMs: 10_000 }),
        (err: unknown) => ConnectError.from(err).code === Code.InvalidArgument,
      );
    } finally {
      running = false;
      await traffic;
      fileProvider.close();
      asyncProvider.close();
      await server.close();
    }
    assert.deepEqual(failures, []);
    assert.ok(ok >= 20, `only ${ok} calls ran across the rotation`);
  });
});
