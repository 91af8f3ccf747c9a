// The pod garbage collector's wiring: shared Pod and Node caches, and one key that a timer enqueues
// every period (upstream's collector is periodic, not event-driven: what it collects is made due by
// counts and by time), synced by one worker that runs a pass of podgc-sync.ts against the caches and
// the API.

import type { Pod } from '../../api/gen/types.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { DEFAULT_GC_CHECK_PERIOD_MS, DEFAULT_QUARANTINE_MS, DEFAULT_TERMINATED_POD_GC_THRESHOLD } from './podgc-decide.js';
import { createPodGc } from './podgc-sync.js';
import type { PodGcSyncDeps } from './podgc-sync-deps.js';

export interface PodGcOptions {
  /** How often a pass runs (default 20 s, upstream's gcCheckPeriod). */
  gcCheckPeriodMs?: number;
  /** How long a node stays missing before its pods count as orphaned (default 40 s). */
  quarantineMs?: number;
  /** Terminated pods kept before the oldest go (default 12500; 0 keeps them all). */
  terminatedPodGcThreshold?: number;
}

const NAME = 'pod-garbage-collector';
/** The one key: a pass looks at every pod. */
const PASS = 'pass';

const podsIn = (deps: ControllerDeps, p: Pod) => deps.client.resource(podKind).namespace(p.metadata.namespace ?? '');

export function startPodGcController(deps: ControllerDeps & PodGcOptions): RunningController {
  const log = deps.log.child(NAME);
  const period = Math.max(10, deps.gcCheckPeriodMs ?? DEFAULT_GC_CHECK_PERIOD_MS);
  const pods = deps.informers.for(podKind);
  const nodes = deps.informers.for(nodeKind);
  const queue = createWorkQueue<string>({ name: 'orphaned_pods_nodes' });

  const world: PodGcSyncDeps = {
    listPods: () => pods.list(),
    getNode: (name) => nodes.get(name),
    now: deps.now ?? Date.now,
    log,
    api: {
      nodeExists: async (name) => {
        try {
          await deps.client.resource(nodeKind).get(name);
          return true;
        } catch (e) {
          if (e instanceof StatusError && e.code === 404) return false;
          throw e;
        }
      },
      patchPodStatus: async (p, patch) => {
        await podsIn(deps, p).patchStatus(p.metadata.name ?? '', patch, 'strategic');
      },
      forceDeletePod: async (p) => {
        await podsIn(deps, p).delete(p.metadata.name ?? '', { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } });
      },
    },
  };
  const gc = createPodGc(world, {
    terminatedPodGcThreshold: Math.max(0, deps.terminatedPodGcThreshold ?? DEFAULT_TERMINATED_POD_GC_THRESHOLD),
    quarantineMs: Math.max(0, deps.quarantineMs ?? DEFAULT_QUARANTINE_MS),
  });

  // the first pass as soon as the caches have synced, then one per period
  queue.add(PASS);
  return runController({
    name: NAME,
    log,
    informers: [pods, nodes],
    queue,
    workers: 1,
    sync: async () => {
      await gc.run();
    },
    periodic: { everyMs: period, run: () => queue.add(PASS) },
  });
}
