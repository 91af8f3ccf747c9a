// Deep copies of JSON values. API objects on the write path are plain JSON trees (parsed request
// bodies, decoded stored objects), and copying one by a plain walk costs a fraction of
// structuredClone (about 7 µs against 60 µs for a 4.5 KB pod) or of JSON.parse (about 28 µs), so
// the hot paths that need a private copy use these.

/**
 * A deep copy of a tree of plain objects, arrays and primitives, as structuredClone would make it
 * (properties holding undefined are kept). Anything else (a Date, a Map, a class instance) is
 * copied by structuredClone, so the result is never less faithful than structuredClone's.
 */
export function cloneJson<T>(value: T): T {
  return copy(value) as T;
}

function copy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const n = v.length;
    const out: unknown[] = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = copy(v[i]);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  const src = v as Record<string, unknown>;
  for (const k in src) out[k] = copy(src[k]);
  return out;
}

/**
 * What `JSON.parse(JSON.stringify(value))` returns, built by a walk (no text in between), or
 * undefined when the value holds anything that JSON.stringify would change rather than copy (a
 * toJSON method, a non-finite number, -0, undefined in an array, a non-plain object): the caller
 * then goes through the text. Properties holding undefined, functions or symbols are dropped, as
 * JSON.stringify drops them; key order is kept.
 */
export function jsonRoundTrip<T>(value: T): T | undefined {
  try {
    return strict(value) as T;
  } catch (e) {
    if (e === NOT_PLAIN) return undefined;
    throw e;
  }
}

const NOT_PLAIN = new Error('not plain JSON');

function strict(v: unknown): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (!Number.isFinite(v) || Object.is(v, -0)) throw NOT_PLAIN;
      return v;
    case 'object':
      break;
    default:
      throw NOT_PLAIN;
  }
  if (v === null) return null;
  if (Array.isArray(v)) {
    const n = v.length;
    const out: unknown[] = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const e: unknown = v[i];
      // a hole reads as undefined too
      if (e === undefined || typeof e === 'function' || typeof e === 'symbol') throw NOT_PLAIN;
      out[i] = strict(e);
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in src) {
    const e = src[k];
    if (e === undefined || typeof e === 'symbol') continue;
    if (typeof e === 'function') {
      // an own toJSON (a plain object cannot inherit one) changes what JSON.stringify writes
      if (k === 'toJSON') throw NOT_PLAIN;
      continue;
    }
    out[k] = strict(e);
  }
  return out;
}
