// Pending pods, each with why it waits in words (the scheduler's message, or what its containers
// wait for), newest problems first by namespace and name.

import { useMemo } from 'preact/hooks';
import type { Pod } from '../../src/api/gen/types.js';
import { useStore, useThrottled } from './hooks.js';
import { Filters, useFilters } from './filters.js';
import { href, type Route } from './router.js';
import { VirtualList } from './virtual-list.js';
import { byText, pendingWhy, podPending } from './words.js';

export function Pending({ route }: { route: Route }) {
  const pods = useStore<Pod>('/api/v1/pods');
  const { ns, match, labels } = useFilters(route);
  const podsVersion = useThrottled(pods.version, 250);
  const rows = useMemo(
    () =>
      [...pods.items.values()]
        .filter((p) => podPending(p) && (!ns || p.metadata.namespace === ns) && match(p.metadata.labels ?? {}))
        .sort((a, b) => byText(`${a.metadata.namespace}/${a.metadata.name}`, `${b.metadata.namespace}/${b.metadata.name}`)),
    [podsVersion, ns, labels],
  );
  return (
    <section aria-labelledby="pending-h" class="view">
      <h1 id="pending-h">Pending pods</h1>
      <Filters route={route} />
      <p class="summary" aria-live="polite">
        {rows.length} pending
      </p>
      <VirtualList
        id="pending"
        label="Pending pods and why they wait"
        items={rows}
        rowHeight={48}
        rowClass={() => 'pending-cols'}
        onOpen={(p) => (location.hash = href(['pods', p.metadata.namespace ?? '', p.metadata.name ?? '']))}
        render={(p) => (
          <>
            <a href={href(['pods', p.metadata.namespace ?? '', p.metadata.name ?? ''])} tabIndex={-1}>
              {p.metadata.namespace}/{p.metadata.name}
            </a>
            <span class="why" title={pendingWhy(p)}>
              {pendingWhy(p)}
            </span>
          </>
        )}
      />
    </section>
  );
}
