import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create, createRegistry, toBinary } from "@bufbuild/protobuf";
import { type Any, AnySchema, anyPack, anyUnpack, StringValueSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { isSzcryptError, type SzcryptError } from "../errors/szcrypt-error.js";
import { createFieldCrypto } from "../fields/field-crypto.js";
import { type Card, CardSchema, CarrierSchema, type Envelope, EnvelopeSchema, NoteSchema } from "../gen/sz/testing/v1/packed_pb.js";
import { file_sz_testing_v1_stray, StraySchema } from "../gen/sz/testing/v1/stray_pb.js";
import { SzcryptKey } from "../keys/key.js";
import { openLegacy } from "../test-support/node-legacy.js";
import { decryptFailure, encryptFailure } from "../transport/failure.js";
import { compileFieldPlan } from "./field-plan.js";
import { REDACTED, redact, redactJson } from "./redact.js";

const KEY_BYTES = new Uint8Array(32).fill(9);
const key = SzcryptKey.fromBytes(KEY_BYTES);
const crypto = createFieldCrypto({ key });
const szc1 = createFieldCrypto({ key, format: "szc1" });

const card = (number: string, extra?: Any): Card =>
  create(CardSchema, { number, holder: "A. Holder", ...(extra === undefined ? {} : { extra }) });
const unpackCard = (any: Any | undefined): Card => {
  const c = any === undefined ? undefined : anyUnpack(any, CardSchema);
  assert.ok(c !== undefined, "a Card is packed");
  return c;
};

function envelope(): Envelope {
  return create(EnvelopeSchema, {
    label: "env",
    token: "tok-1",
    payload: anyPack(CardSchema, card("4111-1", anyPack(CardSchema, card("4111-2")))),
    items: [anyPack(CardSchema, card("4111-3")), anyPack(NoteSchema, create(NoteSchema, { text: "note" }))],
    byName: { k: anyPack(CardSchema, card("4111-4")) },
  });
}

function refusal(fn: () => unknown): SzcryptError {
  try {
    fn();
  } catch (err) {
    assert.ok(isSzcryptError(err, "UNSUPPORTED_MESSAGE"), String(err));
    return err;
  }
  assert.fail("expected a refusal");
}

describe("google.protobuf.Any", () => {
  it("encrypts the sensitive fields of packed types the registry knows, at any depth of packing", () => {
    const plain = envelope();
    const enc = crypto.encryptMessage(EnvelopeSchema, plain);
    const payload = unpackCard(enc.payload);
    assert.equal(openLegacy(payload.number, KEY_BYTES), "4111-1");
    assert.equal(payload.holder, "A. Holder");
    assert.equal(openLegacy(unpackCard(payload.extra).number, KEY_BYTES), "4111-2", "an Any inside an Any");
    assert.equal(openLegacy(unpackCard(enc.items[0]).number, KEY_BYTES), "4111-3");
    assert.equal(openLegacy(unpackCard(enc.byName.k).number, KEY_BYTES), "4111-4");
    assert.equal(enc.items[1], plain.items[1], "a packed type with nothing sensitive passes untouched");
    const wire = Buffer.from(toBinary(EnvelopeSchema, enc));
    for (const secret of ["4111-1", "4111-2", "4111-3", "4111-4", "tok-1"]) {
      assert.ok(!wire.includes(secret), `${secret} is not on the wire`);
    }
    assert.equal(unpackCard(plain.payload).number, "4111-1", "the caller's message is not modified");
    assert.deepEqual(crypto.decryptMessage(EnvelopeSchema, enc), plain);
  });

  it("binds szc1 values to the packed type's field", () => {
    const enc = szc1.encryptMessage(EnvelopeSchema, envelope());
    assert.match(unpackCard(enc.payload).number, /^szc1:/);
    assert.deepEqual(szc1.decryptMessage(EnvelopeSchema, enc), envelope());
  });

  it("passes packed well-known types untouched, imported or not", () => {
    const msg = create(CarrierSchema, { payload: anyPack(StringValueSchema, create(StringValueSchema, { value: "clear" })) });
    assert.equal(crypto.encryptMessage(CarrierSchema, msg).payload, msg.payload);
    const time = create(CarrierSchema, { payload: anyPack(TimestampSchema, create(TimestampSchema, { seconds: 1n })) });
    assert.equal(crypto.decryptMessage(CarrierSchema, time).payload, time.payload);
    assert.deepEqual(redactJson(CarrierSchema, msg), {
      payload: { "@type": "type.googleapis.com/google.protobuf.StringValue", value: "clear" },
    });
  });

  it("walks a type whose only link to sensitive data is an Any", () => {
    assert.equal(compileFieldPlan(CarrierSchema).isEmpty, false);
    const enc = crypto.encryptMessage(CarrierSchema, create(CarrierSchema, { payload: anyPack(CardSchema, card("4111-5")) }));
    assert.equal(openLegacy(unpackCard(enc.payload).number, KEY_BYTES), "4111-5");
  });

  it("refuses a packed type the registry does not know, both ways, naming the field and type", () => {
    const stray = create(StraySchema, { secret: "stray-secret" });
    const msg = create(EnvelopeSchema, { items: [anyPack(NoteSchema, create(NoteSchema)), anyPack(StraySchema, stray)] });
    for (const fn of [() => crypto.encryptMessage(EnvelopeSchema, msg), () => crypto.decryptMessage(EnvelopeSchema, msg)]) {
      const err = refusal(fn);
      assert.equal(err.fieldPath, "items[1]");
      assert.match(err.message, /sz\.testing\.v1\.Stray/);
      assert.match(err.message, /allowUnknownAny/);
      assert.ok(!err.message.includes("stray-secret"));
    }
    const carrier = create(CarrierSchema, { payload: anyPack(StraySchema, stray) });
    assert.equal(refusal(() => crypto.encryptMessage(CarrierSchema, carrier)).fieldPath, "payload");
  });

  it("maps the refusal to INVALID_ARGUMENT on requests and INTERNAL on responses", () => {
    const msg = create(CarrierSchema, { payload: anyPack(StraySchema, create(StraySchema, { secret: "x" })) });
    const onEncrypt = refusal(() => crypto.encryptMessage(CarrierSchema, msg));
    const onDecrypt = refusal(() => crypto.decryptMessage(CarrierSchema, msg));
    assert.equal(encryptFailure(onEncrypt, "request").kind, "invalid_argument");
    assert.equal(encryptFailure(onEncrypt, "response").kind, "internal");
    assert.equal(decryptFailure(onDecrypt, "request").kind, "invalid_argument");
    assert.equal(decryptFailure(onDecrypt, "response").kind, "internal");
    assert.match(decryptFailure(onDecrypt, "request").message, /payload/);
  });

  it("lets unknown packed types through only when allowed explicitly", () => {
    const stray = anyPack(StraySchema, create(StraySchema, { secret: "s" }));
    const msg = create(CarrierSchema, { payload: stray });
    for (const allowUnknownAny of [true, ["sz.testing.v1.Stray"]] as const) {
      const lenient = createFieldCrypto({ key, allowUnknownAny });
      assert.equal(lenient.encryptMessage(CarrierSchema, msg).payload, stray);
      assert.equal(lenient.decryptMessage(CarrierSchema, msg).payload, stray);
    }
    refusal(() => createFieldCrypto({ key, allowUnknownAny: ["sz.testing.v1.Other"] }).encryptMessage(CarrierSchema, msg));
    refusal(() => createFieldCrypto({ key, allowUnknownAny: false }).encryptMessage(CarrierSchema, msg));
  });

  it("encrypts a packed type from a registry it is given", () => {
    const registry = createRegistry(EnvelopeSchema.file, file_sz_testing_v1_stray, ...EnvelopeSchema.file.dependencies);
    const withStray = createFieldCrypto({ key, registry });
    const msg = create(CarrierSchema, { payload: anyPack(StraySchema, create(StraySchema, { secret: "stray-secret" })) });
    const enc = withStray.encryptMessage(CarrierSchema, msg);
    const packed = enc.payload === undefined ? undefined : anyUnpack(enc.payload, StraySchema);
    assert.equal(openLegacy(packed?.secret ?? "", KEY_BYTES), "stray-secret");
    assert.deepEqual(withStray.decryptMessage(CarrierSchema, enc), msg);
  });

  it("refuses Any values it cannot read, without quoting them", () => {
    const cases: [string, Any][] = [
      ["no type URL", create(AnySchema, { value: new Uint8Array([10, 1, 65]) })],
      ["does not decode", create(AnySchema, { typeUrl: "type.googleapis.com/sz.testing.v1.Card", value: new Uint8Array([10, 200]) })],
      ["escape codes", create(AnySchema, { typeUrl: "type.googleapis.com/\u001b[31mevil", value: new Uint8Array([1]) })],
    ];
    for (const [name, payload] of cases) {
      const err = refusal(() => crypto.decryptMessage(CarrierSchema, create(CarrierSchema, { payload })));
      assert.equal(err.fieldPath, "payload", name);
      assert.ok(!err.message.includes("\u001b"), name);
    }
    const empty = create(CarrierSchema, { payload: create(AnySchema) });
    assert.equal(crypto.encryptMessage(CarrierSchema, empty), empty, "an empty Any packs nothing");
  });

  it("redacts packed sensitive fields and empties packed types it does not know", () => {
    const msg = create(EnvelopeSchema, {
      payload: anyPack(CardSchema, card("4111-6")),
      items: [anyPack(StraySchema, create(StraySchema, { secret: "stray-secret" }))],
    });
    const r = redact(EnvelopeSchema, msg);
    assert.equal(unpackCard(r.payload).number, REDACTED);
    assert.equal(r.items[0]?.typeUrl, msg.items[0]?.typeUrl);
    assert.equal(r.items[0]?.value.length, 0);
    const json = JSON.stringify(redactJson(EnvelopeSchema, msg));
    assert.ok(!json.includes("4111-6") && !json.includes("stray-secret"), json);
    assert.match(json, /"number":"\[REDACTED\]"/);
  });

  it("empties in redaction an Any holding bytes without a type URL, which encryption refuses", () => {
    const typeless = create(AnySchema, { value: toBinary(CardSchema, card("4111-7")) });
    const msg = create(EnvelopeSchema, { payload: typeless, items: [typeless] });
    assert.throws(
      () => crypto.encryptMessage(EnvelopeSchema, msg),
      (err: unknown) => isSzcryptError(err, "UNSUPPORTED_MESSAGE"),
    );
    const r = redact(EnvelopeSchema, msg);
    assert.equal(r.payload?.value.length, 0);
    assert.equal(r.items[0]?.value.length, 0);
    assert.equal(msg.payload?.value.length, typeless.value.length, "the input is not modified");
    assert.ok(!JSON.stringify(redactJson(EnvelopeSchema, msg)).includes("4111-7"));
  });
});

describe("an Any that is the whole message, or packed directly in another Any", () => {
  it("is refused, not sent untouched", () => {
    const inner = anyPack(CardSchema, card("4111-1111-1111-1111"));
    const outer = anyPack(AnySchema, inner);
    const refused = (err: unknown) => isSzcryptError(err, "UNSUPPORTED_MESSAGE") && !String((err as Error).message).includes("4111");
    // Packed in an Any field, directly inside another Any.
    assert.throws(() => crypto.encryptMessage(CarrierSchema, create(CarrierSchema, { payload: outer })), refused);
    assert.throws(() => crypto.decryptMessage(CarrierSchema, create(CarrierSchema, { payload: outer })), refused);
    // As the whole request or response type: no plan, so no call can go through.
    assert.throws(() => compileFieldPlan(AnySchema), refused);
    assert.throws(() => crypto.encryptMessage(AnySchema, inner), refused);
  });
});
