// Storage key layout: /registry/<group or "core">/<resource>/<namespace>/<name>, cluster-scoped
// kinds without the namespace part.

import type { KindDef } from '../../api/kind.js';

export function resourcePrefix(kind: KindDef): string {
  return `/registry/${kind.group || 'core'}/${kind.plural}/`;
}

/** Prefix for a list: one namespace, or all (namespace undefined). */
export function listPrefix(kind: KindDef, namespace: string | undefined): string {
  const p = resourcePrefix(kind);
  return kind.namespaced && namespace !== undefined ? `${p}${namespace}/` : p;
}

export function objectKey(kind: KindDef, namespace: string | undefined, name: string): string {
  return kind.namespaced ? `${resourcePrefix(kind)}${namespace ?? ''}/${name}` : `${resourcePrefix(kind)}${name}`;
}
