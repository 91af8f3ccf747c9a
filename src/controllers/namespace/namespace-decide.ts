// The namespace controller's rules as pure functions: which resources hold namespace content, what
// to delete, how long to wait for what is left, and the body that finalizes a namespace.

import type { Namespace, NamespaceCondition } from '../../api/gen/types.js';
import type { KubeObject } from '../../api/object.js';
import { FINALIZER_NAMESPACE_KUBERNETES } from '../../api/well-known.js';
import { hasVerbs, type ApiResource } from '../../client/discovery.js';

const specFinalizers = (ns: Namespace): string[] => ns.spec?.finalizers ?? [];

/** A namespace whose content this controller must clear now (it still carries this controller's finalizer). */
export const needsCleanup = (ns: Namespace | undefined): ns is Namespace =>
  ns !== undefined && ns.metadata.deletionTimestamp !== undefined && specFinalizers(ns).includes(FINALIZER_NAMESPACE_KUBERNETES);

/** Namespaced resources that can be listed and deleted: the places a namespace's content lives. */
export function contentResources(resources: readonly ApiResource[]): ApiResource[] {
  return resources.filter((r) => r.namespaced && hasVerbs(r, 'list', 'delete'));
}

/** The objects of one listing still to be deleted (those not already being deleted). */
export const toDelete = (items: readonly KubeObject[]) => items.filter((o) => o.metadata.deletionTimestamp === undefined);

/**
 * How long to wait before looking again at content that is still there: the soonest a remaining
 * object's grace period ends (deletionTimestamp), within [minMs, maxMs].
 */
export function recheckDelay(remaining: readonly KubeObject[], now: number, minMs = 250, maxMs = 5000): number {
  let soonest = maxMs;
  for (const o of remaining) {
    const t = o.metadata.deletionTimestamp ? Date.parse(o.metadata.deletionTimestamp) : NaN;
    soonest = Math.min(soonest, Number.isFinite(t) ? Math.max(0, t - now) : minMs);
  }
  return Math.max(minMs, Math.min(maxMs, soonest));
}

/** The PUT .../finalize body: the namespace with this controller's finalizer removed from spec. */
export function finalizeBody(ns: Namespace): Namespace {
  return { ...ns, spec: { ...ns.spec, finalizers: specFinalizers(ns).filter((f) => f !== FINALIZER_NAMESPACE_KUBERNETES) } };
}

export interface ContentReport {
  resource: string;
  count: number;
}

/** Upstream-style status conditions of a terminating namespace, from what a cleanup pass found. */
export function deletionConditions(remaining: readonly ContentReport[], failures: readonly string[], now: string): NamespaceCondition[] {
  const left = remaining.filter((r) => r.count > 0);
  const cond = (type: string, ok: boolean, reason: string, message: string): NamespaceCondition => ({
    type,
    status: ok ? 'False' : 'True',
    lastTransitionTime: now,
    reason,
    message,
  });
  return [
    cond(
      'NamespaceDeletionContentFailure',
      failures.length === 0,
      failures.length ? 'ContentDeletionFailed' : 'ContentDeleted',
      failures.length
        ? `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}`
        : 'All content successfully deleted, may be waiting on finalization',
    ),
    cond(
      'NamespaceContentRemaining',
      left.length === 0,
      left.length ? 'SomeResourcesRemain' : 'ContentRemoved',
      left.length
        ? `Some resources are remaining: ${left.map((r) => `${r.resource} has ${r.count} resource instances`).join(', ')}`
        : 'All content successfully removed',
    ),
  ];
}
