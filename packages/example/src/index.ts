export * from "./gen/sz/examples/v1/folders_pb.js";
export * from "./gen/sz/examples/v1/payments_pb.js";
export type { HandlerObserver } from "./grpc-handlers.js";
export { grpcPaymentHandlers } from "./grpc-handlers.js";
export { INVALID_FIELD, invalidResponseService } from "./invalid-service.js";
export { authorize, clearSampleValues, onlyCardNumber, paymentId, SENSITIVE_MARK, samplePayment, summarize, watch } from "./payments.js";
export type { CapturingProxy } from "./wire.js";
export { collectStream, startCapturingProxy } from "./wire.js";
