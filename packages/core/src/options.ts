/**
 * The `(sz.crypt.v1.sensitive)` field option, as generated from
 * `proto/sz/crypt/v1/options.proto` (shipped in this package).
 *
 * Generated code of an application whose protos import that file should
 * import it from here rather than generate a second copy: with protoc-gen-es,
 * `rewrite_imports=./sz/crypt/**\/*_pb.js:@szcrypt/core/gen` turns the import
 * into `@szcrypt/core/gen/sz/crypt/v1/options_pb.js`, the same module as this
 * entry point.
 *
 * @example
 * ```ts
 * import { getOption } from "@bufbuild/protobuf";
 * import { sensitive } from "@szcrypt/core/options";
 * const marked = MyMessageSchema.fields.filter((f) => getOption(f, sensitive));
 * ```
 *
 * @packageDocumentation
 */
export { file_sz_crypt_v1_options, sensitive } from "./gen/sz/crypt/v1/options_pb.js";
