// core/v1 Node.

import type { FieldError } from '../../../base/errors.js';
import type { Node } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { notSupported, required, validateLabelName, validateLabelValue } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS, statusSub } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';

type NodeIn = UnvalidatedObject<Node>;

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;

export function defaultNode(n: NodeIn): void {
  const st = n.status;
  if (st?.capacity && !st.allocatable) st.allocatable = { ...st.capacity };
}

export function validateNode(n: NodeIn): FieldError[] {
  const errs: FieldError[] = [];
  (n.spec?.taints ?? []).forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    if (!t.key) errs.push(required(`${p}.key`));
    else errs.push(...validateLabelName(t.key, `${p}.key`));
    if (t.value) errs.push(...validateLabelValue(t.value, `${p}.value`));
    if (!t.effect) errs.push(required(`${p}.effect`));
    else if (!(EFFECTS as readonly string[]).includes(t.effect)) errs.push(notSupported(`${p}.effect`, t.effect, EFFECTS));
  });
  return errs;
}

/** Role names from `node-role.kubernetes.io/<role>` labels and the `kubernetes.io/role` label, sorted. */
function nodeRoles(n: NodeIn): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(n.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const r = k.slice('node-role.kubernetes.io/'.length);
      if (r) roles.add(r);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort();
}

/** `Ready`, `NotReady`, `Unknown`, plus `,SchedulingDisabled` when cordoned. */
function nodeStatusText(n: NodeIn): string {
  const ready = (n.status?.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
  const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (n.spec?.unschedulable) parts.push('SchedulingDisabled');
  return parts.join(',');
}

const address = (n: NodeIn, type: string) => (n.status?.addresses ?? []).find((a) => a.type === type)?.address || '<none>';

export const nodeKind = defineKind<Node>({
  group: '',
  version: 'v1',
  kind: 'Node',
  listKind: 'NodeList',
  plural: 'nodes',
  singular: 'node',
  shortNames: ['no'],
  categories: [],
  namespaced: false,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.Node',
  subresources: [statusSub('', 'Node')],
  generation: false,
  hasStatus: true,
  defaults: defaultNode,
  validate: validateNode,
  table: {
    columns: [
      nameColumn,
      col('Status', 'string', 'Readiness of the node.'),
      col('Roles', 'string', 'Roles of the node.'),
      ageColumn,
      col('Version', 'string', 'Version of the node agent.'),
      col('Internal-IP', 'string', 'First internal address.', 1),
      col('External-IP', 'string', 'First external address.', 1),
      col('OS-Image', 'string', 'Operating system image.', 1),
      col('Kernel-Version', 'string', 'Kernel version.', 1),
      col('Container-Runtime', 'string', 'Container runtime and version.', 1),
    ],
    row(n: NodeIn, now) {
      const info = n.status?.nodeInfo ?? {};
      return [
        n.metadata.name ?? '',
        nodeStatusText(n),
        nodeRoles(n).join(',') || '<none>',
        age(n, now),
        info.kubeletVersion ?? '',
        address(n, 'InternalIP'),
        address(n, 'ExternalIP'),
        info.osImage || '<unknown>',
        info.kernelVersion || '<unknown>',
        info.containerRuntimeVersion || '<unknown>',
      ];
    },
  },
  fieldSelectors: { 'spec.unschedulable': (n) => String(n.spec?.unschedulable === true) },
});
