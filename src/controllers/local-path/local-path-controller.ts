// The built-in local-path provisioner (component `local-path-provisioner`): provisions claims whose
// class names tandem.dev/local-path once the scheduler has chosen their node, and deletes its
// Released volumes whose policy is Delete. Deleting the object is all it does on the control plane:
// the directory lives on the node, so the node's agent removes it and then the cleanup finalizer
// (src/agent/volumes/local-path-cleaner.ts). A volume whose node no longer exists has nobody to
// clean it, so the provisioner drops that finalizer itself.

import type { PersistentVolume, PersistentVolumeClaim } from '../../api/gen/types.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { persistentVolumeKind } from '../../api/kinds/core/persistent-volume.js';
import { persistentVolumeClaimKind } from '../../api/kinds/core/persistent-volume-claim.js';
import { storageClassKind } from '../../api/kinds/storage/storage-class.js';
import { claimClass } from '../../api/storage/claims.js';
import { nodeVolumeRoot } from '../../api/storage/local-path.js';
import {
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  FINALIZER_LOCAL_PATH_CLEANUP,
  LOCAL_PATH_PROVISIONER,
} from '../../api/storage/well-known.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { objectKey, splitObjectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { localPathVolume, volumeNameFor, volumeNode } from './local-path-volume.js';

const NAME = 'local-path-provisioner';
const CLAIM = 'claim:';
const VOLUME = 'volume:';
const exists = (e: unknown) => e instanceof StatusError && e.code === 409;
const gone = (e: unknown) => e instanceof StatusError && e.code === 404;

const ours = (pv: PersistentVolume) => pv.metadata.annotations?.[ANN_PROVISIONED_BY] === LOCAL_PATH_PROVISIONER;

export function startLocalPathProvisioner(deps: ControllerDeps): RunningController {
  const { client } = deps;
  const claims = deps.informers.for(persistentVolumeClaimKind);
  const volumes = deps.informers.for(persistentVolumeKind);
  const classes = deps.informers.for(storageClassKind);
  const nodes = deps.informers.for(nodeKind);
  const queue = createWorkQueue<string>({ name: 'local_path_provisioner' });
  const pvApi = client.resource(persistentVolumeKind);

  const onClaim = (c: PersistentVolumeClaim) => {
    if (c.metadata.annotations?.[ANN_STORAGE_PROVISIONER] === LOCAL_PATH_PROVISIONER && !c.spec?.volumeName)
      queue.add(CLAIM + objectKey(c));
  };
  const onVolume = (v: PersistentVolume) => {
    if (ours(v)) queue.add(VOLUME + (v.metadata.name ?? ''));
  };
  claims.addHandlers({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c) });
  volumes.addHandlers({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v) });
  // a node that publishes its volume root late, or goes away
  nodes.addHandlers({
    onUpdate: () => claims.list().forEach(onClaim),
    onDelete: () => volumes.list().forEach(onVolume),
  });

  async function provision(namespace: string, name: string): Promise<void> {
    const pvc = claims.get(`${namespace}/${name}`);
    if (!pvc || pvc.spec?.volumeName || pvc.metadata.deletionTimestamp) return;
    if (pvc.metadata.annotations?.[ANN_STORAGE_PROVISIONER] !== LOCAL_PATH_PROVISIONER) return;
    if (volumes.get(volumeNameFor(pvc))) return;
    const sc = classes.get(claimClass(pvc));
    if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return;
    const nodeName = pvc.metadata.annotations[ANN_SELECTED_NODE];
    if (!nodeName) {
      deps.recorder?.event(
        pvc,
        'Warning',
        'ProvisioningFailed',
        `the ${LOCAL_PATH_PROVISIONER} provisioner needs a node for the volume: use a class with volumeBindingMode WaitForFirstConsumer`,
      );
      return;
    }
    const node = nodes.get(nodeName);
    const root = nodeVolumeRoot(node);
    if (!node || !root) {
      deps.recorder?.event(
        pvc,
        'Warning',
        'ProvisioningFailed',
        `node "${nodeName}" publishes no local-path volume root (annotation tandem.dev/local-path-root)`,
      );
      return;
    }
    deps.recorder?.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${namespace}/${name}"`);
    try {
      await pvApi.create(localPathVolume(pvc, sc, node, root));
    } catch (e) {
      if (!exists(e)) throw e;
    }
    deps.recorder?.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${volumeNameFor(pvc)}`);
  }

  async function reclaim(name: string): Promise<void> {
    const pv = volumes.get(name);
    if (!pv || !ours(pv)) return;
    if (pv.metadata.deletionTimestamp) {
      const node = volumeNode(pv);
      const fins = pv.metadata.finalizers ?? [];
      if (fins.includes(FINALIZER_LOCAL_PATH_CLEANUP) && node && !nodes.get(node)) {
        await pvApi.patch(name, {
          metadata: { finalizers: fins.filter((f) => f !== FINALIZER_LOCAL_PATH_CLEANUP), resourceVersion: pv.metadata.resourceVersion },
        });
      }
      return;
    }
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    try {
      await pvApi.delete(name, { preconditions: { uid: pv.metadata.uid } });
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }

  async function sync(key: string): Promise<void> {
    if (key.startsWith(CLAIM)) {
      const { namespace, name } = splitObjectKey(key.slice(CLAIM.length));
      await provision(namespace, name);
    } else if (key.startsWith(VOLUME)) await reclaim(key.slice(VOLUME.length));
  }

  return runController({
    name: NAME,
    log: deps.log.child(NAME),
    informers: [claims, volumes, classes, nodes],
    queue,
    workers: deps.workers ?? 2,
    sync,
  });
}
