// Cache keys of objects, client-go style: `namespace/name` for namespaced objects, `name` otherwise.

import type { KubeObject } from '../api/object.js';

export function objectKey(obj: Pick<KubeObject, 'metadata'>): string {
  const ns = obj.metadata.namespace;
  const name = obj.metadata.name ?? '';
  return ns ? `${ns}/${name}` : name;
}

/** The inverse of objectKey: `{ namespace, name }` (namespace '' for cluster-scoped keys). */
export function splitObjectKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
