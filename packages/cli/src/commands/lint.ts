import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createFileRegistry, type DescExtension, type DescField, type DescMessage, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { compileFieldPlan, isSensitiveField, isSzcryptError, validateSensitive } from "@szcrypt/core";
import type { Command } from "commander";
import { CliError, EXIT } from "../exit-codes.js";

const OPTIONS_PROTO = "sz/crypt/v1/options.proto";

export interface LintResult {
  readonly messages: number;
  readonly sensitiveFields: { readonly message: string; readonly path: string; readonly fieldName: string }[];
  readonly errors: { readonly fieldName: string; readonly message: string }[];
  /** `google.protobuf.Any` fields beside sensitive data: szcrypt walks what they pack only through its registry. */
  readonly warnings: { readonly fieldName: string; readonly message: string }[];
}

const ANY = "google.protobuf.Any";

/**
 * Checks every `(sz.crypt.v1.sensitive)` annotation on the fields and
 * extensions the descriptor set defines (not its imports of google/ and
 * sz/crypt/), and warns about `google.protobuf.Any` fields in message types
 * that carry sensitive data elsewhere.
 */
export function lintDescriptorSet(bytes: Uint8Array): LintResult {
  let registry: ReturnType<typeof createFileRegistry>;
  try {
    registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, bytes));
  } catch (err) {
    throw new CliError(`not a FileDescriptorSet with all imports included (${(err as Error).message})`, EXIT.MALFORMED);
  }
  const sensitiveFields: LintResult["sensitiveFields"] = [];
  const errors: LintResult["errors"] = [];
  const warnings: LintResult["warnings"] = [];
  let messages = 0;
  // Each annotation on its own: a message with a valid and an invalid one
  // counts the valid one and reports the other.
  const check = (field: DescField | DescExtension, message: string, path: string, fieldName: string) => {
    if (!isSensitiveField(field)) {
      return;
    }
    try {
      validateSensitive(field);
      sensitiveFields.push({ message, path, fieldName });
    } catch (err) {
      if (!isSzcryptError(err, "SCHEMA_INVALID")) {
        throw err;
      }
      errors.push({ fieldName: err.fieldName ?? fieldName, message: err.rawMessage });
    }
  };
  for (const file of registry.files) {
    if (file.name.startsWith("google/protobuf/") || file.name === "sz/crypt/v1/options") {
      continue;
    }
    for (const ext of allExtensions(file)) {
      // szcrypt walks extensions that are in its registry: listed on the type they extend.
      check(ext, ext.extendee.typeName, `(${ext.typeName})`, ext.typeName);
    }
    for (const message of allMessages(file.messages)) {
      messages++;
      for (const field of message.fields) {
        check(field, message.typeName, field.name, `${message.typeName}.${field.name}`);
      }
      warnings.push(...anyWarnings(message, registry));
    }
  }
  return { messages, sensitiveFields, errors, warnings };
}

/** Any fields of `message` when it carries sensitive data at any depth (with every extension of the set). */
function anyWarnings(message: DescMessage, registry: ReturnType<typeof createFileRegistry>): LintResult["warnings"] {
  const anyFields = message.fields.filter((f) => f.message?.typeName === ANY);
  if (anyFields.length === 0) {
    return [];
  }
  try {
    if (compileFieldPlan(message, { registry }).sensitiveFields.length === 0) {
      return [];
    }
  } catch {
    // An invalid annotation below: reported as an error on its own field.
    return [];
  }
  return anyFields.map((f) => {
    const fieldName = `${message.typeName}.${f.name}`;
    return {
      fieldName,
      message:
        `${fieldName} is a google.protobuf.Any in a message that carries sensitive data: szcrypt encrypts what ` +
        "it packs only for types in its registry (by default the message's file and its imports) and refuses " +
        "other types, unless allowUnknownAny lets them through unencrypted. Prefer a typed field",
    };
  });
}

function* allExtensions(file: { extensions: readonly DescExtension[]; messages: readonly DescMessage[] }): Generator<DescExtension> {
  yield* file.extensions;
  for (const m of allMessages(file.messages)) {
    yield* m.nestedExtensions;
  }
}

function* allMessages(messages: readonly DescMessage[]): Generator<DescMessage> {
  for (const m of messages) {
    yield m;
    yield* allMessages(m.nestedMessages);
  }
}

/** A descriptor set for a folder of .proto files, built with the buf binary that ships through npm. */
export function buildDescriptorSet(protoDir: string): Uint8Array {
  const dir = resolve(protoDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new CliError(`${protoDir} is not a folder of .proto files`, EXIT.IO);
  }
  const work = mkdtempSync(join(tmpdir(), "szcrypt-lint-"));
  try {
    symlinkSync(dir, join(work, "user"), "dir");
    const modules = ["  - path: user"];
    if (!existsSync(join(dir, OPTIONS_PROTO))) {
      // The user's protos import sz/crypt/v1/options.proto: supply szcrypt's own copy.
      const bundled = createRequire(import.meta.url).resolve(`@szcrypt/core/proto/${OPTIONS_PROTO}`);
      mkdirSync(join(work, "szcrypt", dirname(OPTIONS_PROTO)), { recursive: true });
      copyFileSync(bundled, join(work, "szcrypt", OPTIONS_PROTO));
      modules.push("  - path: szcrypt");
    }
    writeFileSync(join(work, "buf.yaml"), `version: v2\nmodules:\n${modules.join("\n")}\n`);
    const out = join(work, "image.binpb");
    const buf = createRequire(import.meta.url).resolve("@bufbuild/buf/bin/buf");
    const run = spawnSync(buf, ["build", work, "--as-file-descriptor-set", "-o", out], { encoding: "utf8" });
    if (run.error !== undefined) {
      throw new CliError(`cannot run buf (${run.error.message})`, EXIT.IO);
    }
    if (run.status !== 0) {
      throw new CliError(
        `the .proto files do not compile:\n${run.stderr.replaceAll(`${work}/user/`, `${protoDir.replace(/\/$/, "")}/`).trim()}`,
        EXIT.PROTO_COMPILE,
      );
    }
    return readFileSync(out);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function lintCommand(program: Command): void {
  program
    .command("lint")
    .description("check every (sz.crypt.v1.sensitive) annotation in a folder of .proto files or a descriptor set; exit 6 if any is invalid")
    .argument("[proto_dir]", "folder of .proto files (compiled with the bundled buf)")
    .option(
      "--descriptor-set <file>",
      "a FileDescriptorSet with imports (buf build -o x.binpb, or protoc --include_imports --descriptor_set_out)",
    )
    .option("--list", "also list every sensitive field")
    .action((protoDir: string | undefined, opts: { descriptorSet?: string; list?: boolean }) => {
      if ((protoDir === undefined) === (opts.descriptorSet === undefined)) {
        throw new CliError("give a proto folder or --descriptor-set FILE (one of them)", EXIT.USAGE);
      }
      let bytes: Uint8Array;
      if (opts.descriptorSet !== undefined) {
        try {
          bytes = readFileSync(opts.descriptorSet);
        } catch (err) {
          throw new CliError(`cannot read ${opts.descriptorSet} (${(err as NodeJS.ErrnoException).code ?? "error"})`, EXIT.IO);
        }
      } else {
        bytes = buildDescriptorSet(protoDir as string);
      }
      const result = lintDescriptorSet(bytes);
      if (opts.list) {
        for (const f of result.sensitiveFields) {
          process.stdout.write(`sensitive  ${f.message}.${f.path}\n`);
        }
      }
      for (const w of result.warnings) {
        process.stdout.write(`warning: ${w.message}\n`);
      }
      for (const e of result.errors) {
        process.stdout.write(`error: ${e.message}\n`);
      }
      const warned = result.warnings.length === 0 ? "" : `, ${result.warnings.length} Any fields beside sensitive data`;
      process.stdout.write(
        `${result.messages} message types, ${result.sensitiveFields.length} sensitive fields, ${result.errors.length} invalid annotations${warned}\n`,
      );
      if (result.errors.length > 0) {
        process.exitCode = EXIT.LINT_ERRORS;
      }
    });
}
