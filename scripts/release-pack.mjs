#!/usr/bin/env node
// `pnpm release:pack DIR`: builds the public packages and writes one installable
// tarball per package into DIR, as they would be published. Each library builds
// with its tsconfig.build.json, which leaves tests, test support and test-only
// generated code out of dist; the check below makes sure none got in.
//
// pnpm pack rewrites `workspace:*` ranges to the packed versions; the LICENSE
// and NOTICE at the repository root are copied into each package for the pack
// and removed after. The tarballs are then checked: no workspace: range left,
// README and LICENSE inside, no tests, test support or test-only generated
// code, and every source map carries its sources or points at a shipped file.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The packages a team installs, in dependency order. */
export const PUBLIC_PACKAGES = [
  { name: "@szcrypt/core", dir: "packages/core" },
  { name: "@szcrypt/grpc-js", dir: "packages/grpc-js" },
  { name: "@szcrypt/connect", dir: "packages/connect" },
  { name: "@szcrypt/cli", dir: "packages/cli" },
  { name: "@szcrypt/conformance", dir: "conformance" },
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Packs every public package into `outDir`; returns the tarball paths by package name. */
export function releasePack(outDir, { build = true } = {}) {
  const out = resolve(outDir);
  mkdirSync(out, { recursive: true });
  if (build) {
    const filters = PUBLIC_PACKAGES.map((p) => `--filter=${p.name}`);
    const run = spawnSync("pnpm", ["exec", "turbo", "run", "build", ...filters, "--output-logs=errors-only"], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    });
    if (run.status !== 0) {
      throw new Error(`build failed:\n${run.stdout}${run.stderr}`);
    }
  }
  const tarballs = {};
  for (const pkg of PUBLIC_PACKAGES) {
    const dir = join(root, pkg.dir);
    const copied = [];
    try {
      for (const file of ["LICENSE", "NOTICE"]) {
        if (!existsSync(join(dir, file))) {
          copyFileSync(join(root, file), join(dir, file));
          copied.push(join(dir, file));
        }
      }
      const json = execFileSync("pnpm", ["pack", "--pack-destination", out, "--json"], { cwd: dir, encoding: "utf8" });
      const filename = JSON.parse(json).filename;
      tarballs[pkg.name] = resolve(out, basename(filename));
    } finally {
      for (const f of copied) rmSync(f, { force: true });
    }
    checkTarball(pkg.name, tarballs[pkg.name]);
  }
  return tarballs;
}

/** Fails when a tarball is not what a consumer can install and read. */
function checkTarball(name, tarball) {
  const tmp = mkdtempSync(join(tmpdir(), "szcrypt-pack-check-"));
  try {
    execFileSync("tar", ["-xzf", tarball, "-C", tmp]);
    const pkgDir = join(tmp, "package");
    const problems = [];
    const manifest = readFileSync(join(pkgDir, "package.json"), "utf8");
    if (manifest.includes("workspace:")) problems.push("package.json still has a workspace: range");
    for (const f of ["README.md", "LICENSE", "NOTICE"]) {
      if (!existsSync(join(pkgDir, f))) problems.push(`${f} is missing`);
    }
    const files = listFiles(pkgDir);
    for (const f of files) {
      if (/\.test\.[cm]?[jt]s(\.map)?$|\.test\.d\.ts$|(^|\/)test-support\/|(^|\/)gen\/sz\/testing\//.test(f))
        problems.push(`ships test code: ${f}`);
      if (f.endsWith(".map")) {
        const map = JSON.parse(readFileSync(join(pkgDir, f), "utf8"));
        // A map either carries its sources (the published builds inline them
        // and ship no src/) or points at files the tarball ships.
        (map.sources ?? []).forEach((source, i) => {
          if (typeof map.sourcesContent?.[i] === "string") return;
          const target = posix.normalize(posix.join(posix.dirname(f), map.sourceRoot ?? "", source));
          if (!files.includes(target)) problems.push(`${f} points at ${target}, which is neither inlined nor shipped`);
        });
      }
    }
    if (problems.length > 0) {
      throw new Error(`${name} (${basename(tarball)}):\n  ${problems.join("\n  ")}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function listFiles(dir, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(dir, posix.join(prefix, e.name)) : [posix.join(prefix, e.name)],
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2];
  if (outDir === undefined || process.argv.length > 3) {
    console.error("usage: pnpm release:pack DIR");
    process.exit(2);
  }
  try {
    // Under `pnpm test` turbo has built every package already (SZCRYPT_PACK_BUILT=1).
    const tarballs = releasePack(outDir, { build: process.env.SZCRYPT_PACK_BUILT !== "1" });
    for (const [name, file] of Object.entries(tarballs)) console.log(`${name}\t${file}`);
  } catch (err) {
    console.error(`release:pack: ${err.message}`);
    process.exit(1);
  }
}
