// Test support: an in-memory Deployment world (one Deployment, its ReplicaSets, a clock) behind the
// DeploymentSyncDeps interface, plus `settle` standing in for the ReplicaSet controller.

import type { Deployment, Pod, ReplicaSet } from '../../../api/gen/types.js';
import { StatusError } from '../../../base/errors.js';
import { controllerRefOf } from '../../shared/owner-refs.js';
import type { DeploymentSyncDeps } from '../deployment-sync-deps.js';

export const T0 = Date.parse('2024-05-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export function makeDeployment(replicas: number, spec: Partial<NonNullable<Deployment['spec']>> = {}): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: 1, resourceVersion: '1' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'v1' }] } },
      ...spec,
    },
    status: {},
  };
}

export function createFakeCluster(d: Deployment) {
  let clock = T0;
  let rv = 10;
  let dep = structuredClone(d);
  const rss = new Map<string, ReplicaSet>();
  const pods = new Map<string, Pod[]>();
  const events: string[] = [];
  const requeues: number[] = [];
  const deleted: string[] = [];
  const w: DeploymentSyncDeps = {
    getDeployment: () => dep,
    replicaSetsControlledBy: (uid) => [...rss.values()].filter((r) => controllerRefOf(r)?.uid === uid),
    orphanReplicaSetsIn: () => [...rss.values()].filter((r) => !controllerRefOf(r)),
    podsControlledBy: (uid) => pods.get(uid) ?? [],
    now: () => clock,
    requeueAfter: (_k, ms) => {
      requeues.push(ms);
    },
    event: (_o, _t, reason, msg) => {
      events.push(`${reason}: ${msg}`);
    },
    api: {
      async createReplicaSet(_ns, rs) {
        const name = rs.metadata.name ?? '';
        if (rss.has(name)) throw new StatusError(409, 'AlreadyExists', `replicasets "${name}" already exists`);
        const c = structuredClone(rs);
        c.metadata.uid = `uid-${name}`;
        c.metadata.resourceVersion = String(++rv);
        c.metadata.generation = 1;
        c.metadata.creationTimestamp = iso(clock);
        c.status = { replicas: 0 };
        rss.set(name, c);
        return structuredClone(c);
      },
      async getReplicaSet(_ns, name) {
        const r = rss.get(name);
        return r && structuredClone(r);
      },
      async updateReplicaSet(rs) {
        const cur = rss.get(rs.metadata.name ?? '');
        if (!cur) throw new StatusError(404, 'NotFound', 'gone');
        if (cur.metadata.resourceVersion !== rs.metadata.resourceVersion) throw new StatusError(409, 'Conflict', 'stale');
        const c = structuredClone(rs);
        c.status = cur.status;
        c.metadata.resourceVersion = String(++rv);
        if (JSON.stringify(c.spec) !== JSON.stringify(cur.spec)) c.metadata.generation = (cur.metadata.generation ?? 1) + 1;
        rss.set(c.metadata.name ?? '', c);
        return structuredClone(c);
      },
      async deleteReplicaSet(_ns, name) {
        rss.delete(name);
        deleted.push(name);
      },
      async patchReplicaSet(_ns, name, patch) {
        const cur = rss.get(name) as ReplicaSet;
        const meta = patch['metadata'] as { ownerReferences?: ReplicaSet['metadata']['ownerReferences'] | null };
        if (meta.ownerReferences === null) delete cur.metadata.ownerReferences;
        else if (meta.ownerReferences) cur.metadata.ownerReferences = meta.ownerReferences;
        return structuredClone(cur);
      },
      async getDeployment() {
        return structuredClone(dep);
      },
      async patchDeploymentAnnotations(_d, annotations) {
        dep.metadata.annotations = { ...(dep.metadata.annotations ?? {}), ...annotations };
        return structuredClone(dep);
      },
      async updateDeploymentStatus(_d, status) {
        dep.status = structuredClone(status);
        return structuredClone(dep);
      },
    },
  };
  return {
    w,
    rss,
    pods,
    events,
    requeues,
    deleted,
    get d() {
      return dep;
    },
    tick(ms: number) {
      clock += ms;
    },
    /** Changes the Deployment's spec as a user would (generation goes up). */
    edit(f: (d: Deployment) => void) {
      dep = structuredClone(dep);
      f(dep);
      dep.metadata.generation = (dep.metadata.generation ?? 1) + 1;
    },
    /** The ReplicaSet controller's part: status follows spec; `available` limits how many are available per RS. */
    settle(available: (rs: ReplicaSet) => number = (rs) => rs.spec?.replicas ?? 0) {
      for (const rs of rss.values()) {
        const n = rs.spec?.replicas ?? 0;
        const a = Math.min(n, available(rs));
        rs.status = {
          replicas: n,
          readyReplicas: a,
          availableReplicas: a,
          fullyLabeledReplicas: n,
          observedGeneration: rs.metadata.generation ?? 1,
        };
        rs.metadata.resourceVersion = String(++rv);
      }
    },
    sizes(): Record<string, number> {
      return Object.fromEntries(
        [...rss.values()].map((r) => [r.spec?.template?.spec?.containers?.[0]?.image ?? '?', r.spec?.replicas ?? 0]),
      );
    },
  };
}
