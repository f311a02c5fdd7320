/**
 * A number that Python holds as a `float` even when it is integral: JS has one
 * number type, so `1` and `1.0` cannot be told apart otherwise.
 *
 * @example
 * ```ts
 * pythonJsonDumps(new PyFloat(1)); // "1.0"
 * pythonJsonDumps(1); // "1"
 * ```
 * @throws TypeError when `value` is not a number.
 */
export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    if (typeof value !== "number") {
      throw new TypeError("PyFloat: expected a number");
    }
    this.value = value;
  }
  valueOf(): number {
    return this.value;
  }
}

/**
 * Python's `repr(float)`: the shortest digits that round-trip (as JS also
 * picks), in fixed notation when the decimal exponent is in [-4, 16), else in
 * scientific notation with a signed, at least two-digit exponent. Integral
 * values keep a `.0`.
 *
 * @example
 * ```ts
 * pythonFloatRepr(1e16); // "1e+16"
 * pythonFloatRepr(1); // "1.0"
 * ```
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) {
    return "NaN";
  }
  if (x === Number.POSITIVE_INFINITY) {
    return "Infinity";
  }
  if (x === Number.NEGATIVE_INFINITY) {
    return "-Infinity";
  }
  if (x === 0) {
    return Object.is(x, -0) ? "-0.0" : "0.0";
  }
  // toExponential() without an argument gives the shortest round-trip digits.
  const exponential = Math.abs(x).toExponential();
  const e = exponential.indexOf("e");
  const digits = exponential.slice(0, e).replace(".", "");
  const exp = Number(exponential.slice(e + 1));
  let body: string;
  if (exp < -4 || exp >= 16) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  } else if (exp < 0) {
    body = `0.${"0".repeat(-exp - 1)}${digits}`;
  } else if (digits.length <= exp + 1) {
    body = `${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
  } else {
    body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  return x < 0 ? `-${body}` : body;
}
