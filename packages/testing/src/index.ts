// @szcrypt/testing: test support for szcrypt's packages. Private, never
// published. The test-only protos' generated code is at
// `@szcrypt/testing/gen/sz/testing/v1/*_pb.js`; fast-check replay at
// `@szcrypt/testing/fast-check-replay` (imported for its effect).
export type { BidiOutcome, CallHeaders, Observed, PaymentClient, PaymentInit, Settled, WatchRequestInit } from "./calls.js";
export {
  bidi,
  bidiSettled,
  clientStream,
  collectStream,
  grpcScenarioCalls,
  grpcStatus,
  observe,
  serverStream,
  settle,
  unary,
} from "./calls.js";
export { INVALID_FIELD, invalidResponseService } from "./invalid-service.js";
export type { CapturingProxy } from "./proxy.js";
export { startCapturingProxy } from "./proxy.js";
export { authorized, clearSampleValues, onlyCardNumber, SENSITIVE_MARK, samplePayment } from "./samples.js";
export type { GrpcServerOptions, RunningServer } from "./servers.js";
export { connectPaymentHandlers, grpcServerFor, startConnectServer, startGrpcServer } from "./servers.js";
export type { ConfiguredTransport, ScenarioOptions } from "./tenant-scenario.js";
export { runTenantScenario } from "./tenant-scenario.js";
export type { ScenarioCalls, ScenarioFormat, TransportUnderTest } from "./transport-scenario.js";
export { runTransportScenario } from "./transport-scenario.js";
