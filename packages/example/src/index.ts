// The reference PaymentService (proto/sz/examples/v1): its generated code and
// its behaviour, for the demo and for tests. Test data and test servers are in
// @szcrypt/testing.
export * from "./gen/sz/examples/v1/folders_pb.js";
export * from "./gen/sz/examples/v1/payments_pb.js";
export type { HandlerObserver } from "./grpc-handlers.js";
export { grpcPaymentHandlers } from "./grpc-handlers.js";
export { authorize, paymentId, summarize, watch } from "./payments.js";
