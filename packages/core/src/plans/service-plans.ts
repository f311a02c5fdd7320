import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { compileFieldPlan } from "./field-plan.js";

/**
 * Compiles the field plans of the request and response types of every method
 * of `services` (cached, like every plan), so that an invalid
 * `(sz.crypt.v1.sensitive)` annotation anywhere, on either side and at any
 * depth, is reported when a service definition, client or interceptor is
 * created: before the first call, and before any handler runs.
 *
 * @example
 * ```ts
 * compileServicePlans([PaymentService]); // throws SCHEMA_INVALID naming the field
 * ```
 * @throws SzcryptError SCHEMA_INVALID naming the first invalid field found.
 */
export function compileServicePlans(services: Iterable<DescService>): void {
  for (const service of services) {
    for (const method of service.methods) {
      compileMethodPlans(method);
    }
  }
}

/**
 * Compiles the plans of one method's request and response types.
 *
 * @throws SzcryptError SCHEMA_INVALID naming the first invalid field found.
 */
export function compileMethodPlans(method: DescMethod): void {
  compileFieldPlan(method.input);
  compileFieldPlan(method.output);
}
