// Workloads (Deployments, DaemonSets, StatefulSets, Jobs) each followed by its pods: node,
// isolation, phase. A pod's workload is found through its owner: a ReplicaSet's name is the
// Deployment's name plus the pod-template-hash, so no ReplicaSet watch is needed.

import { useMemo } from 'preact/hooks';
import type { DaemonSet, Deployment, Job, Pod, StatefulSet } from '../../src/api/gen/types.js';
import { useStore, useThrottled } from './hooks.js';
import { Filters, useFilters } from './filters.js';
import { href, type Route } from './router.js';
import { VirtualList } from './virtual-list.js';
import { byText, podIsolation } from './words.js';

type Workload = Deployment | DaemonSet | StatefulSet | Job;
type Row = { kind: string; w: Workload; ready: string; pods: number } | { pod: Pod };

function ownerKey(p: Pod): string | undefined {
  const o = p.metadata.ownerReferences?.find((r) => r.controller) ?? p.metadata.ownerReferences?.[0];
  if (!o) return undefined;
  const ns = p.metadata.namespace ?? '';
  if (o.kind === 'ReplicaSet') {
    const hash = p.metadata.labels?.['pod-template-hash'];
    const name = hash && o.name.endsWith(`-${hash}`) ? o.name.slice(0, -hash.length - 1) : o.name;
    return `Deployment/${ns}/${name}`;
  }
  return `${o.kind}/${ns}/${o.name}`;
}

function readiness(kind: string, w: Workload): string {
  const s = (w.status ?? {}) as Record<string, number | undefined>;
  const spec = (w.spec ?? {}) as Record<string, unknown>;
  if (kind === 'DaemonSet') return `${s['numberReady'] ?? 0}/${s['desiredNumberScheduled'] ?? 0} ready`;
  if (kind === 'Job') return `${s['succeeded'] ?? 0} succeeded, ${s['active'] ?? 0} active, ${s['failed'] ?? 0} failed`;
  return `${s['readyReplicas'] ?? 0}/${(spec['replicas'] as number | undefined) ?? 1} ready`;
}

export function Workloads({ route }: { route: Route }) {
  const stores = {
    Deployment: useStore<Deployment>('/apis/apps/v1/deployments'),
    DaemonSet: useStore<DaemonSet>('/apis/apps/v1/daemonsets'),
    StatefulSet: useStore<StatefulSet>('/apis/apps/v1/statefulsets'),
    Job: useStore<Job>('/apis/batch/v1/jobs'),
  };
  const pods = useStore<Pod>('/api/v1/pods');
  const { ns, match, labels } = useFilters(route);
  const podsVersion = useThrottled(pods.version, 250);
  const versions = Object.values(stores).map((s) => s.version);

  const rows = useMemo(() => {
    const byOwner = new Map<string, Pod[]>();
    for (const p of pods.items.values()) {
      const k = ownerKey(p);
      if (!k) continue;
      let l = byOwner.get(k);
      if (!l) byOwner.set(k, (l = []));
      l.push(p);
    }
    const rows: Row[] = [];
    for (const [kind, store] of Object.entries(stores)) {
      const list = [...store.items.values()]
        .filter((w) => (!ns || w.metadata.namespace === ns) && match(w.metadata.labels ?? {}))
        .sort((a, b) => byText(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`));
      for (const w of list) {
        const own = (byOwner.get(`${kind}/${w.metadata.namespace}/${w.metadata.name}`) ?? []).sort((a, b) =>
          byText(a.metadata.name ?? '', b.metadata.name ?? ''),
        );
        rows.push({ kind, w, ready: readiness(kind, w), pods: own.length });
        for (const pod of own) rows.push({ pod });
      }
    }
    return rows;
  }, [...versions, podsVersion, ns, labels]);

  const workloadCount = rows.filter((r) => 'w' in r).length;
  return (
    <section aria-labelledby="wl-h" class="view">
      <h1 id="wl-h">Workloads</h1>
      <Filters route={route} />
      <p class="summary" aria-live="polite">
        {workloadCount} workloads, {rows.length - workloadCount} pods
      </p>
      <VirtualList
        id="workloads"
        label="Workloads and their pods"
        items={rows}
        rowHeight={32}
        rowClass={(r) => ('w' in r ? 'group' : 'pod-cols')}
        onOpen={(r) => {
          if ('pod' in r) location.hash = href(['pods', r.pod.metadata.namespace ?? '', r.pod.metadata.name ?? '']);
        }}
        render={(r) => {
          if ('w' in r)
            return (
              <strong>
                {r.kind} {r.w.metadata.namespace}/{r.w.metadata.name} — {r.ready}, {r.pods} pods
              </strong>
            );
          const p = r.pod;
          return (
            <>
              <a href={href(['pods', p.metadata.namespace ?? '', p.metadata.name ?? ''])} tabIndex={-1}>
                {p.metadata.name}
              </a>
              <span>{p.spec?.nodeName ?? 'not scheduled'}</span>
              <span>{podIsolation(p) || 'Linux'}</span>
              <span class={`phase-${(p.status?.phase ?? 'Pending').toLowerCase()}`}>{p.status?.phase ?? 'Pending'}</span>
            </>
          );
        }}
      />
    </section>
  );
}
