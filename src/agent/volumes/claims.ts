// PersistentVolumeClaim volumes on a node: the claim (read with the node's own rights: the Node
// authorizer lets an agent read the claims of its pods) leads to its bound volume, whose local
// source (hostPath, as the local-path provisioner makes, or a `local` volume) is the directory the
// containers get: a bind mount under containerd, a link or copy for the process runtime. A claim
// that is not bound yet is a VolumeError, so the pod stays ContainerCreating with a FailedMount
// event and is retried until the binder and the provisioner have done their part.

import { stat } from 'node:fs/promises';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../api/gen/types.js';
import { persistentVolumeKind } from '../../api/kinds/core/persistent-volume.js';
import { persistentVolumeClaimKind } from '../../api/kinds/core/persistent-volume-claim.js';
import type { RestClient } from '../../client/rest-client.js';
import { checkHostPath, VolumeError } from './host-path.js';

export interface ClaimSource {
  /**
   * The host directory of the claim's volume; throws VolumeError while it cannot be used yet.
   * `owner`: the pod an ephemeral volume's claim must belong to.
   */
  resolve(namespace: string, claimName: string, owner?: Pick<Pod, 'metadata'>): Promise<string>;
}

export interface ClaimReads {
  claim(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  volume(name: string): Promise<PersistentVolume | undefined>;
}

/** Reads through the API: the claim by GET, the volume from `cached` (the agent's PV informer) or by GET. */
export function apiClaimReads(client: RestClient, cached?: (name: string) => PersistentVolume | undefined): ClaimReads {
  return {
    claim: (ns, name) =>
      name ? client.resource(persistentVolumeClaimKind).namespace(ns).getOrUndefined(name) : Promise.resolve(undefined),
    volume: async (name) => cached?.(name) ?? client.resource(persistentVolumeKind).getOrUndefined(name),
  };
}

export function createClaimSource(reads: ClaimReads): ClaimSource {
  return {
    async resolve(namespace, claimName, owner) {
      const pvc = await reads.claim(namespace, claimName);
      if (!pvc) throw new VolumeError(`persistentvolumeclaim "${claimName}" not found`);
      if (owner && !pvc.metadata.ownerReferences?.some((r) => r.uid === owner.metadata.uid))
        throw new VolumeError(
          `PVC ${namespace}/${claimName} was not created for pod ${namespace}/${owner.metadata.name ?? ''} (pod is not owner)`,
        );
      if (pvc.metadata.deletionTimestamp) throw new VolumeError(`persistentvolumeclaim "${claimName}" is being deleted`);
      const volumeName = pvc.spec?.volumeName ?? '';
      const phase = pvc.status?.phase ?? '';
      if (phase !== 'Bound' || !volumeName)
        throw new VolumeError(
          `PVC ${namespace}/${claimName} has non-bound phase (${JSON.stringify(phase)}) or empty pvc.Spec.VolumeName (${JSON.stringify(volumeName)})`,
        );
      const pv = await reads.volume(volumeName);
      if (!pv) throw new VolumeError(`persistentvolume "${volumeName}" not found`);
      if (pv.spec?.claimRef?.uid !== pvc.metadata.uid)
        throw new VolumeError(`persistentvolume "${volumeName}" is not bound to claim ${namespace}/${claimName}`);
      if (pv.spec?.hostPath) {
        await checkHostPath(pv.spec.hostPath.path, pv.spec.hostPath.type);
        return pv.spec.hostPath.path;
      }
      if (pv.spec?.local) {
        const path = pv.spec.local.path;
        if (!(await stat(path).catch(() => undefined))) throw new VolumeError(`local volume "${volumeName}": path ${path} does not exist`);
        return path;
      }
      throw new VolumeError(`persistentvolume "${volumeName}" has no source this node can mount (hostPath or local)`);
    },
  };
}
