// Makes dist/bin.js executable. (`szcrypt lint` finds sz/crypt/v1/options.proto
// in @szcrypt/core, which ships it.)
import { chmodSync } from "node:fs";

chmodSync("dist/bin.js", 0o755);
