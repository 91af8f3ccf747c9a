// The node's half of the local-path provisioner. At start the agent publishes its volume root on
// its Node (annotation tandem.dev/local-path-root: DATA/volumes, in the host's own path style), so
// the provisioner knows where to put this node's volumes. Then it watches PersistentVolumes: a
// local-path volume of this node that is being deleted and still carries the
// tandem.dev/local-path-cleanup finalizer has its directory removed (reclaim policy Delete; a
// Retain volume's data stays on disk) and then loses the finalizer, so the object goes only once
// the data is gone. An agent that was down catches up from the list when it starts.
//
// Why the finalizer and not a watch for deletions: a delete event seen by nobody (agent stopped)
// would leak the directory; a finalizer keeps the volume visible until this node has acted.

import { rm } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { PersistentVolume } from '../../api/gen/types.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { persistentVolumeKind } from '../../api/kinds/core/persistent-volume.js';
import {
  ANN_LOCAL_PATH_ROOT,
  ANN_PROVISIONED_BY,
  ANN_SELECTED_NODE,
  FINALIZER_LOCAL_PATH_CLEANUP,
  LOCAL_PATH_PROVISIONER,
} from '../../api/storage/well-known.js';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';
import { StatusError } from '../../base/errors.js';
import { createInformer, type Informer } from '../../client/informer.js';
import { collectionPath } from '../../client/paths.js';
import type { RestClient } from '../../client/rest-client.js';

export interface LocalPathCleaner {
  /** the volumes this agent knows (for claim resolution without a GET per pod sync) */
  volume(name: string): PersistentVolume | undefined;
  stop(): Promise<void>;
}

export interface LocalPathCleanerOptions {
  client: RestClient;
  nodeName: string;
  /** the directory this node's volumes live under (DATA/volumes) */
  root: string;
  log: Logger;
  clock: Clock;
}

/** Whether `pv` is a local-path volume of `node` whose cleanup this node still owes. */
export function owesCleanup(pv: PersistentVolume, node: string): boolean {
  return (
    pv.metadata.annotations?.[ANN_PROVISIONED_BY] === LOCAL_PATH_PROVISIONER &&
    pv.metadata.annotations[ANN_SELECTED_NODE] === node &&
    !!pv.metadata.deletionTimestamp &&
    (pv.metadata.finalizers ?? []).includes(FINALIZER_LOCAL_PATH_CLEANUP)
  );
}

/** The directory to remove: only one strictly below the volume root (a volume made by hand elsewhere is never touched). */
export function removablePath(pv: PersistentVolume, root: string): string | undefined {
  const path = pv.spec?.hostPath?.path;
  if (!path) return undefined;
  const full = resolve(path),
    base = resolve(root);
  return full.startsWith(base + sep) && full.length > base.length + 1 ? full : undefined;
}

export async function publishVolumeRoot(client: RestClient, nodeName: string, root: string): Promise<void> {
  await client.resource(nodeKind).patch(nodeName, { metadata: { annotations: { [ANN_LOCAL_PATH_ROOT]: root } } });
}

export function startLocalPathCleaner(o: LocalPathCleanerOptions): LocalPathCleaner {
  const informer: Informer<PersistentVolume> = createInformer<PersistentVolume>(o.client, {
    path: collectionPath(persistentVolumeKind),
    log: o.log.child('volumes'),
  });
  const busy = new Set<string>();

  async function clean(pv: PersistentVolume): Promise<void> {
    const name = pv.metadata.name ?? '';
    if (busy.has(name)) return;
    busy.add(name);
    try {
      if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete') {
        const dir = removablePath(pv, o.root);
        if (dir) {
          await rm(dir, { recursive: true, force: true });
          o.log.info('local-path volume removed', { volume: name, path: dir });
        } else o.log.warn('local-path volume outside the volume root: directory left in place', { volume: name });
      }
      const rest = (pv.metadata.finalizers ?? []).filter((f) => f !== FINALIZER_LOCAL_PATH_CLEANUP);
      await o.client
        .resource(persistentVolumeKind)
        .patch(name, { metadata: { finalizers: rest, resourceVersion: pv.metadata.resourceVersion } });
    } catch (e) {
      // a conflict or a gone volume: the next event says what is left to do
      if (!(e instanceof StatusError && (e.code === 409 || e.code === 404)))
        o.log.warn('local-path cleanup failed', { volume: name, error: e });
    } finally {
      busy.delete(name);
    }
  }
  const consider = (pv: PersistentVolume) => {
    if (owesCleanup(pv, o.nodeName)) void clean(pv);
  };
  informer.addHandlers({ onAdd: consider, onUpdate: (_old, pv) => consider(pv) });
  informer.start();
  // a failed cleanup is tried again every 30 s (and on every later change of the volume)
  let cancel: () => void = () => undefined;
  let stopped = false;
  const retry = () => {
    if (stopped) return;
    informer.list().forEach(consider);
    cancel = o.clock.schedule(retry, 30_000);
  };
  cancel = o.clock.schedule(retry, 30_000);
  return {
    volume: (name) => informer.get(name),
    async stop() {
      stopped = true;
      cancel();
      await informer.stop();
    },
  };
}
