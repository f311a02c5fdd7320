// Canaries for the no-leak hunt: secret values (keys, plaintexts, tokens) in
// every form they could take in text, and as bytes. Text is searched for the
// value itself, its hex, base64 and base64url, and for how util.inspect renders
// its bytes (`<Buffer 43 41 …>`, `ArrayBuffer { [Uint8Contents]: <43 41 …> }`,
// `Uint8Array(32) [ 67, 65, … ]`), whatever the line wrapping. Objects are
// walked, and any Buffer, typed array or ArrayBuffer reachable from them is
// compared with the secret bytes directly.
import { inspect } from "node:util";

export interface Secret {
  readonly label: string;
  readonly bytes: Uint8Array;
  /** Also search for this text as it is (for secrets that are text). */
  readonly text?: string;
}

/** At least this many bytes of a secret in a row count as a leak. */
const WINDOW = 8;

function windows(bytes: Uint8Array): Buffer[] {
  const b = Buffer.from(bytes);
  if (b.length === 0) {
    return [];
  }
  if (b.length <= WINDOW) {
    return [b];
  }
  const starts = new Set([0, Math.floor((b.length - WINDOW) / 2), b.length - WINDOW]);
  return [...starts].map((s) => b.subarray(s, s + WINDOW));
}

/** Text forms of a secret: where found, the leak is named by the secret's label. */
function textForms(secret: Secret): { form: string; needle: string }[] {
  const out: { form: string; needle: string }[] = [];
  if (secret.text !== undefined) {
    out.push({ form: "text", needle: secret.text });
  }
  const all = Buffer.from(secret.bytes);
  if (all.length >= WINDOW) {
    out.push({ form: "hex", needle: all.toString("hex") }, { form: "base64", needle: all.toString("base64").slice(0, 16) });
    out.push({ form: "base64url", needle: all.toString("base64url").slice(0, 16) });
  }
  for (const w of windows(secret.bytes)) {
    // How util.inspect shows bytes, after whitespace is collapsed.
    out.push({ form: "inspected Buffer", needle: [...w].map((x) => x.toString(16).padStart(2, "0")).join(" ") });
    out.push({ form: "inspected Uint8Array", needle: [...w].join(", ") });
  }
  return out;
}

/** Every value reachable from `root` through own properties (hidden ones too), Map and Set entries. */
function* reachable(root: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 0 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (value === null || (typeof value !== "object" && typeof value !== "function")) {
      yield value;
      continue;
    }
    if (seen.has(value) || depth > 16) {
      continue;
    }
    seen.add(value);
    yield value;
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
      continue;
    }
    if (value instanceof Map) {
      for (const [k, v] of value) {
        stack.push({ value: k, depth: depth + 1 }, { value: v, depth: depth + 1 });
      }
    } else if (value instanceof Set) {
      for (const v of value) {
        stack.push({ value: v, depth: depth + 1 });
      }
    }
    for (const key of Reflect.ownKeys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key);
      if (d !== undefined && "value" in d) {
        stack.push({ value: d.value, depth: depth + 1 });
      }
    }
  }
}

export class CanaryHunt {
  readonly #secrets: readonly Secret[];
  readonly #forms: { label: string; form: string; needle: string }[];

  constructor(secrets: readonly Secret[]) {
    this.#secrets = secrets;
    this.#forms = secrets.flatMap((s) => textForms(s).map((f) => ({ label: s.label, ...f })));
  }

  /** The first canary in `text` (raw, and with whitespace collapsed), as "label (form)". */
  inText(text: string): string | undefined {
    const collapsed = text.replace(/\s+/g, " ");
    for (const f of this.#forms) {
      if (text.includes(f.needle) || collapsed.includes(f.needle)) {
        return `${f.label} (${f.form})`;
      }
    }
    return undefined;
  }

  /** The first canary reachable from `value`: in its bytes, its strings, or its inspected form. */
  inValue(value: unknown): string | undefined {
    for (const v of reachable(value)) {
      if (typeof v === "string") {
        const found = this.inText(v);
        if (found !== undefined) {
          return `${found} in a string`;
        }
      } else if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
        const bytes = v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        for (const s of this.#secrets) {
          if (windows(s.bytes).some((w) => bytes.includes(w))) {
            return `${s.label} (bytes of a ${v.constructor.name})`;
          }
        }
      }
    }
    const shown = this.inText(inspect(value, { depth: 16, showHidden: true, maxArrayLength: Number.POSITIVE_INFINITY }));
    return shown === undefined ? undefined : `${shown} when inspected`;
  }
}
