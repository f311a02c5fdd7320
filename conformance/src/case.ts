/**
 * One named conformance case: a vector (`legacy-cbc/utf8-astral/3`) or a live
 * cross-check (`peer/ts-to-peer/json/12`). The one case type of the runner and
 * of the vector harness.
 */
export interface ConformanceCase {
  /** `suite/case/tcId`: what --run and --skip match. */
  readonly name: string;
  readonly comment?: string;
  /** A vector's Wycheproof-style flags; none for a cross-check. */
  readonly flags?: readonly string[];
  /** What a vector expects of the implementation; a cross-check always expects agreement. */
  readonly expected?: "valid" | "invalid" | "context-required";
  /** Returns on a pass; throws an Error whose message says what differed (never key or plaintext content). */
  run(): void | Promise<void>;
}

export interface CaseResult {
  readonly name: string;
  readonly passed: boolean;
  /** Listed as known-failing, and failed as expected. */
  readonly expectedFailure: boolean;
  readonly message: string | undefined;
  readonly durationMs: number;
}
