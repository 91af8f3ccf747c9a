// List and watch filters: label and field selectors, evaluated on a per-version metadata cache
// so that each stored version is parsed at most once for filtering.

import type { KindDef } from '../../api/kind.js';
import type { AnyObject } from '../../api/object.js';
import type { KeyValue } from '../../storage/backend.js';
import { badRequest } from '../../base/errors.js';
import { parseLabelSelector } from '../../base/label-selector.js';
import { parseFieldSelector } from '../../base/field-selector.js';
import { objectOf } from './resource-store.js';

export type Filter = (kv: KeyValue) => boolean;

// A plain object holds the one or two selected fields in a fraction of a Map's memory: the facts of
// every current version stay cached as long as it does (150,000 pods watched by spec.nodeName).
interface Facts {
  labels: Record<string, string> | undefined;
  fields: Record<string, string>;
}
const facts = new WeakMap<KeyValue, Facts>();

function factsOf(kind: KindDef, kv: KeyValue, needFields: readonly string[]): Facts {
  let f = facts.get(kv);
  if (!f || needFields.some((n) => f!.fields[n] === undefined)) {
    const o: AnyObject = objectOf(kv);
    const fields: Record<string, string> = { ...f?.fields };
    for (const n of needFields) {
      if (n === 'metadata.name') fields[n] = o.metadata.name ?? '';
      else if (n === 'metadata.namespace') fields[n] = o.metadata.namespace ?? '';
      else fields[n] = kind.fieldSelectors?.[n]?.(o) ?? '';
    }
    f = { labels: o.metadata.labels, fields };
    facts.set(kv, f);
  }
  return f;
}

/** undefined when there is nothing to filter. Throws 400 for bad selectors or unsupported fields. */
export function compileFilter(kind: KindDef, labelSelector: string | null, fieldSelector: string | null): Filter | undefined {
  const ls = labelSelector && labelSelector.trim() !== '' ? parseLabelSelector(labelSelector) : undefined;
  const fs = fieldSelector && fieldSelector.trim() !== '' ? parseFieldSelector(fieldSelector) : undefined;
  if (!ls && !fs) return undefined;
  const fieldNames = fs ? fs.fields() : [];
  for (const n of fieldNames) {
    if (n !== 'metadata.name' && n !== 'metadata.namespace' && !kind.fieldSelectors?.[n]) {
      throw badRequest(`field label not supported: ${n}`);
    }
  }
  return (kv) => {
    const f = factsOf(kind, kv, fieldNames);
    if (ls && !ls.matches(f.labels ?? {})) return false;
    if (fs && !fs.matches((n) => f.fields[n])) return false;
    return true;
  };
}

/** The value of a selectable field of a stored version ('' when absent), from the same per-version facts. */
export function fieldOf(kind: KindDef, kv: KeyValue, field: string): string {
  return factsOf(kind, kv, [field]).fields[field] ?? '';
}
