// The PersistentVolume binder (upstream's persistentvolume-binder, running as the
// persistent-volume-binder ServiceAccount): informers on claims, volumes, classes, nodes and pods
// enqueue `claim:<ns>/<name>` and `volume:<name>` keys; claim-sync.ts and volume-sync.ts reconcile
// them. A volume's change enqueues its claim and a claim's change the volume it names, so a bind
// written in two steps settles from either side.

import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../api/gen/types.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { persistentVolumeKind } from '../../api/kinds/core/persistent-volume.js';
import { persistentVolumeClaimKind } from '../../api/kinds/core/persistent-volume-claim.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { storageClassKind } from '../../api/kinds/storage/storage-class.js';
import { podClaimNames } from '../../api/storage/claims.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey, splitObjectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { syncClaim } from './claim-sync.js';
import { apiWrites, type PvWorld } from './pv-world.js';
import { syncVolume } from './volume-sync.js';

const NAME = 'persistentvolume-binder';
const CLAIM = 'claim:';
const VOLUME = 'volume:';

export function startPersistentVolumeController(deps: ControllerDeps): RunningController {
  const now = deps.now ?? Date.now;
  const claims = deps.informers.for(persistentVolumeClaimKind);
  const volumes = deps.informers.for(persistentVolumeKind);
  const classes = deps.informers.for(storageClassKind);
  const nodes = deps.informers.for(nodeKind);
  const pods = deps.informers.for(podKind);
  const queue = createWorkQueue<string>({ name: 'volumes' });

  const onClaim = (c: PersistentVolumeClaim) => {
    queue.add(CLAIM + objectKey(c));
    if (c.spec?.volumeName) queue.add(VOLUME + c.spec.volumeName);
  };
  const onVolume = (v: PersistentVolume) => {
    queue.add(VOLUME + (v.metadata.name ?? ''));
    const ref = v.spec?.claimRef;
    if (ref?.name) queue.add(`${CLAIM}${ref.namespace ?? ''}/${ref.name}`);
  };
  /** a pod that goes away may release a deleted claim held by pvc-protection */
  const onPod = (p: Pod) => {
    for (const claim of podClaimNames(p)) {
      const c = claims.get(`${p.metadata.namespace ?? ''}/${claim}`);
      if (c?.metadata.deletionTimestamp) queue.add(CLAIM + objectKey(c));
    }
  };
  claims.addHandlers({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c), onDelete: onClaim });
  volumes.addHandlers({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v), onDelete: onVolume });
  // a class created after its claims: those claims can now be provisioned
  classes.addHandlers({
    onAdd: () =>
      claims
        .list()
        .filter((c) => !c.spec?.volumeName)
        .forEach(onClaim),
  });
  pods.addHandlers({ onUpdate: (_o, p) => onPod(p), onDelete: onPod });

  const world: PvWorld = {
    ...apiWrites(deps.client),
    claim: (ns, name) => claims.get(`${ns}/${name}`),
    volume: (name) => volumes.get(name),
    volumes: () => volumes.list(),
    storageClass: (name) => classes.get(name),
    node: (name) => nodes.get(name),
    podsIn: (ns) => pods.byNamespace(ns),
    event: (obj, type, reason, message) => deps.recorder?.event(obj, type, reason, message),
    now,
  };

  async function sync(key: string): Promise<void> {
    if (key.startsWith(CLAIM)) {
      const { namespace, name } = splitObjectKey(key.slice(CLAIM.length));
      await syncClaim(world, namespace, name);
    } else if (key.startsWith(VOLUME)) await syncVolume(world, key.slice(VOLUME.length));
  }

  return runController({
    name: NAME,
    log: deps.log.child(NAME),
    informers: [claims, volumes, classes, nodes, pods],
    queue,
    workers: deps.workers ?? 2,
    sync,
    // volumes whose claims went away while this controller was not watching, and claims waiting on a provisioner
    periodic: { everyMs: 15_000, run: () => volumes.list().forEach(onVolume) },
  });
}
