// Whether a namespace needs its `default` ServiceAccount created.

import type { KubeObject } from '../../api/object.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** True when the namespace is active (not being deleted) and has no `default` ServiceAccount. */
export function needsDefaultServiceAccount(ns: KubeObject | undefined, existing: KubeObject | undefined): boolean {
  if (!ns || ns.metadata.deletionTimestamp) return false;
  const phase = (ns['status'] as { phase?: string } | undefined)?.phase;
  if (phase === 'Terminating') return false;
  return existing === undefined;
}

export function defaultServiceAccount(namespace: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
}
