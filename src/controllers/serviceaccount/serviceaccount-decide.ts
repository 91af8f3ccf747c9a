// Whether a namespace needs its `default` ServiceAccount created.

import type { Namespace, ServiceAccount } from '../../api/gen/types.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';

/** True when the namespace is active (not being deleted) and has no `default` ServiceAccount. */
export function needsDefaultServiceAccount(ns: Namespace | undefined, existing: ServiceAccount | undefined): boolean {
  if (!ns || ns.metadata.deletionTimestamp) return false;
  if (ns.status?.phase === 'Terminating') return false;
  return existing === undefined;
}

export function defaultServiceAccount(namespace: string): ServiceAccount {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: DEFAULT_SERVICE_ACCOUNT, namespace } };
}
