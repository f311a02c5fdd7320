/** One named conformance case: `legacy-cbc/utf8-astral/3`, `peer/ts-to-peer/json/12`. */
export interface ConformanceCase {
  readonly name: string;
  readonly comment?: string;
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
