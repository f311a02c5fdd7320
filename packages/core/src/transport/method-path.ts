import type { DescMethod } from "@bufbuild/protobuf";

/**
 * The gRPC path of a method, `/package.Service/Method`: what gRPC and Connect
 * put on the wire, what per-method policies and `unknownMethods.pass` are
 * keyed by, and what `onError` reports.
 *
 * @example
 * ```ts
 * methodPath(PaymentService.method.authorize); // "/sz.examples.v1.PaymentService/Authorize"
 * ```
 */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}
