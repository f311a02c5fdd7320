import { createRequire } from "node:module";
import type { DescMessage, DescMethod, MessageShape } from "@bufbuild/protobuf";
import type * as OpenTelemetryApi from "@opentelemetry/api";
import type { Attributes, Context, Counter, Histogram, Meter, MeterProvider, Tracer, TracerProvider } from "@opentelemetry/api";
import { isSzcryptError } from "../errors/szcrypt-error.js";
import type { FieldCrypto } from "../fields/field-crypto.js";
import type { FieldPlan } from "../plans/field-plan.js";
import { type FailureReason, failureReason } from "./failure-reason.js";
import { suspectOf, tallyWire } from "./wire-values.js";

/** Where telemetry goes. Each provider defaults to the one registered globally with `@opentelemetry/api`. */
export interface TelemetryOptions {
  readonly meterProvider?: MeterProvider;
  readonly tracerProvider?: TracerProvider;
}

/** Which end of the call a transport is on. */
export type TelemetrySide = "client" | "server";

/** Records szcrypt's metrics and spans for the calls of one interceptor. */
export interface Telemetry {
  /**
   * `crypto`, observed for one call of `method`: each message it encrypts or
   * decrypts counts its fields, times the work and, with a tracer, runs in a
   * `szcrypt encrypt` / `szcrypt decrypt` span, child of the context active
   * now (the RPC's span when the RPC is instrumented). Returns `crypto` itself
   * when neither an SDK meter nor an SDK tracer is installed, so a service
   * without OpenTelemetry pays one lookup per call and nothing per message.
   * A server passes `header` (see {@link HeaderLookup}); a client does not.
   */
  forCall(crypto: FieldCrypto, method: DescMethod, side: TelemetrySide, header?: HeaderLookup): FieldCrypto;
}

/**
 * A request header by its lowercase name, on a server: when no span is active
 * there (grpc-js runs interceptors before gRPC instrumentation opens its server
 * span), szcrypt's spans join the trace the caller propagated (W3C
 * `traceparent`, through the registered propagator).
 */
export type HeaderLookup = (name: string) => string | undefined;

const HEADER_GETTER: OpenTelemetryApi.TextMapGetter<HeaderLookup> = {
  keys: () => [],
  get: (header, key) => header(key),
};

/** The instrumentation scope szcrypt's metrics and spans are recorded under. */
export const TELEMETRY_SCOPE = "@szcrypt/core";

// Per-message encrypt/decrypt work runs from microseconds (a few fields) to
// tens of milliseconds (megabytes): the SDK's default buckets are for milliseconds.
const DURATION_BUCKETS = [1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 1];

interface Api {
  readonly otel: typeof OpenTelemetryApi;
  /** What a no-op meter provider hands out: no SDK. */
  readonly noopMeter: Meter;
  /** What a ProxyTracerProvider delegates to until an SDK registers. */
  readonly noopTracerProvider: TracerProvider;
}
let loaded: Api | undefined;

// Loaded by the first createTelemetry, not with core: a tool that never makes
// an interceptor (the CLI) skips the API's import, some 25 ms per process.
// Its CommonJS and ESM builds share one registry (a global symbol), so an SDK
// registered through either is seen.
function api(): Api {
  if (loaded === undefined) {
    const otel = createRequire(import.meta.url)("@opentelemetry/api") as typeof OpenTelemetryApi;
    loaded = { otel, noopMeter: otel.createNoopMeter(), noopTracerProvider: new otel.ProxyTracerProvider().getDelegate() };
  }
  return loaded;
}

interface Instruments {
  readonly fields: Counter;
  readonly failures: Counter;
  readonly duration: Histogram;
}

/** Attributes of one method on one side, built once: names from the schema only. */
interface MethodAttributes {
  readonly call: Attributes;
  readonly duration: Record<"encrypt" | "decrypt", Attributes>;
  /** `szcrypt.fields` attributes by operation, format and key id: a few per method, reused per message. */
  readonly fields: Map<string, Attributes>;
}

/**
 * Creates the {@link Telemetry} a transport adapter records through. With no
 * OpenTelemetry SDK registered (and no provider given) it records nothing and
 * costs nothing per message.
 *
 * Metrics, each recorded once per message:
 * - `szcrypt.fields` (counter): values encrypted or decrypted, by
 *   `szcrypt.operation`, `szcrypt.format`, `szcrypt.key_id` (an id from the
 *   keyring, never one read from the wire), `rpc.system`, `rpc.service`,
 *   `rpc.method`, `szcrypt.side`.
 * - `szcrypt.failures` (counter): messages that failed, by `szcrypt.operation`,
 *   `rpc.service`, `rpc.method`, `szcrypt.side`, `szcrypt.reason` (see
 *   {@link FailureReason}) and `szcrypt.field`, the full name of the field when
 *   the failure has one.
 * - `szcrypt.duration` (histogram, seconds): the encrypt or decrypt work of a
 *   message, by `szcrypt.operation` and `rpc.method`.
 *
 * No attribute holds a key, a plaintext, a token or a caller's string: only
 * names from the schema and the keyring, and the fixed values above.
 *
 * @example
 * ```ts
 * const telemetry = createTelemetry();
 * const observed = telemetry.forCall(crypto, PaymentService.method.authorize, "server");
 * const plain = observed.decryptMessage(PaymentSchema, message);
 * ```
 */
export function createTelemetry(options: TelemetryOptions = {}): Telemetry {
  const { otel, noopMeter, noopTracerProvider } = api();
  let meterProvider: MeterProvider | undefined;
  let instruments: Instruments | undefined;
  let tracerProvider: TracerProvider | undefined;
  let tracer: Tracer | undefined;
  const attributes = new WeakMap<DescMethod, Partial<Record<TelemetrySide, MethodAttributes>>>();

  // Providers are looked up per call, not once: an application may register
  // its SDK after creating the interceptors (the metrics API has no proxy).
  const currentInstruments = (): Instruments | undefined => {
    const provider = options.meterProvider ?? otel.metrics.getMeterProvider();
    if (provider !== meterProvider) {
      meterProvider = provider;
      const meter = provider.getMeter(TELEMETRY_SCOPE);
      instruments =
        meter === noopMeter
          ? undefined
          : {
              fields: meter.createCounter("szcrypt.fields", {
                description: "Sensitive values szcrypt encrypted or decrypted",
                valueType: otel.ValueType.INT,
              }),
              failures: meter.createCounter("szcrypt.failures", {
                description: "Messages szcrypt could not encrypt or decrypt",
                valueType: otel.ValueType.INT,
              }),
              duration: meter.createHistogram("szcrypt.duration", {
                description: "Time szcrypt spent encrypting or decrypting one message",
                unit: "s",
                advice: { explicitBucketBoundaries: DURATION_BUCKETS },
              }),
            };
    }
    return instruments;
  };
  const currentTracer = (): Tracer | undefined => {
    let provider = options.tracerProvider ?? otel.trace.getTracerProvider();
    if (provider instanceof otel.ProxyTracerProvider) {
      provider = provider.getDelegate();
    }
    if (provider !== tracerProvider) {
      tracerProvider = provider;
      tracer = provider === noopTracerProvider ? undefined : provider.getTracer(TELEMETRY_SCOPE);
    }
    return tracer;
  };
  const attributesOf = (method: DescMethod, side: TelemetrySide): MethodAttributes => {
    let bySide = attributes.get(method);
    if (bySide === undefined) {
      bySide = {};
      attributes.set(method, bySide);
    }
    let found = bySide[side];
    if (found === undefined) {
      const call = {
        "rpc.system": "grpc",
        "rpc.service": method.parent.typeName,
        "rpc.method": method.name,
        "szcrypt.side": side,
      };
      found = {
        call,
        duration: {
          encrypt: { "szcrypt.operation": "encrypt", "rpc.method": method.name },
          decrypt: { "szcrypt.operation": "decrypt", "rpc.method": method.name },
        },
        fields: new Map(),
      };
      bySide[side] = found;
    }
    return found;
  };

  return {
    forCall(crypto, method, side, header) {
      const meters = currentInstruments();
      const spans = currentTracer();
      if (meters === undefined && spans === undefined) {
        return crypto;
      }
      let parent = otel.context.active();
      if (spans !== undefined && header !== undefined && otel.trace.getSpan(parent) === undefined) {
        parent = otel.propagation.extract(parent, header, HEADER_GETTER);
      }
      const observe = createObserver(otel, crypto, attributesOf(method, side), meters, spans, parent);
      return {
        format: crypto.format,
        accept: crypto.accept,
        plan: (schema) => crypto.plan(schema),
        keyring: () => crypto.keyring(),
        encryptMessage: (schema, message) => observe("encrypt", schema, message, () => crypto.encryptMessage(schema, message)),
        decryptMessage: (schema, message) => observe("decrypt", schema, message, () => crypto.decryptMessage(schema, message)),
      };
    },
  };
}

type Observer = <Desc extends DescMessage>(
  operation: "encrypt" | "decrypt",
  schema: Desc,
  message: MessageShape<Desc>,
  work: () => MessageShape<Desc>,
) => MessageShape<Desc>;

function createObserver(
  otel: typeof OpenTelemetryApi,
  crypto: FieldCrypto,
  attrs: MethodAttributes,
  meters: Instruments | undefined,
  tracer: Tracer | undefined,
  parent: Context,
): Observer {
  return (operation, schema, message, work) => {
    let plan: FieldPlan | undefined;
    try {
      plan = crypto.plan(schema);
    } catch {
      // The work throws the same schema error, and it is counted below.
    }
    if (plan?.isEmpty === true) {
      // Nothing sensitive in this message type: nothing to count or time.
      return work();
    }
    const span = tracer?.startSpan(
      `szcrypt ${operation}`,
      { kind: otel.SpanKind.INTERNAL, attributes: { ...attrs.call, "szcrypt.operation": operation } },
      parent,
    );
    const start = performance.now();
    let out: MessageShape<typeof schema>;
    try {
      out = work();
    } catch (err) {
      const seconds = (performance.now() - start) / 1000;
      let reason: FailureReason = failureReason(operation, err);
      const field = isSzcryptError(err) ? err.fieldName : undefined;
      if (reason === "decrypt_failed" && operation === "decrypt" && plan !== undefined) {
        reason = suspectOf(crypto, plan.root, message, field) ?? reason;
      }
      const failure: Attributes = { ...attrs.call, "szcrypt.operation": operation, "szcrypt.reason": reason };
      if (field !== undefined) {
        failure["szcrypt.field"] = field;
      }
      meters?.failures.add(1, failure);
      meters?.duration.record(seconds, attrs.duration[operation]);
      if (span !== undefined) {
        // The reason only: an error's message names a field path, which can hold a map key.
        span.setAttribute("error.type", reason);
        if (field !== undefined) {
          span.setAttribute("szcrypt.field", field);
        }
        span.setStatus({ code: otel.SpanStatusCode.ERROR, message: reason });
        span.end();
      }
      throw err;
    }
    const seconds = (performance.now() - start) / 1000;
    const tallies = plan === undefined ? [] : tallyWire(crypto, plan.root, operation === "encrypt" ? out : message, operation);
    if (meters !== undefined) {
      for (const t of tallies) {
        const id = `${operation}\0${t.format}\0${t.keyId}`;
        let fieldAttrs = attrs.fields.get(id);
        if (fieldAttrs === undefined) {
          fieldAttrs = { ...attrs.call, "szcrypt.operation": operation, "szcrypt.format": t.format, "szcrypt.key_id": t.keyId };
          attrs.fields.set(id, fieldAttrs);
        }
        meters.fields.add(t.count, fieldAttrs);
      }
      meters.duration.record(seconds, attrs.duration[operation]);
    }
    if (span !== undefined) {
      span.setAttribute(
        "szcrypt.fields",
        tallies.reduce((n, t) => n + t.count, 0),
      );
      const formats = [...new Set(tallies.map((t) => t.format))].sort();
      if (formats.length > 0) {
        span.setAttribute("szcrypt.format", formats.join(","));
      }
      span.end();
    }
    return out;
  };
}
