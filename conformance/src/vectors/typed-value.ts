import { PyFloat, type PyJsonValue } from "@szcrypt/core";

/**
 * A Python JSON value in the vectors' typed form, which keeps what plain JSON
 * loses: int versus float, and dict key order.
 * `{int: "123"}`, `{float: "0.1"}` (Python's repr), `{str}`, `{bool}`,
 * `{null: null}`, `{list: [...]}`, `{dict: [[key, value], ...]}`.
 */
export type TypedValue =
  | { readonly int: string }
  | { readonly float: string }
  | { readonly str: string }
  | { readonly bool: boolean }
  | { readonly null: null }
  | { readonly list: readonly TypedValue[] }
  | { readonly dict: readonly (readonly [string, TypedValue])[] };

const FLOAT_WORDS: Record<string, number> = { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, "-inf": Number.NEGATIVE_INFINITY };

/** The value as `pythonJsonDumps` takes it: dicts as Maps, floats as {@link PyFloat}. */
export function fromTypedValue(typed: TypedValue): PyJsonValue {
  if ("int" in typed) {
    const n = BigInt(typed.int);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if ("float" in typed) {
    return new PyFloat(FLOAT_WORDS[typed.float] ?? Number(typed.float));
  }
  if ("str" in typed) {
    return typed.str;
  }
  if ("bool" in typed) {
    return typed.bool;
  }
  if ("null" in typed) {
    return null;
  }
  if ("list" in typed) {
    return typed.list.map(fromTypedValue);
  }
  return new Map(typed.dict.map(([key, value]) => [key, fromTypedValue(value)]));
}

/**
 * Whether `parsed` (from `parsePythonJson` with `objects: "map"`) is what
 * Python's `json.loads` gives for `typed`, as far as JS can tell: a float and
 * an int of the same value are alike, NaN equals NaN, -0 differs from 0.
 */
export function matchesTypedValue(parsed: unknown, typed: TypedValue): boolean {
  if ("int" in typed) {
    return typeof parsed === "bigint" ? parsed === BigInt(typed.int) : typeof parsed === "number" && BigInt(typed.int) === BigInt(parsed);
  }
  if ("float" in typed) {
    const expected = FLOAT_WORDS[typed.float] ?? Number(typed.float);
    return typeof parsed === "number" && Object.is(parsed, expected);
  }
  if ("str" in typed) {
    return parsed === typed.str;
  }
  if ("bool" in typed) {
    return parsed === typed.bool;
  }
  if ("null" in typed) {
    return parsed === null;
  }
  if ("list" in typed) {
    return (
      Array.isArray(parsed) && parsed.length === typed.list.length && typed.list.every((item, i) => matchesTypedValue(parsed[i], item))
    );
  }
  if (!(parsed instanceof Map) || parsed.size !== typed.dict.length) {
    return false;
  }
  const keys = [...parsed.keys()];
  return typed.dict.every(([key, value], i) => keys[i] === key && matchesTypedValue(parsed.get(key), value));
}
