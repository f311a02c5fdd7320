import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import { createFieldCrypto } from "../fields/field-crypto.js";
import { type Card, CardSchema } from "../gen/sz/testing/v1/packed_pb.js";
import { type Node, NodeSchema } from "../gen/sz/testing/v1/shapes_pb.js";
import { SzcryptKey } from "../keys/key.js";
import { decryptFailure, encryptFailure } from "../transport/failure.js";
import { redact, redactJson } from "./redact.js";
import { MAX_NESTING, MAX_PACKED_NESTING } from "./transform.js";

const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(1));
const crypto = createFieldCrypto({ key });

/** A root with `levels` messages nested below it, the deepest holding a secret. */
function nest(levels: number): Node {
  let node = create(NodeSchema, { secret: "deepest" });
  for (let i = 0; i < levels; i++) {
    node = create(NodeSchema, { children: [node] });
  }
  return node;
}

/** The same depth reached through google.protobuf.Any: each Card packs the next. */
function nestPacked(levels: number): Card {
  let card = create(CardSchema, { number: "deepest" });
  for (let i = 0; i < levels; i++) {
    card = create(CardSchema, { extra: anyPack(CardSchema, card) });
  }
  return card;
}

const tooDeep = (err: unknown) => isSzcryptError(err, "UNSUPPORTED_MESSAGE") && /1000 levels/.test(err.message);
// assert.deepEqual overflows at these depths: compare bytes.
const bytes = (n: Node) => Buffer.from(toBinary(NodeSchema, n));

describe("nesting limit", () => {
  it("is 1000 levels below the root", () => assert.equal(MAX_NESTING, 1000));

  it("walks 1000 levels and refuses 1001, both ways", () => {
    const enc = crypto.encryptMessage(NodeSchema, nest(1000));
    assert.ok(!bytes(enc).includes("deepest"), "the deepest value is encrypted");
    assert.ok(bytes(crypto.decryptMessage(NodeSchema, enc)).equals(bytes(nest(1000))));
    assert.throws(() => crypto.encryptMessage(NodeSchema, nest(1001)), tooDeep);
    assert.throws(() => crypto.decryptMessage(NodeSchema, nest(1001)), tooDeep);
    assert.throws(() => crypto.encryptMessage(NodeSchema, nest(100_000)), tooDeep);
  });

  it("walks 16 levels of Any in Any and refuses 17, both ways and in redact", () => {
    assert.equal(MAX_PACKED_NESTING, 16);
    const tooDeeplyPacked = (err: unknown) =>
      isSzcryptError(err, "UNSUPPORTED_MESSAGE") && /Any values nest more than 16/.test(err.message);
    const enc = crypto.encryptMessage(CardSchema, nestPacked(16));
    assert.ok(!Buffer.from(toBinary(CardSchema, enc)).includes("deepest"), "the deepest value is encrypted");
    assert.doesNotThrow(() => crypto.decryptMessage(CardSchema, enc));
    assert.doesNotThrow(() => redact(CardSchema, nestPacked(16)));
    assert.throws(() => crypto.encryptMessage(CardSchema, nestPacked(17)), tooDeeplyPacked);
    assert.throws(() => crypto.decryptMessage(CardSchema, nestPacked(17)), tooDeeplyPacked);
    assert.throws(() => redact(CardSchema, nestPacked(17)), tooDeeplyPacked);
    assert.throws(() => redactJson(CardSchema, nestPacked(17)), tooDeeplyPacked);
    // The counter unwinds after a refusal: the next message is walked afresh.
    assert.doesNotThrow(() => crypto.encryptMessage(CardSchema, nestPacked(16)));
  });

  it("is the sender's fault: INVALID_ARGUMENT for requests, INTERNAL for responses, on both sides", () => {
    let decryptErr: unknown;
    let encryptErr: unknown;
    try {
      crypto.decryptMessage(NodeSchema, nest(1001));
    } catch (err) {
      decryptErr = err;
    }
    try {
      crypto.encryptMessage(NodeSchema, nest(1001));
    } catch (err) {
      encryptErr = err;
    }
    assert.equal(decryptFailure(decryptErr, "request").kind, "invalid_argument", "a server receiving it");
    assert.equal(decryptFailure(decryptErr, "response").kind, "internal", "a client receiving it");
    assert.equal(encryptFailure(encryptErr, "request").kind, "invalid_argument", "a client sending it");
    assert.equal(encryptFailure(encryptErr, "response").kind, "internal", "a server sending it");
    assert.match(decryptFailure(decryptErr, "request").message, /more than 1000 levels/);
  });

  it("applies to redact and redactJson, which refuse cleanly instead of overflowing the stack", () => {
    assert.doesNotThrow(() => redact(NodeSchema, nest(1000)));
    assert.doesNotThrow(() => redactJson(NodeSchema, nest(1000)));
    for (const levels of [1001, 100_000]) {
      assert.throws(() => redact(NodeSchema, nest(levels)), tooDeep);
      assert.throws(() => redactJson(NodeSchema, nest(levels)), tooDeep);
    }
  });

  it("names a map in redact's refusal, never its key", () => {
    let node = create(NodeSchema, { secret: "deepest" });
    for (let i = 0; i < 1001; i++) {
      node = create(NodeSchema, { named: { "alice@example.com": node } });
    }
    for (const fn of [() => redact(NodeSchema, node), () => redactJson(NodeSchema, node)]) {
      assert.throws(fn, (err: unknown) => {
        assert.ok(tooDeep(err) && isSzcryptError(err));
        assert.ok(err.fieldPath?.startsWith("named[<key>].named[<key>]"), err.fieldPath);
        assert.ok(!err.message.includes("alice") && !err.fieldPath?.includes("alice"));
        return true;
      });
    }
  });

  it("refuses in redact and redactJson with the error encryption gives, field path and all", () => {
    const thrown = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err;
      }
      return assert.fail("no error");
    };
    const cases = [
      { schema: NodeSchema, deep: nest(1001) },
      { schema: CardSchema, deep: nestPacked(17) },
    ] as const;
    for (const { schema, deep } of cases) {
      const expected = thrown(() => crypto.encryptMessage(schema as never, deep as never));
      assert.ok(isSzcryptError(expected, "UNSUPPORTED_MESSAGE"));
      for (const [name, fn] of [
        ["redact", () => redact(schema as never, deep as never)],
        ["redactJson", () => redactJson(schema as never, deep as never)],
      ] as const) {
        const err = thrown(fn);
        assert.ok(isSzcryptError(err, "UNSUPPORTED_MESSAGE"), `${name}: ${String(err)}`);
        assert.equal(err.message, expected.message, name);
        assert.ok(err.fieldPath !== undefined && err.fieldPath === expected.fieldPath, `${name} names the field path`);
        assert.equal(err.fieldName, expected.fieldName, name);
      }
    }
  });
});
