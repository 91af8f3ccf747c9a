// Pruning of fields a CRD schema does not specify, as the API server does on every write and on reads
// from storage: unknown fields are dropped except under x-kubernetes-preserve-unknown-fields, the
// apiVersion/kind/metadata of the object and of embedded resources are kept, and `additionalProperties`
// keeps every key (pruning inside its values). Paths are reported as upstream does (`spec.a[0].b`).

import { additionalOf, isPlainObject, itemsOf, propsOf, type Schema } from './access.js';
import { normalizeSchema } from './normalize.js';

const META = new Set(['apiVersion', 'kind', 'metadata']);

interface Track {
  paths: string[];
}

const join = (parent: string, k: string): string => (parent ? `${parent}.${k}` : k);

function prune(x: unknown, s: Schema | undefined, embedded: boolean, path: string, t: Track): void {
  if (s?.['x-kubernetes-preserve-unknown-fields']) {
    keep(x, s, embedded, path, t);
    return;
  }
  if (Array.isArray(x)) {
    const items = s ? itemsOf(s) : undefined;
    x.forEach((v, i) => prune(v, items, Boolean(items?.['x-kubernetes-embedded-resource']), `${path}[${i}]`, t));
    return;
  }
  if (!isPlainObject(x)) return;
  if (!s) {
    for (const k of Object.keys(x)) {
      t.paths.push(join(path, k));
      delete x[k];
    }
    return;
  }
  const props = propsOf(s);
  const add = additionalOf(s);
  for (const k of Object.keys(x)) {
    if (embedded && META.has(k)) continue;
    const p = props[k];
    if (p) prune(x[k], p, Boolean(p['x-kubernetes-embedded-resource']), join(path, k), t);
    else if (add) prune(x[k], add.schema, Boolean(add.schema?.['x-kubernetes-embedded-resource']), join(path, k), t);
    else {
      if (!META.has(k) || path) t.paths.push(join(path, k));
      delete x[k];
    }
  }
}

/** Below x-kubernetes-preserve-unknown-fields: unknown keys stay, known ones are still pruned inside. */
function keep(x: unknown, s: Schema, embedded: boolean, path: string, t: Track): void {
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    if (items) x.forEach((v, i) => keep(v, items, Boolean(items['x-kubernetes-embedded-resource']), `${path}[${i}]`, t));
    return;
  }
  if (!isPlainObject(x)) return;
  const props = propsOf(s);
  const add = additionalOf(s);
  for (const k of Object.keys(x)) {
    if (embedded && META.has(k)) continue;
    const p = props[k];
    if (p) prune(x[k], p, Boolean(p['x-kubernetes-embedded-resource']), join(path, k), t);
    else if (add) prune(x[k], add.schema, Boolean(add.schema?.['x-kubernetes-embedded-resource']), join(path, k), t);
  }
}

/** Prunes `x` in place; `resourceRoot` keeps its apiVersion/kind/metadata. Returns the dropped paths, sorted. */
export function pruneValue(x: unknown, s: Schema, resourceRoot: boolean): string[] {
  const t: Track = { paths: [] };
  prune(x, s, resourceRoot || Boolean(s['x-kubernetes-embedded-resource']), '', t);
  return t.paths.sort();
}

export function pruneUnknownFields(obj: Record<string, unknown>, schema: Schema): string[] {
  return pruneValue(obj, normalizeSchema(schema), true);
}
