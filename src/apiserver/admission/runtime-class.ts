// RuntimeClass admission, as upstream's plugin does it on pod create: the pod's RuntimeClass must
// exist; its overhead becomes spec.overhead (a pod naming a different overhead, or an overhead
// without a RuntimeClass that defines one, is rejected); its scheduling nodeSelector is merged into
// the pod's (a conflicting value is rejected) and its tolerations merged into the pod's. So the
// scheduler, the DaemonSet controller and the agent all read one pod, with no RuntimeClass lookups.

import type { Pod, RuntimeClass } from '../../api/gen/types.js';
import { mergeTolerations } from '../../api/scheduling/tolerations.js';
import type { UnvalidatedObject } from '../../api/unvalidated.js';
import { compareQuantities } from '../../base/quantity.js';
import { forbidden, type StatusError } from '../../base/errors.js';

type PodIn = UnvalidatedObject<Pod>;

const rejected = (pod: PodIn, why: string): StatusError => forbidden(`pods "${pod.metadata.name ?? ''}" is forbidden: ${why}`);

/** Semantic equality of two resource lists (`1` equals `1000m`). */
function sameResources(a: Readonly<Record<string, string | number>>, b: Readonly<Record<string, string | number>>): boolean {
  const ka = Object.keys(a),
    kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => {
    const va = a[k],
      vb = b[k];
    if (va === undefined || vb === undefined) return false;
    try {
      return compareQuantities(va, vb) === 0;
    } catch {
      return va === vb;
    }
  });
}

/**
 * Applies the pod's RuntimeClass to the pod in place (create only). `lookup` reads a RuntimeClass
 * by name (undefined when it does not exist). Throws 403 Forbidden with upstream's messages.
 */
export async function admitRuntimeClass(pod: PodIn, lookup: (name: string) => Promise<RuntimeClass | undefined>): Promise<void> {
  const spec = pod.spec;
  if (!spec) return;
  const name = spec.runtimeClassName;
  const rc = name ? await lookup(name) : undefined;
  if (name && !rc) throw rejected(pod, `pod rejected: RuntimeClass "${name}" not found`);
  const fixed = rc?.overhead?.podFixed;
  if (fixed) {
    if (spec.overhead && !sameResources(fixed, spec.overhead))
      throw rejected(pod, "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead");
    spec.overhead = { ...fixed };
  } else if (spec.overhead) {
    throw rejected(pod, 'pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead');
  }
  const scheduling = rc?.scheduling;
  if (!scheduling) return;
  const selector = spec.nodeSelector;
  if (!selector) {
    if (scheduling.nodeSelector) spec.nodeSelector = { ...scheduling.nodeSelector };
  } else {
    for (const [k, v] of Object.entries(scheduling.nodeSelector ?? {})) {
      const podValue = selector[k];
      if (podValue !== undefined && podValue !== v) {
        throw rejected(pod, `conflict: runtimeClass.scheduling.nodeSelector[${k}] = ${v}; pod.spec.nodeSelector[${k}] = ${podValue}`);
      }
      selector[k] = v;
    }
  }
  const merged = mergeTolerations(spec.tolerations ?? [], scheduling.tolerations ?? []);
  if (merged.length > 0 || spec.tolerations) spec.tolerations = merged;
}
