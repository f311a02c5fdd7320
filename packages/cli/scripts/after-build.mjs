// Makes dist/bin.js executable and bundles sz/crypt/v1/options.proto, which
// `szcrypt lint` supplies to folders of .proto files that import it.
import { chmodSync, copyFileSync, mkdirSync } from "node:fs";

chmodSync("dist/bin.js", 0o755);
mkdirSync("dist/proto/sz/crypt/v1", { recursive: true });
copyFileSync("../../proto/sz/crypt/v1/options.proto", "dist/proto/sz/crypt/v1/options.proto");
