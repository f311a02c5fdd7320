import type { FieldCrypto } from "../fields/field-crypto.js";
import type { FormatName } from "../fields/format-policy.js";
import { isSzc1Bytes, SZC1_TEXT_PREFIX } from "../formats/szc1.js";
import { szc1KeyIdOf } from "../formats/token-shape.js";
import type { SzcryptKey } from "../keys/key.js";
import { DEFAULT_KEY_ID, type Keyring } from "../keys/keyring.js";
import type { PlanNode } from "../plans/field-plan.js";
import { transformMessage } from "../plans/transform.js";

/** How many values of a message crossed the wire in one format under one key. */
export interface WireTally {
  readonly format: FormatName;
  /** An id from the keyring, never one read from the wire. */
  readonly keyId: string;
  count: number;
}

/** What a value on the wire looks like before anything tries to open it. */
type Shape =
  | { readonly format: "szc1"; readonly keyId: string | undefined }
  | { readonly format: "legacy-cbc" }
  | { readonly format: "none" };

// A key id is at most 64 bytes after a length byte (conformance/SPEC.md): 88
// base64url characters cover it, so a long token is never decoded whole to read it.
const KEY_ID_PREFIX_CHARS = 88;

/** The id a keyring knows `key` by. */
export function keyIdOf(key: SzcryptKey): string {
  return key.id ?? DEFAULT_KEY_ID;
}

/**
 * Counts the values of an encrypted message by format and key, walking the
 * wire side (what was sent, or what arrived and decrypted). Only called with
 * telemetry on, after the work succeeded, so every szc1 key id is in `ring`.
 */
export function tallyWire(crypto: FieldCrypto, root: PlanNode, wire: object, operation: "encrypt" | "decrypt"): WireTally[] {
  const ring = crypto.keyring();
  const tallies: WireTally[] = [];
  const add = (format: FormatName, keyId: string) => {
    const found = tallies.find((t) => t.format === format && t.keyId === keyId);
    if (found === undefined) {
      tallies.push({ format, keyId, count: 1 });
    } else {
      found.count++;
    }
  };
  if (operation === "encrypt") {
    // Encryption writes one format under one key: no need to read the tokens.
    const keyId = keyIdOf(crypto.format === "szc1" ? ring.primary : ring.legacy);
    transformMessage(root, wire, (value) => {
      add(crypto.format, keyId);
      return value;
    });
    return tallies;
  }
  const acceptSzc1 = crypto.accept.includes("szc1");
  transformMessage(root, wire, (value) => {
    const shape = shapeOf(value, acceptSzc1);
    if (shape.format === "szc1") {
      const key = shape.keyId === undefined ? undefined : ring.get(shape.keyId);
      add("szc1", key === undefined ? "unknown" : keyIdOf(key));
    } else {
      add("legacy-cbc", keyIdOf(ring.legacy));
    }
    return value;
  });
  return tallies;
}

/**
 * Why a message did not decrypt, as far as the values' shapes tell: a format
 * the policy does not accept, or an szc1 key id the keyring does not hold.
 * Looks at the values of `fieldName` (the field the error named) in walk order,
 * which is the order decryption met them in. Undefined when the shapes are
 * fine and the cause is the key, the padding or the tag.
 */
export function suspectOf(
  crypto: FieldCrypto,
  root: PlanNode,
  wire: object,
  fieldName: string | undefined,
): "format_not_accepted" | "key_unavailable" | undefined {
  let ring: Keyring | undefined;
  let suspect: "format_not_accepted" | "key_unavailable" | undefined;
  const acceptSzc1 = crypto.accept.includes("szc1");
  const acceptLegacy = crypto.accept.includes("legacy-cbc");
  transformMessage(root, wire, (value, leaf) => {
    if (suspect !== undefined || (fieldName !== undefined && leaf.fieldName !== fieldName)) {
      return value;
    }
    // szc1 bytes are told apart even where szc1 is not accepted: that is the point here.
    const shape = shapeOf(value, true);
    if ((shape.format === "szc1" && !acceptSzc1) || (shape.format === "legacy-cbc" && !acceptLegacy)) {
      suspect = "format_not_accepted";
    } else if (shape.format === "szc1" && shape.keyId !== undefined) {
      ring ??= crypto.keyring();
      if (ring.get(shape.keyId) === undefined) {
        suspect = "key_unavailable";
      }
    }
    return value;
  });
  return suspect;
}

function shapeOf(value: string | Uint8Array, acceptSzc1: boolean): Shape {
  if (typeof value === "string") {
    if (value.startsWith(SZC1_TEXT_PREFIX)) {
      const head = value.slice(SZC1_TEXT_PREFIX.length, SZC1_TEXT_PREFIX.length + KEY_ID_PREFIX_CHARS);
      return { format: "szc1", keyId: keyIdIn(Buffer.from(head, "base64url")) };
    }
    return legacyLength(Buffer.byteLength(value, "base64"), value.length % 4 === 0) ? { format: "legacy-cbc" } : { format: "none" };
  }
  if (acceptSzc1 && isSzc1Bytes(value)) {
    const body = value.subarray(4);
    return { format: "szc1", keyId: keyIdIn(Buffer.from(body.buffer, body.byteOffset, body.byteLength)) };
  }
  return legacyLength(value.length, true) ? { format: "legacy-cbc" } : { format: "none" };
}

// An IV and at least one block: shorter values or odd lengths are no legacy token at all.
function legacyLength(bytes: number, aligned: boolean): boolean {
  return aligned && bytes >= 32 && bytes % 16 === 0;
}

// The header byte and the id open an szc1 body (token-shape.ts); the rest is not needed to name the key.
function keyIdIn(body: Buffer): string | undefined {
  return szc1KeyIdOf(body);
}
