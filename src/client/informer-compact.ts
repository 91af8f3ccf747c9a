// The compact form of an informer's cached objects: every repeated string value (namespace, labels,
// image, node name, owner uid, condition reasons, timestamps of the same second ...) points at one
// shared copy instead of one copy per object. JSON.parse gives each object its own strings, so 150,000
// pods of a few Deployments hold the same values 150,000 times. Strings are immutable, so sharing them
// is invisible to readers; object structure is left as it is (controllers may still build on it).
//
// The table is generational: when it holds too many entries it starts afresh (objects keep the
// strings they point at; only later objects stop sharing with earlier ones), so values that never
// repeat cannot make it grow without bound.

/** Values known to be unique per object or per write: looking them up would only fill the table. */
const UNIQUE_KEYS: ReadonlySet<string> = new Set(['uid', 'resourceVersion', 'containerID', 'podIP']);
/** Longer strings rarely repeat and cost their length to hash. */
const MAX_LEN = 256;

interface StringTable {
  /** Replaces repeated strings inside `obj` by shared copies, in place; answers `obj`. */
  compact<T>(obj: T): T;
  size(): number;
}

export function createStringTable(maxEntries = 200_000): StringTable {
  let table = new Map<string, string>();
  const intern = (s: string): string => {
    if (s.length > MAX_LEN) return s;
    const have = table.get(s);
    if (have !== undefined) return have;
    if (table.size >= maxEntries) table = new Map();
    table.set(s, s);
    return s;
  };
  const walk = (v: unknown, depth: number): void => {
    if (depth > 64 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === 'string') v[i] = intern(x);
        else if (x !== null && typeof x === 'object') walk(x, depth + 1);
      }
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      if (typeof x === 'string') {
        if (!UNIQUE_KEYS.has(k) && !(depth === 1 && k === 'name')) o[k] = intern(x);
      } else if (x !== null && typeof x === 'object') walk(x, depth + 1);
    }
  };
  return {
    compact(obj) {
      const root = obj as Record<string, unknown> | null;
      if (root === null || typeof root !== 'object') return obj;
      for (const k in root) {
        const x = root[k];
        if (typeof x === 'string') root[k] = intern(x);
        // metadata sits at depth 1: its own name is unique and not interned
        else if (x !== null && typeof x === 'object') walk(x, k === 'metadata' ? 1 : 2);
      }
      return obj;
    },
    size: () => table.size,
  };
}

/** One table for every informer of the process: a node's name in the Node cache and in its pods' specs is one string. */
export const sharedStringTable: StringTable = createStringTable();
