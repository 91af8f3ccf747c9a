// core/v1 Pod.

import type { FieldError } from '../../../../base/errors.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../../common/define.js';
import { defaultPodSpec } from './defaults.js';
import { podTable } from './printer.js';
import { podQOSClass } from './qos.js';
import type { Pod } from '../../../gen/types.js';
import type { UnvalidatedObject } from '../../../unvalidated.js';
import { TAINT_NOT_READY, TAINT_UNREACHABLE } from '../../../well-known.js';
import { validatePodSpec } from './validate-spec.js';
import { validatePodSpecUpdate } from './validate-update.js';

const DEFAULT_TOLERATIONS = [TAINT_NOT_READY, TAINT_UNREACHABLE];

/**
 * Pod defaults, including what upstream's built-in admission adds to every pod without server
 * state: service account `default`, priority 0 / PreemptLowerPriority (no priority class named),
 * the 300 s NoExecute tolerations for not-ready/unreachable nodes, and status Pending with a QoS class.
 */
export function defaultPod(pod: UnvalidatedObject<Pod>): void {
  const spec = (pod.spec ??= {});
  defaultPodSpec(spec);
  spec.serviceAccountName ??= 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  if (!spec.priorityClassName) {
    spec.priority ??= 0;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
  }
  for (const key of DEFAULT_TOLERATIONS) {
    const tols = spec.tolerations ?? [];
    const covered = tols.some((t) => (t.effect === 'NoExecute' || !t.effect) && (t.key === key || (!t.key && t.operator === 'Exists')));
    if (!covered) spec.tolerations = [...tols, { key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }];
  }
  const status = (pod.status ??= {});
  if (!status.phase) {
    status.phase = 'Pending';
    status.qosClass ??= podQOSClass(spec);
  }
}

export function validatePod(pod: UnvalidatedObject<Pod>, old: UnvalidatedObject<Pod> | undefined): FieldError[] {
  const errs = validatePodSpec(pod.spec, 'spec');
  if (old && pod.spec && old.spec) errs.push(...validatePodSpecUpdate(pod.spec, old.spec));
  return errs;
}

export const podKind = defineKind<Pod>({
  group: '',
  version: 'v1',
  kind: 'Pod',
  listKind: 'PodList',
  plural: 'pods',
  singular: 'pod',
  shortNames: ['po'],
  categories: ['all'],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.Pod',
  subresources: [
    { name: 'attach', group: '', version: 'v1', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'binding', group: '', version: 'v1', kind: 'Binding', verbs: ['create'] },
    { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
    { name: 'exec', group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', group: '', version: 'v1', kind: 'Pod', verbs: ['get'] },
    { name: 'portforward', group: '', version: 'v1', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    statusSub('', 'Pod'),
  ],
  generation: false,
  hasStatus: true,
  defaults: defaultPod,
  validate: validatePod,
  table: podTable,
  fieldSelectors: {
    'spec.nodeName': (p) => p.spec?.nodeName ?? '',
    'spec.restartPolicy': (p) => p.spec?.restartPolicy ?? '',
    'spec.schedulerName': (p) => p.spec?.schedulerName ?? '',
    'spec.serviceAccountName': (p) => p.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': (p) => String(p.spec?.hostNetwork === true),
    'status.phase': (p) => p.status?.phase ?? '',
    'status.podIP': (p) => p.status?.podIPs?.[0]?.ip ?? p.status?.podIP ?? '',
    'status.nominatedNodeName': (p) => p.status?.nominatedNodeName ?? '',
  },
});
