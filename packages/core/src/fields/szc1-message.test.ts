import assert from "node:assert/strict";
import { createDecipheriv } from "node:crypto";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { DECRYPT_FAILED_MESSAGE, isSzcryptError } from "../errors/szcrypt-error.js";
import { decryptSzc1, decryptSzc1Bytes, encryptSzc1, encryptSzc1Bytes } from "../formats/szc1.js";
import { type Shapes, ShapesSchema } from "../gen/sz/testing/v1/shapes_pb.js";
import { SzcryptKey } from "../keys/key.js";
import { Keyring } from "../keys/keyring.js";
import { transformMessage } from "../plans/transform.js";
import { createFieldCrypto } from "./field-crypto.js";
import { szc1BatchedLeaf, szc1MessageScratchIsClear } from "./szc1-message.js";

// The per-message szc1 batch (szc1-message.ts) against what does not use it:
// node:crypto's AES-GCM by hand and szc1.ts's one-value decrypt, over random
// messages whose values straddle the batch's 96-byte limit and every length
// mod 3 (the text form is cut out of one base64url string per message).

const k1 = SzcryptKey.fromBytes(new Uint8Array(32).fill(3), { id: "k1" });
const k2 = SzcryptKey.fromBytes(new Uint8Array(16).fill(9), { id: "second.key-2" });
const ring = new Keyring({ keys: [k1, k2], primary: "k1" });
const crypto = createFieldCrypto({ key: ring, format: "szc1" });
const F = "sz.testing.v1.Shapes.";

/** Opens a binary token with node:crypto directly (layout from conformance/SPEC.md). */
function openByHand(token: Uint8Array, keyBytes: Uint8Array, fieldName: string): Buffer {
  const t = Buffer.from(token);
  assert.equal(t.subarray(0, 4).toString("latin1"), "szc1");
  const idLength = (t[4] as number) & 0x7f;
  assert.equal((t[4] as number) & 0x80, 0);
  const id = t.subarray(5, 5 + idLength).toString("latin1");
  const nonce = t.subarray(5 + idLength, 17 + idLength);
  const sealed = t.subarray(17 + idLength);
  const d = createDecipheriv(keyBytes.length === 32 ? "aes-256-gcm" : "aes-128-gcm", Buffer.from(keyBytes), nonce);
  d.setAAD(Buffer.from(`szc1\0${id}\0${fieldName}`, "utf8"));
  d.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()]);
}

function textToBinary(token: string): Uint8Array {
  assert.ok(token.startsWith("szc1:"));
  const body = Buffer.from(token.slice(5), "base64url");
  // Canonical unpadded base64url: re-encoding gives the same text.
  assert.equal(body.toString("base64url"), token.slice(5));
  return Buffer.concat([Buffer.from("szc1"), body]);
}

// Now and then long enough that a message's text bodies pass 4 KiB, where each token is encoded on its own.
const text = fc.oneof(
  { arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }), weight: 6 },
  { arbitrary: fc.string({ unit: "grapheme-ascii", minLength: 2100, maxLength: 2600 }), weight: 1 },
);
const bytes = fc.uint8Array({ minLength: 1, maxLength: 140 });

describe("szc1 per message", () => {
  it("seals every value as node:crypto's AES-GCM and szc1.ts open it, and opens them again", () => {
    const k1Bytes = new Uint8Array(32).fill(3);
    fc.assert(
      fc.property(text, bytes, fc.array(text, { maxLength: 9 }), fc.array(bytes, { maxLength: 5 }), (secret, blob, secrets, blobs) => {
        const message = create(ShapesSchema, { secret, blob, secrets, blobs });
        const sealed = crypto.encryptMessage(ShapesSchema, message);
        const strings: [string, string][] = [
          [sealed.secret, `${F}secret`],
          ...sealed.secrets.map((s) => [s, `${F}secrets`] as [string, string]),
        ];
        const plains = [secret, ...secrets];
        strings.forEach(([token, field], i) => {
          assert.equal(openByHand(textToBinary(token), k1Bytes, field).toString("utf8"), plains[i]);
          assert.equal(decryptSzc1(token, ring, { fieldName: field }), plains[i]);
        });
        const blobTokens: [Uint8Array, string, Uint8Array][] = [
          [sealed.blob, `${F}blob`, blob],
          ...sealed.blobs.map((b, i) => [b, `${F}blobs`, blobs[i] as Uint8Array] as [Uint8Array, string, Uint8Array]),
        ];
        for (const [token, field, plain] of blobTokens) {
          assert.equal(token.constructor, Uint8Array);
          assert.equal(token.byteLength, token.buffer.byteLength, "a bytes token is an allocation of its own");
          assert.deepEqual(new Uint8Array(openByHand(token, k1Bytes, field)), plain);
          assert.deepEqual(decryptSzc1Bytes(token, ring, { fieldName: field }), plain);
        }
        const opened = crypto.decryptMessage(ShapesSchema, sealed);
        assert.equal(opened.secret, secret);
        assert.deepEqual(opened.secrets, secrets);
        assert.deepEqual(opened.blob, blob);
        assert.deepEqual(opened.blobs, blobs);
      }),
      { numRuns: 150 },
    );
  });

  it("opens a message whose values are under different keys and made by the one-value path", () => {
    const message: Shapes = create(ShapesSchema, {
      secret: encryptSzc1("one", k2, { fieldName: `${F}secret` }),
      secrets: [encryptSzc1("two", k1, { fieldName: `${F}secrets` }), encryptSzc1("x".repeat(200), k2, { fieldName: `${F}secrets` })],
      blob: encryptSzc1Bytes(new Uint8Array([1, 2]), k2, { fieldName: `${F}blob` }),
    });
    const opened = crypto.decryptMessage(ShapesSchema, message);
    assert.equal(opened.secret, "one");
    assert.deepEqual(opened.secrets, ["two", "x".repeat(200)]);
    assert.deepEqual(opened.blob, new Uint8Array([1, 2]));
  });

  it("fails a message with one altered value with DECRYPT_FAILED naming that field, whichever byte", () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 2, maxLength: 6 }), fc.nat(), fc.nat(), (secrets, which, at) => {
        const sealed = crypto.encryptMessage(ShapesSchema, create(ShapesSchema, { secret: "a", secrets }));
        const index = which % secrets.length;
        const binary = Buffer.from(textToBinary(sealed.secrets[index] as string));
        // Past the magic and header: the key id, nonce, ciphertext or tag.
        const p = 5 + (at % (binary.length - 5));
        binary[p] = (binary[p] as number) ^ 1;
        const altered = [...sealed.secrets];
        altered[index] = `szc1:${binary.subarray(4).toString("base64url")}`;
        const message = create(ShapesSchema, { secret: sealed.secret, secrets: altered });
        assert.throws(
          () => crypto.decryptMessage(ShapesSchema, message),
          (err: unknown) =>
            isSzcryptError(err, "DECRYPT_FAILED") && err.rawMessage === DECRYPT_FAILED_MESSAGE && err.fieldPath === `secrets[${index}]`,
        );
      }),
      { numRuns: 100 },
    );
  });

  it("refuses a non-canonical last base64url character as the one-value path does", () => {
    const sealed = crypto.encryptMessage(ShapesSchema, create(ShapesSchema, { secret: "abcd" }));
    // A body of 3k+1 or 3k+2 bytes leaves unused bits in its last character.
    const body = Buffer.from(sealed.secret.slice(5), "base64url");
    assert.notEqual(body.length % 3, 0);
    const last = sealed.secret.at(-1) as string;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const bumped = sealed.secret.slice(0, -1) + alphabet[alphabet.indexOf(last) + 1];
    assert.deepEqual(Buffer.from(bumped.slice(5), "base64url"), body, "same bytes, another text");
    assert.throws(
      () => crypto.decryptMessage(ShapesSchema, create(ShapesSchema, { secret: bumped })),
      (err: unknown) => isSzcryptError(err, "DECRYPT_FAILED") && err.fieldPath === "secret",
    );
  });

  it("names the field of a string with no UTF-8 form, and seals nothing", () => {
    assert.throws(
      () => crypto.encryptMessage(ShapesSchema, create(ShapesSchema, { secret: "ok", secrets: ["fine", "\ud800"] })),
      (err: unknown) => isSzcryptError(err, "INVALID_PLAINTEXT") && err.fieldPath === "secrets[1]",
    );
  });

  it("opens valid values in the batch, handing none to the one-value path", () => {
    const message = create(ShapesSchema, { secret: "s", secrets: ["a", "b".repeat(150)], blob: new Uint8Array([7]) });
    const sealed = crypto.encryptMessage(ShapesSchema, message);
    const plan = crypto.plan(ShapesSchema);
    const refuse = (): never => {
      throw new Error("the one-value path was asked");
    };
    const leaf = szc1BatchedLeaf(plan.root, sealed, () => ring, refuse);
    const opened = transformMessage(plan.root, sealed, leaf);
    assert.equal(opened.secret, "s");
    assert.deepEqual(opened.secrets, ["a", "b".repeat(150)]);
    assert.deepEqual(opened.blob, new Uint8Array([7]));
  });

  it("hands a value whose plaintext is not UTF-8 to the one-value path, and opens the others in the batch", () => {
    // Not UTF-8 alone, each of them, though some would be beside a neighbour's bytes.
    const bad = [[0xff], [0x80], [0xc3], [0xa9, 0x41], [0x41, 0xe2, 0x82]];
    for (const b of bad) {
      const body = Buffer.from(encryptSzc1Bytes(new Uint8Array(b), k1, { fieldName: `${F}secrets` })).subarray(4);
      const [before, after] = crypto.encryptMessage(ShapesSchema, create(ShapesSchema, { secrets: ["caf\u00e9", "x"] })).secrets;
      const message = create(ShapesSchema, { secrets: [before as string, `szc1:${body.toString("base64url")}`, after as string] });
      const asked: string[] = [];
      const plan = crypto.plan(ShapesSchema);
      const leaf = szc1BatchedLeaf(
        plan.root,
        message,
        () => ring,
        (value, op) => {
          asked.push(op.fieldName);
          return value;
        },
      );
      const opened = transformMessage(plan.root, message, leaf);
      assert.deepEqual(
        opened.secrets.filter((_, i) => i !== 1),
        ["caf\u00e9", "x"],
        `bytes ${b}`,
      );
      assert.deepEqual(asked, [`${F}secrets`], `bytes ${b}: only the bad value goes to the one-value path`);
      assert.throws(
        () => crypto.decryptMessage(ShapesSchema, message),
        (err: unknown) => isSzcryptError(err, "DECRYPT_FAILED") && err.fieldPath === "secrets[1]",
      );
    }
  });

  it("leaves the plaintext scratch all zeros after sealing, opening and refusing", () => {
    const message = create(ShapesSchema, { secret: "s3cret", secrets: ["a", "caf\u00e9".repeat(40)], blob: new Uint8Array([7, 8]) });
    const sealed = crypto.encryptMessage(ShapesSchema, message);
    assert.ok(szc1MessageScratchIsClear(), "after encryptMessage");
    crypto.decryptMessage(ShapesSchema, sealed);
    assert.ok(szc1MessageScratchIsClear(), "after decryptMessage");
    const bad = Buffer.from(encryptSzc1Bytes(new Uint8Array([0xff]), k1, { fieldName: `${F}secrets` })).subarray(4);
    assert.throws(() =>
      crypto.decryptMessage(ShapesSchema, create(ShapesSchema, { secret: sealed.secret, secrets: [`szc1:${bad.toString("base64url")}`] })),
    );
    assert.ok(szc1MessageScratchIsClear(), "after a refused message");
  });
});
