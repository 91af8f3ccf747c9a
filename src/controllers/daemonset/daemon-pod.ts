// The pod a DaemonSet creates for one node: the template with the revision labels, a controller
// reference, the automatic daemon tolerations and a required node affinity naming the node (the
// scheduler binds it), or spec.nodeName set directly when asked to.

import type { Pod } from '../../api/kinds/core/pod/types.js';
import type { Workload } from '../../api/kinds/apps/types.js';
import { newControllerRef } from '../shared/owner-refs.js';
import { REVISION_HASH_LABEL, TEMPLATE_GENERATION_LABEL } from './daemonset-decide.js';
import { pinToNode, withDaemonTolerations } from './node-eligibility.js';

export function daemonPod(ds: Workload, nodeName: string, hash: string, assignNodeName: boolean): Pod {
  const t = ds.spec?.template ?? {};
  const labels: Record<string, string> = { ...(t.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash };
  if (ds.metadata.generation !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(ds.metadata.generation);
  const spec = { ...(t.spec ?? {}) };
  spec.tolerations = withDaemonTolerations(t.spec);
  if (assignNodeName) spec.nodeName = nodeName;
  else spec['affinity'] = pinToNode(t.spec, nodeName);
  const meta: Pod['metadata'] = {
    generateName: `${ds.metadata.name ?? 'daemon'}-`,
    namespace: ds.metadata.namespace,
    labels,
    ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
  };
  if (t.metadata?.annotations) meta.annotations = { ...t.metadata.annotations };
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta, spec };
}
