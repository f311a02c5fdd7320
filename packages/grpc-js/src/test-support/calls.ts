// Promise wrappers over grpc-js's callback and stream APIs, with a deadline on
// every call so that a hang fails the test instead of stalling it.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { Metadata, type ServiceError } from "@grpc/grpc-js";
import {
  collectStream,
  type Payment,
  type PaymentSchema,
  type PaymentService,
  type PaymentSummary,
  type WatchRequestSchema,
} from "@szcrypt/example";
import type { GrpcClient } from "../client.js";

export type PaymentClient = GrpcClient<typeof PaymentService>;
export type PaymentInit = MessageInitShape<typeof PaymentSchema>;

const options = () => ({ deadline: Date.now() + 10_000 });

export function unary(client: PaymentClient, request: PaymentInit): Promise<Payment> {
  return new Promise((resolve, reject) => {
    client.authorize(request, new Metadata(), options(), (err: ServiceError | null, value?: Payment) =>
      err ? reject(err) : resolve(value as Payment),
    );
  });
}

export function clientStream(client: PaymentClient, requests: readonly PaymentInit[]): Promise<PaymentSummary> {
  return new Promise((resolve, reject) => {
    const call = client.upload(new Metadata(), options(), (err, value) => (err ? reject(err) : resolve(value as PaymentSummary)));
    call.on("error", () => {});
    for (const r of requests) {
      call.write(r);
    }
    call.end();
  });
}

export function serverStream(client: PaymentClient, request: MessageInitShape<typeof WatchRequestSchema>): Promise<Payment[]> {
  return collectStream(client.watch(request, new Metadata(), options()));
}

export function bidi(client: PaymentClient, requests: readonly PaymentInit[]): Promise<Payment[]> {
  const call = client.exchange(new Metadata(), options());
  const done = collectStream<Payment>(call);
  for (const r of requests) {
    call.write(r);
  }
  call.end();
  return done;
}
