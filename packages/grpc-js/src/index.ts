export type { GrpcClient, GrpcClientMethod } from "./client.js";
export { createGrpcClient } from "./client.js";
export { createClientInterceptor } from "./client-interceptor.js";
export type { SzcryptGrpcOptions } from "./options.js";
export { DEFAULT_KEY_ENV } from "./options.js";
export { createServerInterceptor } from "./server-interceptor.js";
export { createGrpcServiceDefinition } from "./service-definition.js";
export type { SzcryptStatus } from "./status.js";
