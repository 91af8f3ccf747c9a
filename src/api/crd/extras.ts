// The checks upstream runs on a custom object after the OpenAPI pass: embedded resources
// (x-kubernetes-embedded-resource: apiVersion, kind and metadata of the inner object) and the
// uniqueness of list-type set and map items. Paths are upstream's field.Path (`.field`, `[key]`, `[i]`).

import type { FieldError } from '../../base/errors.js';
import type { ObjectMeta } from '../object.js';
import { validateObjectMeta } from '../validation/object-meta.js';
import { isDNS1035Label } from '../validation/names.js';
import { additionalOf, child, isPlainObject, itemsOf, key, propsOf, type Schema } from './access.js';

function checkEmbedded(path: string, x: Record<string, unknown>, errs: FieldError[]): void {
  if (!('apiVersion' in x)) errs.push({ type: 'FieldValueRequired', field: child(path, 'apiVersion'), detail: 'must not be empty' });
  if (!('kind' in x)) errs.push({ type: 'FieldValueRequired', field: child(path, 'kind'), detail: 'must not be empty' });
  const av = x.apiVersion,
    kind = x.kind,
    meta = x.metadata;
  if ('apiVersion' in x) {
    if (typeof av !== 'string')
      errs.push({ type: 'FieldValueInvalid', field: child(path, 'apiVersion'), value: av, detail: 'must be a string' });
    else if (!av) errs.push({ type: 'FieldValueInvalid', field: child(path, 'apiVersion'), value: av, detail: 'must not be empty' });
    else if (av.split('/').length > 2)
      errs.push({
        type: 'FieldValueInvalid',
        field: child(path, 'apiVersion'),
        value: av,
        detail: `unexpected GroupVersion string: ${av}`,
      });
  }
  if ('kind' in x) {
    if (typeof kind !== 'string')
      errs.push({ type: 'FieldValueInvalid', field: child(path, 'kind'), value: kind, detail: 'must be a string' });
    else if (!kind) errs.push({ type: 'FieldValueInvalid', field: child(path, 'kind'), value: kind, detail: 'must not be empty' });
    else {
      const msgs = isDNS1035Label(kind.toLowerCase());
      if (msgs.length)
        errs.push({
          type: 'FieldValueInvalid',
          field: child(path, 'kind'),
          value: kind,
          detail: `may have mixed case, but should otherwise match: ${msgs.join(',')}`,
        });
    }
  }
  if ('metadata' in x && meta !== null && meta !== undefined) {
    if (!isPlainObject(meta)) {
      errs.push({ type: 'FieldValueInvalid', field: child(path, 'metadata'), value: meta, detail: 'must be an object' });
      return;
    }
    const m = { ...meta } as ObjectMeta;
    if (!m.name) m.name = 'fakename';
    for (const e of validateObjectMeta(m, { namespaced: Boolean(m.namespace), nameRule: 'path-segment' }))
      errs.push({ ...e, field: child(path, e.field) });
  }
}

function setDuplicates(list: unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  list.forEach((x, i) => {
    const k = x === UNSPECIFIED ? '\u0000' : JSON.stringify(x);
    const n = seen.get(k) ?? 0;
    if (n === 1) out.push(i);
    seen.set(k, n + 1);
  });
  return out;
}
const UNSPECIFIED = Symbol('unspecified');

function checkListType(path: string, s: Schema, v: unknown[], errs: FieldError[]): void {
  const lt = s['x-kubernetes-list-type'];
  if (lt === 'set')
    for (const i of setDuplicates(v)) errs.push({ type: 'FieldValueDuplicate', field: key(path, i), value: v[i], detail: '' });
  else if (lt === 'map') {
    const bad = v.findIndex((x) => x !== null && !isPlainObject(x));
    if (bad >= 0) {
      errs.push({
        type: 'FieldValueInvalid',
        field: key(path, bad),
        value: v[bad],
        detail: 'must be an object for an array of list-type map',
      });
      return;
    }
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const keyOf = (x: unknown): Record<string, unknown> | typeof UNSPECIFIED => {
      const o = (x ?? {}) as Record<string, unknown>;
      const k: Record<string, unknown> = {};
      for (const f of keys) if (f in o) k[f] = o[f];
      return keys.length === 1 && Object.keys(k).length === 0 ? UNSPECIFIED : k;
    };
    const ks = v.map(keyOf);
    for (const i of setDuplicates(ks))
      errs.push({ type: 'FieldValueDuplicate', field: key(path, i), value: ks[i] === UNSPECIFIED ? {} : ks[i], detail: '' });
  }
}

const extrasCache = new WeakMap<Schema, boolean>();

/** Whether a schema declares anything walkExtras checks (a list type or an embedded resource) anywhere below it. */
export function needsExtras(s: Schema): boolean {
  const hit = extrasCache.get(s);
  if (hit !== undefined) return hit;
  extrasCache.set(s, false); // a recursive schema (never structural, but possible on the wire) ends here
  const add = additionalOf(s)?.schema;
  const items = itemsOf(s);
  const found =
    s['x-kubernetes-list-type'] === 'set' ||
    s['x-kubernetes-list-type'] === 'map' ||
    Boolean(s['x-kubernetes-embedded-resource']) ||
    Object.values(propsOf(s)).some(needsExtras) ||
    (add !== undefined && needsExtras(add)) ||
    (items !== undefined && needsExtras(items));
  extrasCache.set(s, found);
  return found;
}

/** Embedded resources and list-type uniqueness, walking only where the schema says what is there. */
export function walkExtras(path: string, s: Schema, v: unknown, errs: FieldError[], root: boolean): void {
  if (Array.isArray(v)) {
    checkListType(path, s, v, errs);
    const items = itemsOf(s);
    if (items) v.forEach((x, i) => walkExtras(key(path, i), items, x, errs, false));
    return;
  }
  if (!isPlainObject(v)) return;
  if (s['x-kubernetes-embedded-resource'] && !root) checkEmbedded(path, v, errs);
  const props = propsOf(s);
  const add = additionalOf(s)?.schema;
  for (const k of Object.keys(v)) {
    if (root && (k === 'metadata' || k === 'apiVersion' || k === 'kind')) continue;
    if (k in props) walkExtras(child(path, k), props[k]!, v[k], errs, false);
    else if (add) walkExtras(key(path, k), add, v[k], errs, false);
  }
}
