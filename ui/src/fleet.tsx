// The fleet: nodes grouped by OS, Windows build and Hyper-V capability, with readiness, capacity,
// usage (metrics.k8s.io, fetched every 15 s: the one source that is not watched) and pod counts.

import { useMemo } from 'preact/hooks';
import type { Node, Pod } from '../../src/api/gen/types.js';
import { useNodeMetrics, useStore } from './hooks.js';
import { Filters, useFilters } from './filters.js';
import { href, type Route } from './router.js';
import { VirtualList } from './virtual-list.js';
import { byText, cores, gib, nodeBuild, nodeHyperV, nodeOS, nodeReady, quantity } from './words.js';
import { markFirstRender } from './perf.js';

type Row = { group: string; count: number; ready: number } | { node: Node };

function groupLabel(n: Node): string {
  const os = nodeOS(n);
  if (os !== 'windows') return os === 'linux' ? 'Linux' : os;
  const build = nodeBuild(n) ?? 'build unknown';
  return `Windows ${build} · ${nodeHyperV(n) ? 'Hyper-V capable' : 'process isolation only'}`;
}

export function Fleet({ route }: { route: Route }) {
  const nodes = useStore<Node>('/api/v1/nodes');
  const pods = useStore<Pod>('/api/v1/pods');
  const usage = useNodeMetrics();
  const { match, labels } = useFilters(route);

  const podsPerNode = useMemo(() => {
    const m = new Map<string, number>();
    for (const p of pods.items.values()) {
      const n = p.spec?.nodeName;
      if (n && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') m.set(n, (m.get(n) ?? 0) + 1);
    }
    return m;
  }, [pods.version]);

  const { rows, total, ready } = useMemo(() => {
    const groups = new Map<string, Node[]>();
    let total = 0;
    let ready = 0;
    for (const n of nodes.items.values()) {
      if (!match(n.metadata.labels ?? {})) continue;
      total++;
      if (nodeReady(n)) ready++;
      const g = groupLabel(n);
      let list = groups.get(g);
      if (!list) groups.set(g, (list = []));
      list.push(n);
    }
    const rows: Row[] = [];
    for (const g of [...groups.keys()].sort()) {
      const list = (groups.get(g) ?? []).sort((a, b) => byText(a.metadata.name ?? '', b.metadata.name ?? ''));
      rows.push({ group: g, count: list.length, ready: list.filter(nodeReady).length });
      for (const node of list) rows.push({ node });
    }
    return { rows, total, ready };
  }, [nodes.version, labels]);

  if (total > 0) markFirstRender('fleet');
  const open = (r: Row) => {
    if ('node' in r) location.hash = href(['nodes', r.node.metadata.name ?? '']);
  };

  return (
    <section aria-labelledby="fleet-h" class="view">
      <h1 id="fleet-h">Fleet</h1>
      <Filters route={route} namespaces={false} />
      <p class="summary" aria-live="polite" data-testid="fleet-count">
        {nodes.status === 'loading'
          ? `Loading nodes…${total > 0 ? ` ${total} so far` : ''}`
          : `${total} nodes, ${ready} ready, ${total - ready} not ready`}
      </p>
      <div class="thead fleet-cols" aria-hidden="true">
        <span>Node</span>
        <span>Ready</span>
        <span>CPU used / capacity</span>
        <span>Memory used / capacity</span>
        <span>Pods</span>
      </div>
      <VirtualList
        id="fleet"
        label="Nodes by operating system, Windows build and isolation"
        items={rows}
        rowHeight={32}
        onOpen={open}
        rowClass={(r) => ('group' in r ? 'group' : 'fleet-cols')}
        render={(r) => {
          if ('group' in r)
            return (
              <strong>
                {r.group} — {r.count} nodes, {r.ready} ready
              </strong>
            );
          const n = r.node;
          const name = n.metadata.name ?? '';
          const u = usage.get(name);
          const cap = n.status?.capacity ?? {};
          const ok = nodeReady(n);
          return (
            <>
              <a href={href(['nodes', name])} tabIndex={-1}>
                {name}
              </a>
              <span class={ok ? 'ok' : 'bad'}>{ok ? 'Ready' : 'Not ready'}</span>
              <span>
                {u ? cores(quantity(u.cpu)) : '–'} / {cores(quantity(cap['cpu']))} cores
              </span>
              <span>
                {u ? gib(quantity(u.memory)) : '–'} / {gib(quantity(cap['memory']))}
              </span>
              <span>{podsPerNode.get(name) ?? 0}</span>
            </>
          );
        }}
      />
    </section>
  );
}
