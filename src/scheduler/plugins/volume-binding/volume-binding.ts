// VolumeBinding: a pod's PersistentVolumeClaims decide where it may run, as upstream's plugin of the
// same name does. A missing or deleted claim, or an unbound claim of an Immediate class, keeps the
// pod Pending everywhere; a bound claim's volume admits only the nodes its node affinity names; an
// unbound WaitForFirstConsumer claim fits any node its class can provision on (for local-path, a
// node that publishes a volume root) or where a free volume fits. When the pod is bound, each such
// claim is annotated with the chosen node (volume.kubernetes.io/selected-node) so that the binder
// and provisioner make its volume there; the pod itself waits on its node until the claim is bound.
// Simplification: upstream waits at PreBind until the claims are bound before binding the pod;
// here the pod is bound at once and the agent waits (ContainerCreating).

import type { PersistentVolume, PersistentVolumeClaim } from '../../../api/gen/types.js';
import { persistentVolumeClaimKind } from '../../../api/kinds/core/persistent-volume-claim.js';
import { claimClass, podClaimNames } from '../../../api/storage/claims.js';
import { ANN_LOCAL_PATH_ROOT, ANN_SELECTED_NODE, LOCAL_PATH_PROVISIONER } from '../../../api/storage/well-known.js';
import { findMatch, volumeFitsNode } from '../../../api/storage/matching.js';
import type { BindPlugin, FilterPlugin, Handle, PreFilterPlugin } from '../../framework/interfaces.js';
import { errorStatus, fixed, SKIP, unresolvable } from '../../framework/status.js';

export const NAME = 'VolumeBinding';
export const REASON_AFFINITY = 'node(s) had volume node affinity conflict';
export const REASON_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';
export const REASON_NO_VOLUME = "node(s) didn't find available persistent volumes to bind";
export const REASON_NO_ROOT = 'node(s) did not publish a local-path volume root';
const AFFINITY = fixed('Unschedulable', REASON_AFFINITY);
const NO_VOLUME = fixed('Unschedulable', REASON_NO_VOLUME);
const NO_ROOT = fixed('Unschedulable', REASON_NO_ROOT);
const STATE_KEY = 'VolumeBinding';

interface PodVolumes {
  bound: PersistentVolume[];
  /** unbound WaitForFirstConsumer claims, with whether their class provisions (else: static volumes only) */
  delayed: Array<{ claim: PersistentVolumeClaim; provisioner: string | undefined }>;
}

export function create(_args: Record<string, unknown>, handle: Handle): PreFilterPlugin & FilterPlugin & BindPlugin {
  const lookup = handle.volumes;
  return {
    name: NAME,
    preFilter(state, pod) {
      const names = podClaimNames(pod.pod);
      if (names.length === 0 || !lookup) return SKIP;
      const out: PodVolumes = { bound: [], delayed: [] };
      for (const name of names) {
        const claim = lookup.claim(pod.namespace, name);
        if (!claim) return unresolvable(`persistentvolumeclaim "${name}" not found`);
        if (claim.metadata.deletionTimestamp) return unresolvable(`persistentvolumeclaim "${name}" is being deleted`);
        const volumeName = claim.spec?.volumeName;
        if (volumeName) {
          const pv = lookup.volume(volumeName);
          if (!pv) return unresolvable('node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)');
          out.bound.push(pv);
          continue;
        }
        const sc = lookup.storageClass(claimClass(claim));
        if (sc?.volumeBindingMode !== 'WaitForFirstConsumer') return unresolvable(REASON_UNBOUND_IMMEDIATE);
        out.delayed.push({ claim, provisioner: sc.provisioner === 'kubernetes.io/no-provisioner' ? undefined : sc.provisioner });
      }
      state.write(STATE_KEY, out);
      return undefined;
    },
    filter(state, _pod, node) {
      const pv = state.read<PodVolumes>(STATE_KEY);
      if (!pv) return undefined;
      for (const v of pv.bound) if (!volumeFitsNode(v, node.node)) return AFFINITY;
      for (const d of pv.delayed) {
        // a claim the scheduler already placed on a node stays there
        const selected = d.claim.metadata.annotations?.[ANN_SELECTED_NODE];
        if (selected && selected !== node.name) return AFFINITY;
        if (d.provisioner === LOCAL_PATH_PROVISIONER) {
          if (!node.node.metadata.annotations?.[ANN_LOCAL_PATH_ROOT]) return NO_ROOT;
        } else if (!d.provisioner && lookup && !findMatch(d.claim, lookup.volumes(), node.node)) return NO_VOLUME;
      }
      return undefined;
    },
    async bind(state, pod, nodeName) {
      const pv = state.read<PodVolumes>(STATE_KEY);
      const client = handle.client;
      if (!pv || !client) return SKIP;
      for (const d of pv.delayed) {
        if (d.claim.metadata.annotations?.[ANN_SELECTED_NODE] === nodeName) continue;
        try {
          await client
            .resource(persistentVolumeClaimKind)
            .namespace(pod.namespace)
            .patch(d.claim.metadata.name ?? '', { metadata: { annotations: { [ANN_SELECTED_NODE]: nodeName } } });
        } catch (e) {
          return errorStatus(
            `selecting node "${nodeName}" for claim "${d.claim.metadata.name ?? ''}": ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
      // the pod itself is bound by the next bind plugin
      return SKIP;
    },
  };
}
