// The disruption controller: keeps every PodDisruptionBudget's status (expectedPods, currentHealthy,
// desiredHealthy, disruptionsAllowed, disruptedPods, the DisruptionAllowed condition) in step with
// the pods it covers, which the eviction subresource then spends. A budget is synced when it or one
// of its pods changes; entries of disruptedPods are looked at again when they expire. A sync that
// fails (a pod's controller cannot be found) sets disruptionsAllowed to 0 (reason SyncFailed): an
// unknown state must not allow evictions. A DisruptionTarget condition that an eviction or a
// preemption left on a pod that was then not deleted is reset to False after two minutes.

import type { Pod, PodDisruptionBudget } from '../../api/gen/types.js';
import { deploymentKind } from '../../api/kinds/apps/deployment.js';
import { replicaSetKind } from '../../api/kinds/apps/replicaset.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { kindByGVK } from '../../api/kinds/index.js';
import { pdbKind } from '../../api/kinds/policy/pdb.js';
import { fromLabelSelector } from '../../api/label-selector.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { rfc3339 } from '../../base/time.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { errorText } from '../shared/error-text.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import {
  buildDisruptedPodMap,
  countHealthy,
  expectedPodCount,
  failSafeStatus,
  nextStatus,
  podsForPdb,
  staleDisruptionAt,
} from './disruption-decide.js';
import { createScaleFinder } from './scale-finder.js';

const NAME = 'disruption';
/** Work-queue keys of pods whose DisruptionTarget condition may be stale (budgets are plain ns/name). */
const POD_KEY = 'pod:';

const keyOf = (o: { metadata: { namespace?: string; name?: string } }) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export function startDisruptionController(deps: ControllerDeps): RunningController {
  const { client } = deps;
  const log = deps.log.child(NAME);
  const now = deps.now ?? Date.now;
  const pods = deps.informers.for(podKind);
  const pdbs = deps.informers.for(pdbKind);
  const replicaSets = deps.informers.for(replicaSetKind);
  const deployments = deps.informers.for(deploymentKind);
  const queue = createWorkQueue<string>({ name: 'disruption' });

  /** Budgets of the pod's namespace that select it (usually one; every one is synced). */
  const pdbsOfPod = (pod: Pod): PodDisruptionBudget[] =>
    pdbs.byNamespace(pod.metadata.namespace ?? '').filter((b) => {
      try {
        return fromLabelSelector(b.spec?.selector).matches(pod.metadata.labels ?? {});
      } catch {
        return false;
      }
    });
  const enqueuePod = (pod: Pod) => {
    for (const b of pdbsOfPod(pod)) queue.add(keyOf(b));
    const staleAt = staleDisruptionAt(pod);
    if (staleAt !== undefined) queue.addAfter(`${POD_KEY}${keyOf(pod)}`, staleAt - now());
  };
  pdbs.addHandlers({ onAdd: (b) => queue.add(keyOf(b)), onUpdate: (_o, b) => queue.add(keyOf(b)), onDelete: (b) => queue.add(keyOf(b)) });
  pods.addHandlers({
    onAdd: enqueuePod,
    onUpdate: (old, pod) => {
      enqueuePod(pod);
      if (JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) enqueuePod(old);
    },
    onDelete: enqueuePod,
  });

  const findScale = createScaleFinder({
    replicaSet: (key) => replicaSets.get(key),
    deployment: (key) => deployments.get(key),
    kind: kindByGVK,
    async scale(kind, ns, name) {
      try {
        return await client.request('GET', client.resource(kind).namespace(ns).path(name, 'scale'));
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) return undefined;
        throw e;
      }
    },
  });

  async function writeStatus(next: PodDisruptionBudget): Promise<void> {
    await client
      .resource(pdbKind)
      .namespace(next.metadata.namespace ?? '')
      .updateStatus(next);
  }

  /** Resets a DisruptionTarget condition whose eviction or preemption never deleted the pod. */
  async function syncStalePod(key: string): Promise<void> {
    const pod = pods.get(key);
    const staleAt = pod ? staleDisruptionAt(pod) : undefined;
    if (!pod || staleAt === undefined) return;
    if (staleAt > now()) {
      queue.addAfter(`${POD_KEY}${key}`, staleAt - now());
      return;
    }
    const condition = { type: 'DisruptionTarget', status: 'False', reason: null, message: null, lastTransitionTime: rfc3339(now()) };
    await client
      .resource(podKind)
      .namespace(pod.metadata.namespace ?? '')
      .patchStatus(pod.metadata.name ?? '', { status: { conditions: [condition] } }, 'strategic');
    log.info('reset stale DisruptionTarget condition to False', { pod: key });
  }

  async function sync(key: string): Promise<void> {
    if (key.startsWith(POD_KEY)) return syncStalePod(key.slice(POD_KEY.length));
    const pdb = pdbs.get(key);
    if (!pdb) return;
    const t = now();
    let next: PodDisruptionBudget | undefined;
    let recheckAt: number | undefined;
    try {
      const covered = podsForPdb(pdb, pods.byNamespace(pdb.metadata.namespace ?? ''));
      if (covered.length === 0) deps.recorder?.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
      const count = await expectedPodCount(pdb, covered, findScale);
      if (count.unmanaged.length > 0) {
        deps.recorder?.event(
          pdb,
          'Warning',
          'UnmanagedPods',
          `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? null)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
        );
      }
      const dm = buildDisruptedPodMap(covered, pdb, t);
      for (const p of dm.notDeleted) {
        deps.recorder?.event(p, 'Warning', 'NotDeleted', `Pod was expected by PDB ${key} to be deleted but it wasn't`);
      }
      recheckAt = dm.recheckAt;
      const currentHealthy = countHealthy(covered, dm.disrupted, t);
      next = nextStatus(
        pdb,
        { currentHealthy, desiredHealthy: count.desiredHealthy, expectedCount: count.expectedCount, disrupted: dm.disrupted },
        t,
      );
    } catch (e) {
      if (e instanceof StatusError && e.code === 409) throw e;
      log.warn('sync failed, no disruptions allowed', { pdb: key, error: errorText(e) });
      deps.recorder?.event(
        pdb,
        'Warning',
        'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${errorText(e)}`,
      );
      await writeStatus(failSafeStatus(pdb, errorText(e), t));
      return;
    }
    if (next) await writeStatus(next);
    if (recheckAt !== undefined) queue.addAfter(key, recheckAt - t);
  }

  return runController({
    name: NAME,
    log,
    informers: [pods, pdbs, replicaSets, deployments],
    queue,
    workers: deps.workers ?? 2,
    sync,
  });
}
