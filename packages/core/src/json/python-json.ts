import { SzcryptError } from "../errors/szcrypt-error.js";
import { PyFloat, pythonFloatRepr } from "./py-float.js";

/**
 * A value `pythonJsonDumps` accepts: what Python's `json.dumps` takes, in JS.
 *
 * - `number`: a safe integer is a Python `int`; anything else (a fraction, an
 *   integer beyond 2^53, -0, NaN, ±Infinity) is a Python `float`.
 * - `bigint`: a Python `int` of any size.
 * - {@link PyFloat}: a Python `float`, even when integral (`1.0`).
 * - Objects: plain objects keep JS key order, which puts integer-like keys
 *   ("1", "42") first in ascending order whatever order they were written in.
 *   Use a `Map` with string keys to keep any order, as a Python dict does.
 */
export type PyJsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyFloat
  | readonly PyJsonValue[]
  | ReadonlyMap<string, PyJsonValue>
  | { readonly [key: string]: PyJsonValue };

/**
 * The exact text of Python's default `json.dumps(value)`: `", "` and `": "`
 * separators, `ensure_ascii` (every character outside printable ASCII as a
 * lowercase `\uXXXX` escape, astral characters as surrogate pairs), insertion
 * order, integers of any size, floats as Python's `repr`, and `NaN`,
 * `Infinity`, `-Infinity` as Python writes them (`allow_nan=True`).
 *
 * @example
 * ```ts
 * pythonJsonDumps(new Map([["b", 1], ["a", [new PyFloat(2), "é"]]])); // '{"b": 1, "a": [2.0, "\u00e9"]}'
 * ```
 * @throws TypeError for values Python's `json.dumps` would refuse (undefined,
 *   functions, symbols, class instances, non-string map keys) and for cycles.
 */
export function pythonJsonDumps(value: PyJsonValue): string {
  const out: string[] = [];
  writeValue(value, out, new Set());
  return out.join("");
}

function writeValue(value: unknown, out: string[], ancestors: Set<object>): void {
  switch (typeof value) {
    case "string":
      out.push(quote(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "bigint":
      out.push(value.toString());
      return;
    case "number":
      out.push(Number.isSafeInteger(value) && !Object.is(value, -0) ? String(value) : pythonFloatRepr(value));
      return;
    case "object":
      break;
    default:
      throw new TypeError(`pythonJsonDumps: a ${typeof value} is not JSON serializable`);
  }
  if (value === null) {
    out.push("null");
    return;
  }
  if (value instanceof PyFloat) {
    out.push(pythonFloatRepr(value.value));
    return;
  }
  if (ancestors.has(value)) {
    throw new TypeError("pythonJsonDumps: circular reference detected");
  }
  ancestors.add(value);
  if (Array.isArray(value)) {
    out.push("[");
    for (let i = 0; i < value.length; i++) {
      if (i > 0) {
        out.push(", ");
      }
      writeValue(value[i], out, ancestors);
    }
    out.push("]");
  } else if (value instanceof Map) {
    writeEntries(value.entries(), out, ancestors);
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new TypeError(
        `pythonJsonDumps: a ${value.constructor?.name ?? "class instance"} is not JSON serializable; pass plain objects, arrays, Maps and PyFloat`,
      );
    }
    writeEntries(Object.entries(value), out, ancestors);
  }
  ancestors.delete(value);
}

function writeEntries(entries: Iterable<[unknown, unknown]>, out: string[], ancestors: Set<object>): void {
  out.push("{");
  let first = true;
  for (const [key, item] of entries) {
    if (typeof key !== "string") {
      throw new TypeError(`pythonJsonDumps: object keys must be strings, got a ${typeof key}`);
    }
    if (!first) {
      out.push(", ");
    }
    first = false;
    out.push(quote(key), ": ");
    writeValue(item, out, ancestors);
  }
  out.push("}");
}

const NEEDS_ESCAPE = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/;
const SHORT_ESCAPES: Record<number, string> = {
  34: '\\"',
  92: "\\\\",
  10: "\\n",
  13: "\\r",
  9: "\\t",
  8: "\\b",
  12: "\\f",
};

/** Python's `py_encode_basestring_ascii`: escapes everything outside 0x20-0x7e, per UTF-16 unit. */
function quote(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) {
    return `"${text}"`;
  }
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e && unit !== 0x22 && unit !== 0x5c) {
      continue;
    }
    out += text.slice(start, i);
    out += SHORT_ESCAPES[unit] ?? `\\u${unit.toString(16).padStart(4, "0")}`;
    start = i + 1;
  }
  return `${out}${text.slice(start)}"`;
}

/** Options of {@link parsePythonJson}. */
export interface ParsePythonJsonOptions {
  /**
   * How to build JSON objects: `"object"` (default) makes plain objects, which
   * reorder integer-like keys; `"map"` makes `Map`s, which keep Python's order.
   */
  readonly objects?: "object" | "map";
  /** Deepest nesting accepted; deeper input is refused rather than overflowing the stack. Default 512. */
  readonly maxDepth?: number;
  /**
   * How to return numbers written as floats (`1.0`, `1e+16`): `"number"`
   * (default) or `"pyfloat"`, a {@link PyFloat} that `pythonJsonDumps` writes
   * back exactly as Python would.
   */
  readonly floats?: "number" | "pyfloat";
}

/**
 * Parses what Python's `json.dumps` writes, as `json.loads` reads it: `NaN`,
 * `Infinity` and `-Infinity` as numbers, integers beyond 2^53 as `bigint`,
 * duplicate keys with the last value winning, control characters in strings
 * refused. A float with an integral value (`1.0`) comes back as the number 1:
 * JS cannot tell them apart, so `pythonJsonDumps` of the result writes `1`.
 *
 * @example
 * ```ts
 * parsePythonJson('{"10": NaN, "2": 12345678901234567890}', { objects: "map" });
 * // Map { "10" => NaN, "2" => 12345678901234567890n }
 * ```
 * @throws SzcryptError MALFORMED with the offset of the first error.
 */
export function parsePythonJson(text: string, options: ParsePythonJsonOptions = {}): unknown {
  const parser = new Parser(text, options.objects === "map", options.maxDepth ?? 512, options.floats === "pyfloat");
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (parser.pos !== text.length) {
    parser.fail("extra data after the JSON value");
  }
  return value;
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

class Parser {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly maps: boolean,
    private readonly maxDepth: number,
    private readonly pyFloats: boolean,
  ) {}

  fail(what: string): never {
    throw new SzcryptError("MALFORMED", `not Python JSON: ${what} at offset ${this.pos}`);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
        return;
      }
      this.pos++;
    }
  }

  value(depth: number): unknown {
    const t = this.text;
    const c = t[this.pos];
    switch (c) {
      case "{":
        return this.object(depth + 1);
      case "[":
        return this.array(depth + 1);
      case '"':
        return this.string();
      case "n":
        return this.literal("null", null);
      case "t":
        return this.literal("true", true);
      case "f":
        return this.literal("false", false);
      case "N":
        return this.float(this.literal("NaN", Number.NaN));
      case "I":
        return this.float(this.literal("Infinity", Number.POSITIVE_INFINITY));
      case "-":
        if (t.startsWith("-Infinity", this.pos)) {
          return this.float(this.literal("-Infinity", Number.NEGATIVE_INFINITY));
        }
        return this.number();
      default:
        if (c !== undefined && c >= "0" && c <= "9") {
          return this.number();
        }
        return this.fail(c === undefined ? "unexpected end" : "unexpected character");
    }
  }

  literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) {
      this.fail("unexpected character");
    }
    this.pos += word.length;
    return value;
  }

  float(x: number): number | PyFloat {
    return this.pyFloats ? new PyFloat(x) : x;
  }

  number(): number | bigint | PyFloat {
    NUMBER_RE.lastIndex = this.pos;
    const match = NUMBER_RE.exec(this.text);
    if (match === null) {
      return this.fail("invalid number");
    }
    this.pos += match[0].length;
    if (match[1] === undefined && match[2] === undefined) {
      const n = Number(match[0]);
      return Number.isSafeInteger(n) ? n : BigInt(match[0]);
    }
    return this.float(Number(match[0]));
  }

  string(): string {
    const t = this.text;
    this.pos++;
    let out = "";
    let start = this.pos;
    for (;;) {
      if (this.pos >= t.length) {
        this.fail("unterminated string");
      }
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) {
        this.fail("control character in string");
      }
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(start, this.pos);
      const e = t[this.pos + 1];
      if (e === "u") {
        const hex = t.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
          this.fail("invalid \\u escape");
        }
        out += String.fromCharCode(Number.parseInt(hex, 16));
        this.pos += 6;
      } else {
        const s = e === undefined ? undefined : ESCAPES[e];
        if (s === undefined) {
          this.fail("invalid escape");
        }
        out += s;
        this.pos += 2;
      }
      start = this.pos;
    }
  }

  array(depth: number): unknown[] {
    if (depth > this.maxDepth) {
      this.fail("nesting too deep");
    }
    this.pos++;
    const out: unknown[] = [];
    this.skipSpace();
    if (this.text[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value(depth));
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "]") {
        return out;
      }
      if (c !== ",") {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  object(depth: number): Map<string, unknown> | Record<string, unknown> {
    if (depth > this.maxDepth) {
      this.fail("nesting too deep");
    }
    this.pos++;
    const map = new Map<string, unknown>();
    this.skipSpace();
    if (this.text[this.pos] === "}") {
      this.pos++;
      return this.maps ? map : {};
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') {
        this.fail("expected a string key");
      }
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ":") {
        this.fail("expected ':'");
      }
      this.pos++;
      this.skipSpace();
      map.set(key, this.value(depth));
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === "}") {
        break;
      }
      if (c !== ",") {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
    }
    if (this.maps) {
      return map;
    }
    const obj: Record<string, unknown> = {};
    for (const [key, item] of map) {
      // defineProperty, so that a "__proto__" key is data, not a prototype.
      Object.defineProperty(obj, key, { value: item, writable: true, enumerable: true, configurable: true });
    }
    return obj;
  }
}
