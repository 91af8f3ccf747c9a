// Sets of field paths in the FieldsV1 wire format of managedFields. A path is a list of path
// elements, each kept in its serialized form:
//   f:<name>        a field of a struct or a key of a map
//   k:{"a":1,...}   an item of an associative list, by its key fields (names sorted, compact JSON)
//   v:<json>        an item of a set list, by value
//   i:<n>           an item of a list by index
// In FieldsV1 each node is a JSON object; `".": {}` marks a node that is itself a member and also
// has children; a member without children is `{}`.

import { badRequest } from '../../base/errors.js';
import type { Json, JsonObject } from '../../api/object.js';
import { isObject } from './shape.js';

export type PathElement = string;
export type FieldPath = readonly PathElement[];

export const fieldPE = (name: string): PathElement => `f:${name}`;
export const indexPE = (i: number): PathElement => `i:${i}`;
export const valuePE = (v: Json): PathElement => `v:${JSON.stringify(v)}`;
/** `k:` element for an associative-list item; key names are sorted as upstream does. */
export function keyPE(keys: Readonly<Record<string, Json>>): PathElement {
  const names = Object.keys(keys);
  if (names.length > 1) names.sort();
  let s = 'k:{';
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    s += `${i > 0 ? ',' : ''}${JSON.stringify(n)}:${JSON.stringify(keys[n] ?? null)}`;
  }
  return `${s}}`;
}

const KIND_RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** The order of path elements in serialised FieldsV1: `f:`, `k:`, `v:`, `i:` (by index), each sorted. */
export function comparePE(a: string, b: string): number {
  const ra = KIND_RANK[a[0] ?? ''] ?? 9;
  const rb = KIND_RANK[b[0] ?? ''] ?? 9;
  if (ra !== rb) return ra - rb;
  if (ra === 3) return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Human-readable form used in conflict messages: `.spec.containers[name="web"].image`. */
export function fieldPathString(path: FieldPath): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${body}`;
        case 'i':
          return `[${body}]`;
        case 'v':
          return `[=${body}]`;
        case 'k': {
          try {
            const obj = JSON.parse(body) as JsonObject;
            return `[${Object.entries(obj)
              .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
              .join(',')}]`;
          } catch {
            return `[${body}]`;
          }
        }
        default:
          return pe;
      }
    })
    .join('');
}

export class FieldSet {
  member = false;
  readonly children = new Map<PathElement, FieldSet>();

  static fromPaths(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Parses a FieldsV1 object; malformed input is a 400 naming `where`. */
  static fromFieldsV1(obj: Json, where = 'fieldsV1'): FieldSet {
    const s = new FieldSet();
    if (!isObject(obj)) throw badRequest(`${where}: must be an object`);
    for (const [k, v] of Object.entries(obj)) {
      if (k === '.') {
        s.member = true;
        continue;
      }
      if (!/^[fkvi]:/.test(k)) throw badRequest(`${where}: invalid path element ${JSON.stringify(k)}: must start with f:, k:, v: or i:`);
      if (k[0] === 'k' || k[0] === 'v') {
        try {
          JSON.parse(k.slice(2));
        } catch {
          throw badRequest(`${where}: invalid path element ${JSON.stringify(k)}: not valid JSON`);
        }
      }
      if (k[0] === 'i' && !/^i:\d+$/.test(k)) throw badRequest(`${where}: invalid path element ${JSON.stringify(k)}`);
      const child = FieldSet.fromFieldsV1(v, `${where}.${k}`);
      if (child.children.size === 0) child.member = true;
      s.children.set(k, child);
    }
    return s;
  }

  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    if (this.member && this.children.size > 0) out['.'] = {};
    const keys = [...this.children.keys()].sort(comparePE);
    for (const k of keys) out[k] = this.children.get(k)!.toFieldsV1();
    return out;
  }

  insert(path: FieldPath): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (const pe of path) {
      let next = node.children.get(pe);
      if (!next) {
        next = new FieldSet();
        node.children.set(pe, next);
      }
      node = next;
    }
    node.member = true;
  }

  has(path: FieldPath): boolean {
    const n = this.node(path);
    return n !== undefined && n.member;
  }

  /** The subtree at `path` (any node, member or not). */
  node(path: FieldPath): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const pe of path) {
      node = node.children.get(pe);
      if (!node) return undefined;
    }
    return node;
  }

  /** True when `path` or anything beneath it is a member. */
  hasPrefix(path: FieldPath): boolean {
    const n = this.node(path);
    return n !== undefined && !n.isEmpty();
  }

  isEmpty(): boolean {
    if (this.member) return false;
    for (const c of this.children.values()) if (!c.isEmpty()) return false;
    return true;
  }

  /** Number of member paths. */
  size(): number {
    let n = this.member ? 1 : 0;
    for (const c of this.children.values()) n += c.size();
    return n;
  }

  union(o: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member || o.member;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      out.children.set(k, oc ? c.union(oc) : c.copy());
    }
    for (const [k, oc] of o.children) if (!this.children.has(k)) out.children.set(k, oc.copy());
    return out.pruned();
  }

  /** True when some member path of `o` is a member here too (intersection not empty), without building it. */
  meets(o: FieldSet): boolean {
    if (this.member && o.member) return true;
    const [small, large] = this.children.size <= o.children.size ? [this.children, o.children] : [o.children, this.children];
    for (const [k, c] of small) {
      const oc = large.get(k);
      if (oc && c.meets(oc)) return true;
    }
    return false;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && o.member;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (oc) out.children.set(k, c.intersection(oc));
    }
    return out.pruned();
  }

  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !o.member;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      out.children.set(k, oc ? c.difference(oc) : c.copy());
    }
    return out.pruned();
  }

  equals(o: FieldSet): boolean {
    if (this.member !== o.member) return false;
    const a = [...this.children].filter(([, c]) => !c.isEmpty());
    const b = [...o.children].filter(([, c]) => !c.isEmpty());
    if (a.length !== b.length) return false;
    for (const [k, c] of a) {
      const oc = o.children.get(k);
      if (!oc || !c.equals(oc)) return false;
    }
    return true;
  }

  copy(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [k, c] of this.children) out.children.set(k, c.copy());
    return out;
  }

  /** Every member path, depth first in FieldsV1 order. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (n: FieldSet, prefix: PathElement[]) => {
      if (n.member && prefix.length > 0) out.push(prefix.slice());
      for (const k of [...n.children.keys()].sort(comparePE)) {
        prefix.push(k);
        walk(n.children.get(k)!, prefix);
        prefix.pop();
      }
    };
    walk(this, []);
    return out;
  }

  private pruned(): FieldSet {
    for (const [k, c] of this.children) if (c.isEmpty()) this.children.delete(k);
    return this;
  }
}
