// A short tour of @szcrypt/core: the platform page's scheme, byte for byte.
// Run it with `pnpm demo` before the gRPC demo exists, or
// `node packages/core/dist/examples/quickstart.js`.
import { randomBytes } from "node:crypto";
import { decryptJsonLegacy, decryptLegacy, encryptJsonLegacy, encryptLegacy, parseKeySpec, pythonJsonDumps } from "../index.js";

const spec = process.env["SZCRYPT_KEY"];
if (spec === undefined) {
  console.log("SZCRYPT_KEY is not set: using an ephemeral AES-128 key for this run only.");
}
const key = parseKeySpec(spec ?? `hex:${randomBytes(16).toString("hex")}`);
console.log(`key: ${key} (the fingerprint identifies it; the bytes never print)`);

const token = encryptLegacy("This is a secret message", key);
console.log(`encrypt_message -> ${token.length} base64 characters: a 16-byte IV and 2 AES blocks`);
console.log(`decrypt_message -> ${JSON.stringify(decryptLegacy(token, key))}`);

const dict = { dummy: "dummy", amount: 12.5 };
console.log(`json.dumps text -> ${pythonJsonDumps(dict)}   (JSON.stringify would write ${JSON.stringify(dict)})`);
console.log(`dict round trip -> ${JSON.stringify(decryptJsonLegacy(encryptJsonLegacy(dict, key), key))}`);
