// The pod a DaemonSet creates for one node: the template with the revision labels, a controller
// reference, the automatic daemon tolerations and a required node affinity naming the node (the
// scheduler binds it), or spec.nodeName set directly when asked to.

import type { DaemonSet, Pod } from '../../api/gen/types.js';
import { LABEL_CONTROLLER_REVISION_HASH, LABEL_DAEMONSET_TEMPLATE_GENERATION } from '../../api/well-known.js';
import { newControllerRef } from '../shared/owner-refs.js';
import { templatePodSpec } from '../shared/pod-template.js';
import { pinToNode, withDaemonTolerations } from './node-eligibility.js';

export function daemonPod(ds: DaemonSet, nodeName: string, hash: string, assignNodeName: boolean): Pod {
  const t = ds.spec?.template;
  const labels: Record<string, string> = { ...(t?.metadata?.labels ?? {}), [LABEL_CONTROLLER_REVISION_HASH]: hash };
  if (ds.metadata.generation !== undefined) labels[LABEL_DAEMONSET_TEMPLATE_GENERATION] = String(ds.metadata.generation);
  const spec = templatePodSpec(t);
  spec.tolerations = withDaemonTolerations(t?.spec);
  if (assignNodeName) spec.nodeName = nodeName;
  else spec.affinity = pinToNode(t?.spec, nodeName);
  const meta: Pod['metadata'] = {
    generateName: `${ds.metadata.name ?? 'daemon'}-`,
    namespace: ds.metadata.namespace,
    labels,
    ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
  };
  if (t?.metadata?.annotations) meta.annotations = { ...t.metadata.annotations };
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}
