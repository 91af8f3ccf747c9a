// Claims and local-path volumes on simulated nodes. The provisioner and the binder treat a sim node
// as any node (it publishes a volume root, simVolumeRoot), so a claim of a pod on it gets a volume
// pinned to it. As a kubelet waits to mount, a sim pod whose claims are not all Bound does not
// start; when one becomes Bound its pods are evaluated again. A sim node has no disk: when a
// local-path volume of one of its nodes is deleted, the fleet only drops the cleanup finalizer that
// a real agent drops after removing the directory.

import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../api/gen/types.js';
import { persistentVolumeKind } from '../../api/kinds/core/persistent-volume.js';
import { persistentVolumeClaimKind } from '../../api/kinds/core/persistent-volume-claim.js';
import { podClaimNames } from '../../api/storage/claims.js';
import { ANN_SELECTED_NODE, FINALIZER_LOCAL_PATH_CLEANUP } from '../../api/storage/well-known.js';
import { StatusError } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import type { Informer } from '../../client/informer.js';
import type { InformerFactory } from '../../client/informer-factory.js';
import type { RestClient } from '../../client/rest-client.js';
import { owesCleanup } from '../volumes/local-path-cleaner.js';

export interface SimVolumes {
  /** true when every claim of the pod is Bound (a pod without claims is always ready) */
  ready(pod: Pod): boolean;
  /** called with each pod of a claim that became Bound */
  onBound(fn: (pod: Pod) => void): void;
}

export function startSimVolumes(o: {
  client: RestClient;
  informers: InformerFactory;
  pods: Informer<Pod>;
  isOurs(node: string): boolean;
  log: Logger;
}): SimVolumes {
  const volumes = o.informers.for(persistentVolumeKind);
  const claims = o.informers.for(persistentVolumeClaimKind);
  let bound: (pod: Pod) => void = () => undefined;

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

  const isBound = (c: PersistentVolumeClaim | undefined) => c?.status?.phase === 'Bound';
  const onClaim = (old: PersistentVolumeClaim | undefined, c: PersistentVolumeClaim) => {
    if (!isBound(c) || isBound(old)) return;
    const name = c.metadata.name ?? '';
    for (const p of o.pods.byNamespace(c.metadata.namespace ?? '')) if (p.spec?.nodeName && podClaimNames(p).includes(name)) bound(p);
  };
  claims.addHandlers({ onAdd: (c) => onClaim(undefined, c), onUpdate: onClaim });

  return {
    ready(pod) {
      const names = podClaimNames(pod);
      if (names.length === 0) return true;
      const ns = pod.metadata.namespace ?? '';
      return names.every((n) => isBound(claims.get(`${ns}/${n}`)));
    },
    onBound(fn) {
      bound = fn;
    },
  };
}
