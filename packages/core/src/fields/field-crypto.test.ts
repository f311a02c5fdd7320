import assert from "node:assert/strict";
import { createDecipheriv } from "node:crypto";
import { describe, it } from "node:test";
import { create, fromBinary, type MessageShape, toBinary } from "@bufbuild/protobuf";
import { DECRYPT_FAILED_MESSAGE, isSzcryptError } from "../errors/szcrypt-error.js";
import { decryptLegacy, decryptLegacyBytes, encryptLegacy } from "../formats/legacy-cbc.js";
import { decryptSzc1 } from "../formats/szc1.js";
import { LeafSchema, Level1Schema, type Shapes, ShapesSchema } from "../gen/sz/testing/v1/shapes_pb.js";
import { SzcryptKey } from "../keys/key.js";
import { Keyring } from "../keys/keyring.js";
import { createFieldCrypto, decryptFields, encryptFields } from "./field-crypto.js";

// FieldCrypto's own behaviour: every shape of the test schema, the format
// policy, and errors naming the field. Expected values are checked with the
// single-value codecs or node's AES directly, not with FieldCrypto.

const key = SzcryptKey.fromBytes(new Uint8Array(32).fill(7));
const crypto = createFieldCrypto({ key });
const key32 = SzcryptKey.fromBytes(new Uint8Array(32).fill(3), { id: "k1" });

function isDecryptFailed(err: unknown): boolean {
  return isSzcryptError(err, "DECRYPT_FAILED") && err.rawMessage === DECRYPT_FAILED_MESSAGE && err.cause === undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) {
    for (const v of Object.values(value)) {
      deepFreeze(v);
    }
    Object.freeze(value);
  }
  return value;
}

function fullShapes(): Shapes {
  return create(ShapesSchema, {
    plain: "plain text",
    secret: "s-1",
    maybeSecret: "s-2",
    blob: new Uint8Array([1, 2, 3]),
    secrets: ["s-3", "", "s-4"],
    blobs: [new Uint8Array([4]), new Uint8Array([5, 6])],
    byName: { alpha: "s-5", beta: "s-6" },
    byId: { 7: new Uint8Array([7]) },
    choice: { case: "secretChoice", value: "s-7" },
    leaf: { secret: "s-8", label: "leaf label" },
    leaves: [{ secret: "s-9", label: "l1" }, { secret: "s-10" }],
    leafByName: { x: { secret: "s-11", label: "lx" } },
    deep: { next: { next: { next: { secret: "s-12" } } } },
    tree: {
      secret: "s-13",
      children: [{ secret: "s-14", children: [{ secret: "s-15" }] }],
      named: { n: { secret: "s-16" } },
      parent: { secret: "s-17" },
    },
    clear: { name: "clear", count: 3n, self: { name: "inner" } },
    clears: [{ name: "c1" }],
  });
}

// Every sensitive value of fullShapes(), by where it sits: the expectation comes
// from the .proto, not from the plan under test.
const SECRETS = [
  "s-1",
  "s-2",
  "s-3",
  "s-4",
  "s-5",
  "s-6",
  "s-7",
  "s-8",
  "s-9",
  "s-10",
  "s-11",
  "s-12",
  "s-13",
  "s-14",
  "s-15",
  "s-16",
  "s-17",
];

describe("FieldCrypto over every shape", () => {
  it("encrypts every sensitive value, leaves clear ones alone, and never changes the caller's message", () => {
    const original = deepFreeze(fullShapes());
    const snapshot = toBinary(ShapesSchema, original);
    const encrypted = crypto.encryptMessage(ShapesSchema, original);
    assert.deepEqual(toBinary(ShapesSchema, original), snapshot, "the input is unchanged");
    const wire = Buffer.from(toBinary(ShapesSchema, encrypted)).toString("latin1");
    for (const secret of SECRETS) {
      assert.ok(!wire.includes(secret), `${secret} is in the clear on the wire`);
    }
    for (const clear of ["plain text", "leaf label", "l1", "lx", "clear", "inner", "c1", "alpha", "beta"]) {
      assert.ok(wire.includes(clear), `${clear} should stay clear`);
    }
    // Decrypted independently of the plan: each value is a legacy token of the original.
    assert.equal(decryptLegacy(encrypted.secret, key), "s-1");
    assert.equal(decryptLegacy(encrypted.leaves[1]?.secret ?? "", key), "s-10");
    assert.equal(decryptLegacy(encrypted.byName["beta"] ?? "", key), "s-6");
    assert.deepEqual([...decryptLegacyBytes(encrypted.blob, key)], [1, 2, 3]);
    assert.equal(encrypted.choice.case, "secretChoice");
    assert.equal(decryptLegacy(String(encrypted.choice.value), key), "s-7");
    assert.equal(decryptLegacy(encrypted.tree?.children[0]?.children[0]?.secret ?? "", key), "s-15");
    assert.equal(encrypted.secrets[1], "", "an empty value stays empty");
    assert.equal(encrypted.clear, original.clear, "subtrees with nothing sensitive are shared, not copied");
  });

  it("round-trips through the wire", () => {
    const original = fullShapes();
    const decoded = fromBinary(ShapesSchema, toBinary(ShapesSchema, crypto.encryptMessage(ShapesSchema, original)));
    assert.deepEqual(crypto.decryptMessage(ShapesSchema, decoded), original);
  });

  it("encryptFields/decryptFields are the same operations as functions", () => {
    const options = { key };
    const original = deepFreeze(fullShapes());
    const sealed = encryptFields(ShapesSchema, original, options);
    assert.equal(decryptLegacy(sealed.secret, key), "s-1");
    assert.deepEqual(decryptFields(ShapesSchema, sealed, crypto), original);
  });

  it("handles a oneof holding a message with secrets", () => {
    const m = create(ShapesSchema, { choice: { case: "leafChoice", value: { secret: "in-oneof", label: "x" } } });
    const e = crypto.encryptMessage(ShapesSchema, m);
    assert.equal(e.choice.case, "leafChoice");
    assert.equal(decryptLegacy((e.choice.value as MessageShape<typeof LeafSchema>).secret, key), "in-oneof");
    assert.deepEqual(crypto.decryptMessage(ShapesSchema, e), m);
  });

  const failures: [string, (s: Shapes) => void, string, string][] = [
    [
      "leaves[1].secret",
      (s) => {
        s.leaves[1] = create(LeafSchema, { secret: "not a token" });
      },
      "leaves[1].secret",
      "sz.testing.v1.Leaf.secret",
    ],
    [
      "by_name",
      (s) => {
        s.byName["user@example.com\u202e"] = "bm90IGEgdG9rZW4=";
      },
      // The key is the sender's text: never quoted into a path that reaches statuses and logs.
      "by_name[<key>]",
      "sz.testing.v1.Shapes.by_name",
    ],
    [
      "deep",
      (s) => {
        s.deep = create(Level1Schema, { next: { next: { next: { secret: "x" } } } });
      },
      "deep.next.next.next.secret",
      "sz.testing.v1.Level4.secret",
    ],
    [
      "secret_choice",
      (s) => {
        s.choice = { case: "secretChoice", value: encryptLegacy("x", SzcryptKey.fromBytes(new Uint8Array(32))) };
      },
      "secret_choice",
      "sz.testing.v1.Shapes.secret_choice",
    ],
    [
      "blob",
      (s) => {
        s.blob = new Uint8Array(48);
      },
      "blob",
      "sz.testing.v1.Shapes.blob",
    ],
  ];
  for (const [label, tamper, path, fieldName] of failures) {
    it(`names the path of a value that does not decrypt: ${label}`, () => {
      const e = crypto.encryptMessage(ShapesSchema, fullShapes());
      const copy = fromBinary(ShapesSchema, toBinary(ShapesSchema, e));
      tamper(copy);
      assert.throws(
        () => crypto.decryptMessage(ShapesSchema, copy),
        (err: unknown) => {
          assert.ok(isSzcryptError(err, "DECRYPT_FAILED"), String(err));
          assert.equal(err.fieldPath, path);
          assert.equal(err.fieldName, fieldName);
          assert.equal(err.rawMessage, DECRYPT_FAILED_MESSAGE);
          return true;
        },
      );
    });
  }

  it("refuses an unknown or empty format policy", () => {
    assert.throws(
      () => createFieldCrypto({ key, format: "rot13" as never }),
      (err: unknown) => isSzcryptError(err, "CONFIG_INVALID"),
    );
    assert.throws(
      () => createFieldCrypto({ key, accept: [] }),
      (err: unknown) => isSzcryptError(err, "CONFIG_INVALID"),
    );
  });
});

describe("format policy in FieldCrypto", () => {
  const ring = new Keyring({
    keys: [key32, SzcryptKey.fromBytes(new Uint8Array(16).fill(5), { id: "old" })],
    primary: "k1",
    legacy: "old",
  });
  const message = () => create(ShapesSchema, { secret: "s-1", blob: new Uint8Array([1, 2]), leaves: [{ secret: "s-2" }] });

  it("writes szc1 bound to each field's full name", () => {
    const szc1 = createFieldCrypto({ key: ring, format: "szc1" });
    const e = szc1.encryptMessage(ShapesSchema, message());
    assert.match(e.secret, /^szc1:/);
    assert.equal(decryptSzc1(e.secret, ring, { fieldName: "sz.testing.v1.Shapes.secret" }), "s-1");
    assert.equal(decryptSzc1(e.leaves[0]?.secret ?? "", ring, { fieldName: "sz.testing.v1.Leaf.secret" }), "s-2");
    assert.deepEqual(szc1.decryptMessage(ShapesSchema, fromBinary(ShapesSchema, toBinary(ShapesSchema, e))), message());
  });

  it("accepts both formats during a migration, and only what the policy lists after", () => {
    const legacyWriter = createFieldCrypto({ key: ring, format: "legacy-cbc" });
    const migrating = createFieldCrypto({ key: ring, format: "szc1", accept: ["szc1", "legacy-cbc"] });
    const strict = createFieldCrypto({ key: ring, format: "szc1" });
    const fromLegacy = legacyWriter.encryptMessage(ShapesSchema, message());
    assert.deepEqual(migrating.decryptMessage(ShapesSchema, fromLegacy), message());
    assert.throws(
      () => strict.decryptMessage(ShapesSchema, fromLegacy),
      (err: unknown) => isDecryptFailed(err) && (err as { fieldPath?: string }).fieldPath === "secret",
    );
    const legacyOnly = createFieldCrypto({ key: ring, format: "legacy-cbc" });
    assert.throws(() => legacyOnly.decryptMessage(ShapesSchema, strict.encryptMessage(ShapesSchema, message())), isDecryptFailed);
  });

  it("a szc1 value moved to another field fails there", () => {
    const szc1 = createFieldCrypto({ key: ring, format: "szc1" });
    const e = szc1.encryptMessage(ShapesSchema, message());
    const swapped = { ...e, secret: e.leaves[0]?.secret ?? "" };
    assert.throws(() => szc1.decryptMessage(ShapesSchema, swapped), isDecryptFailed);
  });

  it("uses the keyring's legacy key for legacy-cbc", () => {
    const e = createFieldCrypto({ key: ring }).encryptMessage(ShapesSchema, message());
    // Independent check: the "old" key's bytes (16 × 0x05) through node's AES-128-CBC, not szcrypt's codec.
    const raw = Buffer.from(e.secret, "base64");
    const d = createDecipheriv("aes-128-cbc", Buffer.alloc(16, 5), raw.subarray(0, 16));
    assert.equal(Buffer.concat([d.update(raw.subarray(16)), d.final()]).toString(), "s-1");
    assert.equal(ring.legacy.id, "old");
    assert.deepEqual(createFieldCrypto({ key: ring.legacy }).decryptMessage(ShapesSchema, e), message());
  });
});
