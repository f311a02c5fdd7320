export type { SzcryptConnectOptions } from "./interceptors.js";
export { createConnectClientInterceptor, createConnectServerInterceptor } from "./interceptors.js";
