// Local-path volumes on simulated nodes. The provisioner and the binder treat a sim node as any node
// (it publishes a volume root, simVolumeRoot), so a claim of a pod on it gets a volume pinned to
// it. A sim node has no disk: when such a volume is deleted the fleet only drops the cleanup
// finalizer that a real agent drops after removing the directory.

import type { PersistentVolume } from '../../api/gen/types.js';
import { persistentVolumeKind } from '../../api/kinds/core/persistent-volume.js';
import { ANN_SELECTED_NODE, FINALIZER_LOCAL_PATH_CLEANUP } from '../../api/storage/well-known.js';
import { StatusError } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { RestClient } from '../../client/rest-client.js';
import { owesCleanup } from '../volumes/local-path-cleaner.js';

export function startSimVolumes(o: { client: RestClient; informers: InformerFactory; isOurs(node: string): boolean; log: Logger }): void {
  const volumes = o.informers.for(persistentVolumeKind);
  const consider = (pv: PersistentVolume) => {
    const node = pv.metadata.annotations?.[ANN_SELECTED_NODE];
    if (!node || !o.isOurs(node) || !owesCleanup(pv, node)) return;
    const rest = (pv.metadata.finalizers ?? []).filter((f) => f !== FINALIZER_LOCAL_PATH_CLEANUP);
    o.client
      .resource(persistentVolumeKind)
      .patch(pv.metadata.name ?? '', { metadata: { finalizers: rest, resourceVersion: pv.metadata.resourceVersion } })
      .catch((e: unknown) => {
        if (!(e instanceof StatusError && (e.code === 404 || e.code === 409)))
          o.log.warn('volume cleanup failed', { volume: pv.metadata.name, error: e });
      });
  };
  volumes.addHandlers({ onAdd: consider, onUpdate: (_o, pv) => consider(pv) });
}
