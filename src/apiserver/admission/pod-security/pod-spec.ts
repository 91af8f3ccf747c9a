// Where the pod spec of an object is: pods themselves, and the pod templates of the workload
// resources upstream's Pod Security checks (they are warned and audited, never refused: their pods
// are checked when a controller creates them). And which pod updates are worth evaluating.

import type { Container, ObjectMeta, Pod, PodSpec } from '../../../api/gen/types.js';
import type { KindDef } from '../../../api/kind.js';
import type { AnyObject } from '../../../api/object.js';

/** group/plural of the resources carrying a pod template, and where it is. */
const TEMPLATE_PATHS: ReadonlyMap<string, readonly string[]> = new Map([
  ['/replicationcontrollers', ['spec', 'template']],
  ['/podtemplates', ['template']],
  ['apps/replicasets', ['spec', 'template']],
  ['apps/deployments', ['spec', 'template']],
  ['apps/statefulsets', ['spec', 'template']],
  ['apps/daemonsets', ['spec', 'template']],
  ['batch/jobs', ['spec', 'template']],
  ['batch/cronjobs', ['spec', 'jobTemplate', 'spec', 'template']],
]);

export const isPodKind = (k: KindDef) => k.group === '' && k.plural === 'pods';
export const isNamespaceKind = (k: KindDef) => k.group === '' && k.plural === 'namespaces';
export const hasPodTemplate = (k: KindDef) => TEMPLATE_PATHS.has(`${k.group}/${k.plural}`);

export interface PodParts {
  meta: ObjectMeta;
  spec: PodSpec;
}

/** The pod metadata and spec of a pod or of a workload's template; undefined when it has none. */
export function extractPodParts(kind: KindDef, obj: AnyObject): PodParts | undefined {
  if (isPodKind(kind)) {
    const pod = obj as unknown as Pod;
    return { meta: pod.metadata, spec: pod.spec ?? { containers: [] } };
  }
  let at: unknown = obj;
  for (const step of TEMPLATE_PATHS.get(`${kind.group}/${kind.plural}`) ?? []) {
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[step] : undefined;
  }
  if (at === null || typeof at !== 'object') return undefined;
  const template = at as { metadata?: ObjectMeta; spec?: PodSpec };
  return { meta: template.metadata ?? {}, spec: template.spec ?? { containers: [] } };
}

/**
 * Whether a pod update can change what the checks see. Only images and ephemeral containers of a
 * pod's spec may change after creation, so an update that changes neither (labels, annotations,
 * status) is let through without evaluation, as upstream.
 */
export function isSignificantPodUpdate(next: Pod, old: Pod): boolean {
  const a = next.spec;
  const b = old.spec;
  const containers = a?.containers ?? [];
  const oldContainers = b?.containers ?? [];
  const inits = a?.initContainers ?? [];
  const oldInits = b?.initContainers ?? [];
  if (containers.length !== oldContainers.length || inits.length !== oldInits.length) return true;
  if (containers.some((c, i) => c.image !== oldContainers[i]?.image)) return true;
  if (inits.some((c, i) => c.image !== oldInits[i]?.image)) return true;
  const oldEphemeral = new Map((b?.ephemeralContainers ?? []).map((c) => [c.name, c as Container]));
  return (a?.ephemeralContainers ?? []).some((c) => {
    const before = oldEphemeral.get(c.name);
    return before === undefined || before.image !== c.image;
  });
}
