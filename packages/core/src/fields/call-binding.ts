import type { DescMessage, Message } from "@bufbuild/protobuf";
import { SzcryptError } from "../errors/szcrypt-error.js";
import type { Szc1ContextPart } from "../formats/szc1-context.js";
import type { SzcryptKey } from "../keys/key.js";
import type { Keyring } from "../keys/keyring.js";
import type { FormatName } from "./format-policy.js";

/** What szcrypt knows of a call when it asks for a keyring or a context. */
export interface CallInfo {
  /** The gRPC path, "/package.Service/Method". */
  readonly method: string;
  readonly side: "client" | "server";
  /**
   * A request header (metadata) by lower-case name: on the server the
   * incoming one, on the client the outgoing one, so both sides see the same
   * value. Undefined when absent.
   */
  header(name: string): string | undefined;
  /** Server only: the peer address as the framework reports it. */
  readonly peer?: string;
}

/** Parts of the szc1 context (conformance/SPEC.md "Context binding"): 1-16, each ≤ 1024 bytes. */
export type ContextParts = readonly Szc1ContextPart[];

/** The keyring of a call (e.g. per tenant): see `keyForCall` on FieldPolicyOptions. */
export type KeyForCall = (call: CallInfo) => Keyring | SzcryptKey | Promise<Keyring | SzcryptKey>;

/** The szc1 context of a message of a call: see `context` on FieldPolicyOptions. */
export type ContextFunction = (call: CallInfo, message: Message, schema: DescMessage) => ContextParts;

/** What one message is bound to, resolved by a transport per call and message. */
export interface MessageBinding {
  /** The szc1 context of this message: written into every szc1 value, and required of every one read. */
  readonly context?: ContextParts | undefined;
  /** The keyring of this call, in place of the FieldCrypto's own `key`. */
  readonly keyring?: Keyring | undefined;
}

/**
 * The construction-time rule of context binding: legacy-cbc cannot be bound,
 * so a context together with writing legacy-cbc, or with accepting it without
 * `acceptUnbound`, would be a policy that cannot hold.
 *
 * @throws SzcryptError CONFIG_INVALID naming `option`.
 * @internal
 */
export function assertContextPolicy(format: FormatName, accept: readonly FormatName[], acceptUnbound: boolean, option: string): void {
  if (format === "legacy-cbc") {
    throw new SzcryptError(
      "CONFIG_INVALID",
      `\`${option}\` binds szc1 values to a context, but the format written is legacy-cbc, which cannot be bound: set format "szc1"`,
    );
  }
  if (accept.includes("legacy-cbc") && !acceptUnbound) {
    throw new SzcryptError(
      "CONFIG_INVALID",
      `\`${option}\` requires every value to be context-bound, but \`accept\` lists legacy-cbc, which cannot be bound: accept only "szc1", or set \`acceptUnbound: true\` while senders migrate`,
    );
  }
}
