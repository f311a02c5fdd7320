import type {
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  sendUnaryData,
  UntypedServiceImplementation,
} from "@grpc/grpc-js";
import type { Payment, PaymentSummary, WatchRequest } from "./gen/sz/examples/v1/payments_pb.js";
import { authorize, summarize, watch } from "./payments.js";

/** What a handler received, in arrival order: for tests and the demo to show. */
export type HandlerObserver = (method: "authorize" | "upload" | "watch" | "exchange", request: Payment | WatchRequest) => void;

/**
 * grpc-js handlers for PaymentService, as payments.proto documents them. They
 * see plaintext only when szcrypt's server interceptor sits in front.
 */
export function grpcPaymentHandlers(observe: HandlerObserver = () => {}): UntypedServiceImplementation {
  return {
    authorize(call: ServerUnaryCall<Payment, Payment>, callback: sendUnaryData<Payment>) {
      observe("authorize", call.request);
      callback(null, authorize(call.request));
    },
    upload(call: ServerReadableStream<Payment, PaymentSummary>, callback: sendUnaryData<PaymentSummary>) {
      const received: Payment[] = [];
      call.on("data", (payment: Payment) => {
        observe("upload", payment);
        received.push(payment);
      });
      call.on("end", () => callback(null, summarize(received)));
      call.on("error", () => {});
    },
    watch(call: ServerWritableStream<WatchRequest, Payment>) {
      observe("watch", call.request);
      for (const payment of watch(call.request)) {
        call.write(payment);
      }
      call.end();
    },
    exchange(call: ServerDuplexStream<Payment, Payment>) {
      call.on("data", (payment: Payment) => {
        observe("exchange", payment);
        call.write(authorize(payment));
      });
      call.on("end", () => call.end());
      call.on("error", () => {});
    },
  };
}
