// Tandem's built-in local-path storage: the default StorageClass the server creates at start-up,
// and where on a node a provisioned volume lives. A volume is a directory under the node's volume
// root (published by its agent as the tandem.dev/local-path-root annotation, because Linux and
// Windows paths differ), named after the volume.

import type { Node, StorageClass } from '../gen/types.js';
import { ANN_DEFAULT_CLASS, ANN_LOCAL_PATH_ROOT, LOCAL_PATH_CLASS, LOCAL_PATH_PROVISIONER } from './well-known.js';

export function localPathClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: LOCAL_PATH_CLASS, annotations: { [ANN_DEFAULT_CLASS]: 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'WaitForFirstConsumer',
    allowVolumeExpansion: false,
  };
}

/** The node's volume root, undefined when its agent publishes none (it cannot take local-path volumes). */
export function nodeVolumeRoot(node: Pick<Node, 'metadata'> | undefined): string | undefined {
  return node?.metadata.annotations?.[ANN_LOCAL_PATH_ROOT] || undefined;
}

/** The directory of volume `pvName` under `root`, in the root's own path style (`\` for Windows roots). */
export function volumePath(root: string, pvName: string): string {
  const windows = /^[A-Za-z]:[\\/]/.test(root) || root.startsWith('\\\\');
  const sep = windows ? '\\' : '/';
  return root.endsWith('/') || root.endsWith('\\') ? `${root}${pvName}` : `${root}${sep}${pvName}`;
}
