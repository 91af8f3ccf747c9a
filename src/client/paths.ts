// REST paths of a kind, the one place they are built: `/api/v1/namespaces/ns/pods/name/status`,
// `/apis/apps/v1/deployments`. Names and namespaces are percent-encoded.

import type { KindDef } from '../api/kind.js';

const enc = encodeURIComponent;

/** What a path needs of a resource: a served kind (KindDef) or a discovered one. */
export type ResourceRef = Pick<KindDef, 'group' | 'version' | 'plural' | 'namespaced'>;

/** `/api/v1` for the core group, `/apis/<group>/<version>` otherwise. */
function groupVersionPath(kind: Pick<KindDef, 'group' | 'version'>): string {
  return kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
}

/** The collection: in one namespace, or across all namespaces (namespace undefined or a cluster-scoped kind). */
export function collectionPath(kind: ResourceRef, namespace?: string): string {
  const ns = kind.namespaced && namespace !== undefined && namespace !== '' ? `/namespaces/${enc(namespace)}` : '';
  return `${groupVersionPath(kind)}${ns}/${kind.plural}`;
}

/** One object, or one of its subresources (`status`, `binding`, `log`, ...). */
export function objectPath(kind: ResourceRef, namespace: string | undefined, name: string, subresource?: string): string {
  return `${collectionPath(kind, namespace)}/${enc(name)}${subresource ? `/${subresource}` : ''}`;
}

/** `path?k=v&...` with empty values left out. */
export function withQuery(path: string, params: Readonly<Record<string, string | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}
