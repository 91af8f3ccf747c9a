// The volume the local-path provisioner makes for a claim: a hostPath directory (DirectoryOrCreate)
// under the selected node's volume root, pinned to that node by required node affinity, pre-bound
// to the claim (the binder then completes the bind), carrying the cleanup finalizer the node's
// agent removes once the directory is gone.

import type { Node, PersistentVolume, PersistentVolumeClaim, StorageClass } from '../../api/gen/types.js';
import { volumePath } from '../../api/storage/local-path.js';
import {
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  FINALIZER_LOCAL_PATH_CLEANUP,
  LOCAL_PATH_PROVISIONER,
} from '../../api/storage/well-known.js';
import { LABEL_HOSTNAME } from '../../api/well-known.js';

/** Upstream's name for a provisioned volume: `pvc-<claim uid>`. */
export const volumeNameFor = (pvc: PersistentVolumeClaim) => `pvc-${pvc.metadata.uid ?? ''}`;

export function localPathVolume(pvc: PersistentVolumeClaim, sc: StorageClass, node: Node, root: string): PersistentVolume {
  const name = volumeNameFor(pvc);
  const nodeName = node.metadata.name ?? '';
  const hostname = node.metadata.labels?.[LABEL_HOSTNAME] ?? nodeName;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name,
      annotations: { [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER, [ANN_SELECTED_NODE]: nodeName },
      finalizers: [FINALIZER_LOCAL_PATH_CLEANUP],
    },
    spec: {
      capacity: { storage: String(pvc.spec?.resources?.requests?.['storage'] ?? '') },
      accessModes: [...(pvc.spec?.accessModes ?? [])],
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata.name ?? '',
      volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      hostPath: { path: volumePath(root, name), type: 'DirectoryOrCreate' },
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: LABEL_HOSTNAME, operator: 'In', values: [hostname] }] }] },
      },
      claimRef: {
        kind: 'PersistentVolumeClaim',
        apiVersion: 'v1',
        namespace: pvc.metadata.namespace ?? '',
        name: pvc.metadata.name ?? '',
        uid: pvc.metadata.uid ?? '',
        resourceVersion: pvc.metadata.resourceVersion ?? '',
      },
      ...(sc.mountOptions ? { mountOptions: [...sc.mountOptions] } : {}),
    },
  };
}

/** The node a local-path volume lives on (the annotation it was made with). */
export const volumeNode = (pv: PersistentVolume): string | undefined => pv.metadata.annotations?.[ANN_SELECTED_NODE];
