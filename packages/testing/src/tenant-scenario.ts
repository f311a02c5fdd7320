// The per-tenant keys and context binding scenario (#19), over any transport:
// two tenants with their own keyrings (keyForCall + createKeyringResolver in
// front of a fake secrets store), szc1 values bound to [tenant, record id].
// Tokens are sealed and opened here with node:crypto over the AAD bytes of
// conformance/SPEC.md "Context binding", never by szcrypt itself.
import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { setTimeout as delay } from "node:timers/promises";
import { create } from "@bufbuild/protobuf";
import { contextFrom, createKeyringResolver, type KeyringResolver } from "@szcrypt/core";
import type { AdapterOptions, CallInfo } from "@szcrypt/core/adapter";
import { PaymentSchema } from "@szcrypt/example";
import type { CallHeaders, PaymentInit } from "./calls.js";
import type { RunningServer } from "./servers.js";
import type { ScenarioCalls } from "./transport-scenario.js";

/** The szcrypt options of a server or client of this scenario (what both transports take). */
export type ScenarioOptions = Omit<AdapterOptions, "unknownMethods">;

/** What the scenario needs of a transport: servers and clients with any szcrypt options. */
export interface ConfiguredTransport {
  /** PaymentService behind szcrypt's server interceptor with `options`; without szcrypt when undefined. With `answer`, Authorize replies that. */
  startServer(options: ScenarioOptions | undefined, answer?: PaymentInit): Promise<RunningServer>;
  /** A client of 127.0.0.1:`port` with szcrypt's client interceptor (none when `options` is undefined), sending `headers` on every call. */
  client(port: number, options: ScenarioOptions | undefined, headers: CallHeaders): { readonly calls: ScenarioCalls; close(): void };
  /** A failed call's status: the gRPC code and message. */
  status(err: unknown): { readonly code: number; readonly message: string };
}

const INVALID_ARGUMENT = 3;
const FAILED_PRECONDITION = 9;
const INTERNAL = 13;
const UNDECRYPTABLE_REQUEST = "szcrypt: request sensitive field card_number (sz.examples.v1.Payment.card_number) could not be decrypted";
const TENANT_HEADER = "x-tenant-id";
// F in the AAD is the field's full name (SPEC.md).
const CARD_NUMBER = "sz.examples.v1.Payment.card_number";
const KEY_HEX: Readonly<Record<string, string>> = {
  acme: "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf",
  globex: "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
};

// The associated data of SPEC.md: "szc1" 0 ID 0 F, then for a bound value 0 u8(n) (u16be(len) part)*.
function aad(keyId: string, field: string, parts: readonly string[] | undefined): Buffer {
  const head = Buffer.from(`szc1\0${keyId}\0${field}`, "utf8");
  if (parts === undefined) {
    return head;
  }
  const encoded = parts.flatMap((part) => {
    const bytes = Buffer.from(part, "utf8");
    const length = Buffer.alloc(2);
    length.writeUInt16BE(bytes.length);
    return [length, bytes];
  });
  return Buffer.concat([head, Buffer.from([0, parts.length]), ...encoded]);
}

/** An szc1 text token made with node:crypto: bound (flag 0x80) when `parts` is given. */
function seal(tenant: string, field: string, parts: readonly string[] | undefined, plaintext: string): string {
  const keyId = "default";
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(KEY_HEX[tenant] as string, "hex"), nonce);
  cipher.setAAD(aad(keyId, field, parts));
  const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  const header = Buffer.from([keyId.length | (parts === undefined ? 0 : 0x80)]);
  return `szc1:${Buffer.concat([header, Buffer.from(keyId), nonce, sealed]).toString("base64url")}`;
}

/** Opens an szc1 text token with node:crypto under `parts` (undefined when the tag does not verify). */
function open(token: string, tenant: string, field: string, parts: readonly string[] | undefined): string | undefined {
  assert.ok(token.startsWith("szc1:"), "an szc1 text token");
  const body = Buffer.from(token.slice(5), "base64url");
  const idLength = (body[0] as number) & 0x7f;
  assert.equal(((body[0] as number) & 0x80) !== 0, parts !== undefined, "the token's context flag");
  const keyId = body.subarray(1, 1 + idLength).toString("utf8");
  const nonce = body.subarray(1 + idLength, 13 + idLength);
  const rest = body.subarray(13 + idLength);
  const decipher = createDecipheriv("aes-256-gcm", Buffer.from(KEY_HEX[tenant] as string, "hex"), nonce);
  decipher.setAAD(aad(keyId, field, parts));
  decipher.setAuthTag(rest.subarray(rest.length - 16));
  try {
    return Buffer.concat([decipher.update(rest.subarray(0, rest.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}

/** A fake secrets manager: tenant → key spec, with an async lookup as a real one has. */
function secretsStore(): { readonly store: Map<string, string>; resolver(): KeyringResolver } {
  const store = new Map(Object.entries(KEY_HEX).map(([tenant, hex]) => [tenant, `hex:${hex}`]));
  return {
    store,
    resolver: () =>
      createKeyringResolver(
        async (tenant) => {
          await delay(2);
          return store.get(tenant);
        },
        { maxEntries: 16, ttlMs: 60_000 },
      ),
  };
}

/** Registers the per-tenant and context-binding cases (node:test) for `transport`. */
export function runTenantScenario(name: string, transport: ConfiguredTransport): void {
  describe(`${name}: per-tenant keys and context binding`, () => {
    const secrets = secretsStore();
    const serverKeys = secrets.resolver();
    const clientKeys = secrets.resolver();
    let serverLookups = 0;
    let clientLookups = 0;
    const bound = (resolver: KeyringResolver, count: () => void): ScenarioOptions => ({
      keyForCall: (call: CallInfo) => {
        count();
        return resolver.resolve(call.header(TENANT_HEADER));
      },
      format: "szc1",
      accept: ["szc1"],
      context: contextFrom({ header: TENANT_HEADER, field: "id" }),
    });
    const serverOptions = bound(serverKeys, () => serverLookups++);
    const clientOptions = bound(clientKeys, () => clientLookups++);
    let server: RunningServer;
    let capture: RunningServer;
    const closers: (() => void)[] = [];
    const client = (port: number, options: ScenarioOptions | undefined, tenant?: string): ScenarioCalls => {
      const made = transport.client(port, options, tenant === undefined ? {} : { [TENANT_HEADER]: tenant });
      closers.push(() => made.close());
      return made.calls;
    };
    const failure = async (call: Promise<unknown>): Promise<{ code: number; message: string }> => {
      try {
        await call;
      } catch (err) {
        return transport.status(err);
      }
      assert.fail("the call should have failed");
    };
    const servers: RunningServer[] = [];
    const startServer = async (options: ScenarioOptions | undefined, answer?: PaymentInit): Promise<RunningServer> => {
      const started = await transport.startServer(options, answer);
      servers.push(started);
      return started;
    };

    before(async () => {
      server = await startServer(serverOptions);
      // Without szcrypt: records what a szcrypt client put on the wire.
      capture = await startServer(undefined, {});
    });
    after(async () => {
      for (const close of closers) {
        close();
      }
      await Promise.all(servers.map((s) => s.close()));
    });

    it("bound round trip, unary and bidi; the keyring is looked up once per call, the context per message", async () => {
      const acme = client(server.port, clientOptions, "acme");
      const payment = { id: "rec-1", cardNumber: "SZSECRET-4111", cardholder: "SZSECRET-Zoë" };
      const answered = await acme.authorize(payment);
      assert.equal(answered.cardNumber, "SZSECRET-4111");
      assert.deepEqual(server.seen.at(-1), create(PaymentSchema, payment));
      const [s, c] = [serverLookups, clientLookups];
      const sent = [1, 2, 3].map((n) => ({ id: `rec-${n}`, cardNumber: `SZSECRET-card-${n}` }));
      const back = await acme.exchange(sent);
      assert.deepEqual(
        back.map((p) => p.cardNumber),
        sent.map((p) => p.cardNumber),
      );
      assert.deepEqual([serverLookups - s, clientLookups - c], [1, 1], "one keyForCall per call on each side");
    });

    it("the token on the wire is bound to [tenant, record id] under the tenant's key (node:crypto over the spec's AAD)", async () => {
      await client(capture.port, clientOptions, "acme").authorize({ id: "rec-1", cardNumber: "SZSECRET-4111" });
      const token = capture.seen.at(-1)?.cardNumber as string;
      assert.equal(open(token, "acme", CARD_NUMBER, ["acme", "rec-1"]), "SZSECRET-4111");
      assert.equal(open(token, "acme", CARD_NUMBER, ["acme", "rec-2"]), undefined);
      assert.equal(open(token, "acme", CARD_NUMBER, ["acmerec-1"]), undefined);
      assert.equal(open(token, "globex", CARD_NUMBER, ["acme", "rec-1"]), undefined);
      // And the other way: a token sealed by node:crypto opens at the server.
      const before = server.seen.length;
      const plain = client(server.port, undefined, "acme");
      await plain.authorize({ id: "rec-9", cardNumber: seal("acme", CARD_NUMBER, ["acme", "rec-9"], "SZSECRET-sealed") });
      assert.equal(server.seen.length, before + 1);
      assert.equal(server.seen.at(-1)?.cardNumber, "SZSECRET-sealed");
    });

    it("a value replayed into another record, or to another tenant, fails with the uniform status", async () => {
      const token = seal("acme", CARD_NUMBER, ["acme", "rec-1"], "SZSECRET-4111");
      const before = server.seen.length;
      for (const [tenant, id] of [
        ["acme", "rec-2"],
        ["globex", "rec-1"],
      ] as const) {
        const status = await failure(client(server.port, undefined, tenant).authorize({ id, cardNumber: token }));
        assert.deepEqual(status, { code: INVALID_ARGUMENT, message: UNDECRYPTABLE_REQUEST }, `${tenant}/${id}`);
      }
      assert.equal(server.seen.length, before, "no handler ran");
      // The same token in its own record and tenant is fine: the failures above are the binding's.
      await client(server.port, undefined, "acme").authorize({ id: "rec-1", cardNumber: token });
      assert.equal(server.seen.at(-1)?.cardNumber, "SZSECRET-4111");
    });

    it("a bound value at a server without `context` is FAILED_PRECONDITION naming the fix", async () => {
      const noContext = await startServer({ key: `hex:${KEY_HEX.acme}`, format: "szc1", accept: ["szc1"] });
      const token = seal("acme", CARD_NUMBER, ["acme", "rec-1"], "SZSECRET-4111");
      const status = await failure(client(noContext.port, undefined, "acme").authorize({ id: "rec-1", cardNumber: token }));
      assert.equal(status.code, FAILED_PRECONDITION);
      assert.match(status.message, /context-bound szc1 value arrived .*configure the same context function as the sender/);
      assert.ok(!status.message.includes("acme") && !status.message.includes("rec-1"));
      assert.equal(noContext.seen.length, 0);
    });

    it("an unbound value where a context is required fails like any other; acceptUnbound lets it through while senders move", async () => {
      const unbound = seal("acme", CARD_NUMBER, undefined, "SZSECRET-old");
      const before = server.seen.length;
      const status = await failure(client(server.port, undefined, "acme").authorize({ id: "rec-1", cardNumber: unbound }));
      assert.deepEqual(status, { code: INVALID_ARGUMENT, message: UNDECRYPTABLE_REQUEST });
      assert.equal(server.seen.length, before);
      const migrating = await startServer({ ...serverOptions, acceptUnbound: true });
      const plain = client(migrating.port, undefined, "acme");
      await plain.authorize({ id: "rec-1", cardNumber: unbound });
      assert.equal(migrating.seen.at(-1)?.cardNumber, "SZSECRET-old");
      await plain.authorize({ id: "rec-1", cardNumber: seal("acme", CARD_NUMBER, ["acme", "rec-1"], "SZSECRET-new") });
      assert.equal(migrating.seen.at(-1)?.cardNumber, "SZSECRET-new");
    });

    it("a bound response at a client without `context` is INTERNAL naming the fix, never handed over", async () => {
      const migrating = await startServer({ ...serverOptions, acceptUnbound: true });
      const noContext = client(migrating.port, { key: `hex:${KEY_HEX.acme}`, format: "szc1", accept: ["szc1"] }, "acme");
      const status = await failure(noContext.authorize({ id: "rec-1", cardNumber: "SZSECRET-4111" }));
      assert.equal(migrating.seen.at(-1)?.cardNumber, "SZSECRET-4111", "the unbound request was accepted");
      assert.equal(status.code, INTERNAL);
      assert.match(status.message, /context-bound szc1 value arrived .*configure the same context function as the sender/);
      assert.ok(!/SZSECRET|acme|rec-1/.test(status.message), status.message);
    });

    it("an async key lookup that rejects is FAILED_PRECONDITION: nothing sent, no handler run, no tenant quoted", async () => {
      const down: ScenarioOptions = {
        ...serverOptions,
        keyForCall: async () => {
          await delay(2);
          throw new Error("vault down for tenant acme");
        },
      };
      const refusing = await startServer(down);
      const token = seal("acme", CARD_NUMBER, ["acme", "rec-1"], "SZSECRET-4111");
      const atServer = await failure(client(refusing.port, undefined, "acme").authorize({ id: "rec-1", cardNumber: token }));
      assert.equal(atServer.code, FAILED_PRECONDITION);
      assert.equal(refusing.seen.length, 0, "no handler ran");
      const sending = client(capture.port, down, "acme");
      const before = capture.seen.length;
      const atClient = [
        await failure(sending.authorize({ id: "rec-1", cardNumber: "SZSECRET-4111" })),
        await failure(sending.exchange([{ id: "rec-1", cardNumber: "SZSECRET-4111" }])),
      ];
      assert.equal(capture.seen.length, before, "nothing was sent");
      for (const status of [atServer, ...atClient]) {
        assert.equal(status.code, FAILED_PRECONDITION);
        assert.match(status.message, /no keyring is available for this call/);
        assert.ok(!/acme|vault/.test(status.message), status.message);
      }
    });

    it("a call without the tenant header fails closed, FAILED_PRECONDITION", async () => {
      const before = capture.seen.length;
      const status = await failure(client(capture.port, clientOptions).authorize({ id: "rec-1", cardNumber: "SZSECRET-4111" }));
      assert.equal(status.code, FAILED_PRECONDITION);
      assert.equal(capture.seen.length, before);
    });

    it("a context function that throws fails the message closed, FAILED_PRECONDITION, without its message", async () => {
      const throwing: ScenarioOptions = {
        ...serverOptions,
        context: () => {
          throw new Error("SZSECRET-context acme rec-1");
        },
      };
      const before = capture.seen.length;
      const atClient = await failure(client(capture.port, throwing, "acme").authorize({ id: "rec-1", cardNumber: "SZSECRET-4111" }));
      assert.equal(capture.seen.length, before, "nothing was sent");
      const refusing = await startServer(throwing);
      const token = seal("acme", CARD_NUMBER, ["acme", "rec-1"], "SZSECRET-4111");
      const atServer = await failure(client(refusing.port, undefined, "acme").authorize({ id: "rec-1", cardNumber: token }));
      assert.equal(refusing.seen.length, 0, "no handler ran");
      for (const status of [atClient, atServer]) {
        assert.equal(status.code, FAILED_PRECONDITION);
        assert.match(status.message, /the `context` function threw/);
        assert.ok(!/SZSECRET|acme|rec-1/.test(status.message), status.message);
      }
    });

    it("crypto-shredding: with acme's key gone from the store and forgotten, every stored acme token is undecryptable; globex keeps working", async () => {
      // What a database holds: tokens as the client sent them.
      const acme = client(capture.port, clientOptions, "acme");
      const globex = client(capture.port, clientOptions, "globex");
      const stored = async (calls: ScenarioCalls, id: string): Promise<PaymentInit> => {
        await calls.authorize({ id, cardNumber: `SZSECRET-${id}` });
        return { id, cardNumber: capture.seen.at(-1)?.cardNumber as string };
      };
      const acmeRows = [await stored(acme, "a-1"), await stored(acme, "a-2")];
      const globexRows = [await stored(globex, "g-1")];
      const replay = (tenant: string, row: PaymentInit) => client(server.port, undefined, tenant).authorize(row);
      await replay("acme", acmeRows[0] as PaymentInit);
      assert.equal(server.seen.at(-1)?.cardNumber, "SZSECRET-a-1", "readable before the shredding");

      secrets.store.delete("acme");
      serverKeys.forget("acme");
      clientKeys.forget("acme");

      const before = server.seen.length;
      for (const row of acmeRows) {
        const status = await failure(replay("acme", row));
        assert.equal(status.code, FAILED_PRECONDITION);
        assert.ok(!status.message.includes("acme"));
      }
      assert.equal(server.seen.length, before, "no acme value reached a handler");
      // The other tenant is untouched, stored values and new calls alike.
      await replay("globex", globexRows[0] as PaymentInit);
      assert.equal(server.seen.at(-1)?.cardNumber, "SZSECRET-g-1");
      const fresh = await client(server.port, clientOptions, "globex").authorize({ id: "g-2", cardNumber: "SZSECRET-g-2" });
      assert.equal(fresh.cardNumber, "SZSECRET-g-2");
      // And acme's client can no longer seal anything either.
      const status = await failure(client(server.port, clientOptions, "acme").authorize({ id: "a-3", cardNumber: "SZSECRET-a-3" }));
      assert.equal(status.code, FAILED_PRECONDITION);
    });
  });
}
