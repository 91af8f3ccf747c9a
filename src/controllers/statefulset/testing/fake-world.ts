// An in-memory world for StatefulSet reconcile tests: pods, claims and revisions live in maps that
// double as the caches (a write is seen at once), every API call is logged in order, and helpers
// move pods along (Running and Ready, gone) the way the node and the garbage collector would.

import type { ControllerRevision, PersistentVolumeClaim, Pod, StatefulSet, StatefulSetStatus } from '../../../api/gen/types.js';
import { StatusError } from '../../../base/errors.js';
import type { StatefulSetSyncDeps } from '../statefulset-sync-deps.js';

const T0 = Date.parse('2024-05-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** A StatefulSet whose spec is there (tests change it in place). */
type TestSet = StatefulSet & { spec: NonNullable<StatefulSet['spec']> };

export function makeSet(spec: Partial<TestSet['spec']> = {}): TestSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'ns', uid: 'set-uid', generation: 1, resourceVersion: '1' },
    spec: {
      replicas: 3,
      serviceName: 'nginx',
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1' }] } },
      ...spec,
    },
  };
}

const ownerUid = (o: { metadata: Pod['metadata'] }) => o.metadata.ownerReferences?.find((r) => r.controller)?.uid;

export function fakeWorld(set: TestSet) {
  const pods = new Map<string, Pod>();
  const claims = new Map<string, PersistentVolumeClaim>();
  const revisions = new Map<string, ControllerRevision>();
  /** Every write, in order: `create pod web-0`, `delete pod web-2`, `create claim www-web-0`, … */
  const calls: string[] = [];
  const events: string[] = [];
  const statuses: StatefulSetStatus[] = [];
  const requeues: number[] = [];
  let clock = T0;
  let seq = 0;
  const conflict = (what: string) => new StatusError(409, 'AlreadyExists', `${what} already exists`);

  const w: StatefulSetSyncDeps = {
    getStatefulSet: () => set,
    podsOf: (s) => [...pods.values()].filter((p) => ownerUid(p) === s.metadata.uid),
    revisionsOf: (s) => [...revisions.values()].filter((r) => ownerUid(r) === s.metadata.uid),
    orphanPodsIn: (ns) => [...pods.values()].filter((p) => !ownerUid(p) && p.metadata.namespace === ns),
    orphanRevisionsIn: (ns) => [...revisions.values()].filter((r) => !ownerUid(r) && r.metadata.namespace === ns),
    now: () => clock,
    requeueAfter: (_k, ms) => {
      requeues.push(ms);
    },
    event: (_o, type, reason, message) => {
      events.push(`${type} ${reason} ${message}`);
    },
    api: {
      async createPod(_ns, pod) {
        const name = pod.metadata.name ?? '';
        if (pods.has(name)) throw conflict(`pods "${name}"`);
        calls.push(`create pod ${name}`);
        const created: Pod = {
          ...pod,
          metadata: { ...pod.metadata, uid: `uid-${name}-${seq++}`, resourceVersion: '1' },
          status: { phase: 'Pending' },
        };
        pods.set(name, created);
        return created;
      },
      async deletePod(_ns, name) {
        calls.push(`delete pod ${name}`);
        const p = pods.get(name);
        if (!p) throw new StatusError(404, 'NotFound', `pods "${name}" not found`);
        // graceful deletion: the pod stays, terminating, until the node confirms
        pods.set(name, { ...p, metadata: { ...p.metadata, deletionTimestamp: iso(clock) } });
      },
      async patchPod(_ns, name, patch) {
        const p = pods.get(name);
        if (!p) throw new StatusError(404, 'NotFound', `pods "${name}" not found`);
        const meta = patch['metadata'] as Pod['metadata'];
        if (meta.labels) {
          calls.push(`label pod ${name}`);
          const next = { ...p, metadata: { ...p.metadata, labels: { ...p.metadata.labels, ...meta.labels } } };
          pods.set(name, next);
          return next;
        }
        const refs = meta.ownerReferences;
        calls.push(`${refs ? 'adopt' : 'release'} pod ${name}`);
        const next = { ...p, metadata: { ...p.metadata, ownerReferences: refs ?? undefined } };
        pods.set(name, next);
        return next;
      },
      async getStatefulSet() {
        return set;
      },
      async getClaim(_ns, name) {
        return claims.get(name);
      },
      async createClaim(_ns, claim) {
        const name = claim.metadata.name ?? '';
        if (claims.has(name)) throw conflict(`persistentvolumeclaims "${name}"`);
        calls.push(`create claim ${name}`);
        claims.set(name, { ...claim, metadata: { ...claim.metadata, resourceVersion: '1' } });
        return claim;
      },
      async patchClaim(_ns, name, patch) {
        calls.push(`patch claim ${name}`);
        const c = claims.get(name) as PersistentVolumeClaim;
        const meta = patch['metadata'] as PersistentVolumeClaim['metadata'];
        claims.set(name, { ...c, metadata: { ...c.metadata, ownerReferences: meta.ownerReferences } });
        return c;
      },
      async createRevision(_ns, rev) {
        const name = rev.metadata.name ?? '';
        if (revisions.has(name)) throw conflict(`controllerrevisions "${name}"`);
        calls.push(`create revision ${name} #${rev.revision}`);
        const created = { ...rev, metadata: { ...rev.metadata, uid: `rev-${seq++}`, creationTimestamp: iso(clock), resourceVersion: '1' } };
        revisions.set(name, created);
        return created;
      },
      async getRevision(_ns, name) {
        return revisions.get(name);
      },
      async patchRevision(_ns, name, patch) {
        const rev = revisions.get(name);
        if (!rev) throw new StatusError(404, 'NotFound', `controllerrevisions "${name}" not found`);
        const next = { ...rev, metadata: { ...rev.metadata } };
        if (typeof patch['revision'] === 'number') {
          calls.push(`renumber revision ${name} #${patch['revision']}`);
          next.revision = patch['revision'];
        }
        const refs = (patch['metadata'] as ControllerRevision['metadata']).ownerReferences;
        if (refs) {
          calls.push(`adopt revision ${name}`);
          next.metadata.ownerReferences = refs;
        }
        revisions.set(name, next);
        return next;
      },
      async deleteRevision(_ns, name) {
        calls.push(`delete revision ${name}`);
        revisions.delete(name);
      },
      async updateStatus(_s, status) {
        statuses.push(status);
        set.status = status;
        return set;
      },
    },
  };

  return {
    w,
    set,
    pods,
    claims,
    revisions,
    calls,
    events,
    statuses,
    requeues,
    tick(ms: number) {
      clock += ms;
    },
    /** The node reports the pod Running and Ready. */
    ready(name: string) {
      const p = pods.get(name);
      if (!p) throw new Error(`no pod ${name}`);
      p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(clock) }] };
    },
    readyAll() {
      for (const [n, p] of pods) if (!p.metadata.deletionTimestamp) this.ready(n);
    },
    /** Terminating pods finish and leave the store. */
    reap() {
      for (const [n, p] of pods) if (p.metadata.deletionTimestamp) pods.delete(n);
    },
    /** A template change, as an update of the set would bring it. */
    setImage(image: string) {
      set.spec.template.spec!.containers[0]!.image = image;
      set.metadata.generation = (set.metadata.generation ?? 0) + 1;
    },
  };
}
