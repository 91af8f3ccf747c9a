// The disruption controller: keeps every PodDisruptionBudget's status (expectedPods, currentHealthy,
// desiredHealthy, disruptionsAllowed, disruptedPods, the DisruptionAllowed condition) in step with
// the pods it covers, which the eviction subresource then spends. A budget is synced when it or one
// of its pods changes; entries of disruptedPods are looked at again when they expire. A sync that
// fails (a pod's controller cannot be found) sets disruptionsAllowed to 0 (reason SyncFailed): an
// unknown state must not allow evictions. A DisruptionTarget condition that an eviction or a
// preemption left on a pod that was then not deleted is reset to False after two minutes.

import type { Deployment, OwnerReference, Pod, PodDisruptionBudget, ReplicaSet } from '../../api/gen/types.js';
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
  type ControllerScale,
  type ScaleFinder,
} from './disruption-decide.js';

const NAME = 'disruption';
/** Work-queue keys of pods whose DisruptionTarget condition may be stale (budgets are plain ns/name). */
const POD_KEY = 'pod:';

const keyOf = (o: { metadata: { namespace?: string; name?: string } }) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');
const versionOf = (apiVersion: string) => apiVersion.slice(apiVersion.indexOf('/') + 1);

export function startDisruptionController(deps: ControllerDeps): RunningController {
  const { client } = deps;
  const log = deps.log.child(NAME);
  const now = deps.now ?? Date.now;
  const pods = deps.informers.for(podKind);
  const pdbs = deps.informers.for(pdbKind);
  const replicaSets = deps.informers.for(replicaSetKind);
  const deployments = deps.informers.for(deploymentKind);
  const queue = createWorkQueue<string>();

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

  /** Upstream's finders: ReplicaSet (or the Deployment that controls it), Deployment, else the owner's scale subresource. */
  const findScale: ScaleFinder = async (ref: OwnerReference, ns: string): Promise<ControllerScale | undefined> => {
    const group = groupOf(ref.apiVersion);
    if (ref.kind === 'ReplicaSet' && (group === 'apps' || group === 'extensions')) {
      const rs = replicaSets.get(`${ns}/${ref.name}`) as ReplicaSet | undefined;
      if (!rs || rs.metadata.uid !== ref.uid) return undefined;
      const owner = (rs.metadata.ownerReferences ?? []).find((r) => r.controller === true);
      if (owner && owner.kind === 'Deployment') {
        const d = deployments.get(`${ns}/${owner.name}`) as Deployment | undefined;
        if (!d || d.metadata.uid !== owner.uid) return undefined;
        return { uid: d.metadata.uid ?? '', scale: d.spec?.replicas ?? 1 };
      }
      return { uid: rs.metadata.uid ?? '', scale: rs.spec?.replicas ?? 1 };
    }
    if (ref.kind === 'Deployment' && (group === 'apps' || group === 'extensions')) {
      const d = deployments.get(`${ns}/${ref.name}`) as Deployment | undefined;
      return d && d.metadata.uid === ref.uid ? { uid: ref.uid, scale: d.spec?.replicas ?? 1 } : undefined;
    }
    // StatefulSets, ReplicationControllers and anything else with a scale subresource
    const kind = kindByGVK(group, versionOf(ref.apiVersion), ref.kind);
    if (!kind || !kind.subresources.some((s) => s.name === 'scale')) return undefined;
    try {
      const api = client.resource(kind).namespace(ns);
      const s = await client.request<{ metadata?: { uid?: string }; spec?: { replicas?: number } }>('GET', api.path(ref.name, 'scale'));
      return s.metadata?.uid === ref.uid ? { uid: ref.uid, scale: s.spec?.replicas ?? 0 } : undefined;
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    }
  };

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
