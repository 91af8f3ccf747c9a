// Stable hashes of pod templates (for `pod-template-hash` and similar revision labels): FNV-1a 32
// over a canonical JSON form (object keys sorted) plus an optional collision count, rendered as the
// decimal value mapped onto a vowel-free alphabet so the result never spells words.

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * JSON with object keys sorted at every level; undefined and null members are left out (a null
 * member is an absent one to the API's Go types: `kubectl rollout undo` sends templates with
 * `creationTimestamp: null`, which must hash and compare like the stored templates without it).
 */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  const rec = v as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(rec).sort()) {
    if (rec[k] === undefined || rec[k] === null) continue;
    parts.push(`${JSON.stringify(k)}:${canonicalJson(rec[k])}`);
  }
  return `{${parts.join(',')}}`;
}

/** FNV-1a, 32 bits, over the UTF-8 bytes of `s`, continuing from `seed`. */
export function fnv32a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Maps each character of `s` onto the safe alphabet (by its code modulo the alphabet's length). */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** The hash of any JSON value (plus a collision count when given), safe-encoded. */
export function computeHash(value: unknown, collisionCount?: number): string {
  let h = fnv32a(canonicalJson(value));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(collisionCount >>> 0);
    for (const x of b) {
      h ^= x;
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return safeEncode(String(h >>> 0));
}

/** Deep equality of JSON values, ignoring object key order and treating null members as absent. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined && ra[k] !== null);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined && rb[k] !== null);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && jsonEqual(ra[k], rb[k]));
}
