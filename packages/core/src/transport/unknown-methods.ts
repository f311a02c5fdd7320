import { SzcryptError } from "../errors/szcrypt-error.js";
import { assertMethodPath } from "../fields/field-policy.js";

/**
 * What a transport does with a call to a method it has no protobuf schema for
 * (szcrypt cannot know which of its fields are sensitive). `"reject"` fails
 * the call; `{ pass: [paths] }` lets exactly those gRPC paths through untouched.
 */
export type UnknownMethods = "reject" | { readonly pass: readonly string[] };

/**
 * Resolves an `unknownMethods` option into a test of a gRPC path.
 *
 * @throws SzcryptError CONFIG_INVALID for anything but `"reject"` or
 *   `{ pass: [gRPC paths] }`, or for a path not shaped `/package.Service/Method`.
 */
export function unknownMethodPasses(option: UnknownMethods | undefined): (path: string) => boolean {
  if (option === undefined || option === "reject") {
    return () => false;
  }
  if (typeof option !== "object" || option === null || !Array.isArray(option.pass)) {
    // "pass" for every method is gone: one typo'd or new method would cross unprotected.
    throw new SzcryptError(
      "CONFIG_INVALID",
      'unknownMethods is "reject" or { pass: [gRPC paths] }, the methods with nothing to protect, e.g. { pass: ["/grpc.health.v1.Health/Check"] }',
    );
  }
  const pass = new Set<string>();
  for (const path of option.pass) {
    assertMethodPath(path, "unknownMethods.pass");
    pass.add(path);
  }
  return (path) => pass.has(path);
}
