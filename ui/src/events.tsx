// Events as a timeline, newest first, with warnings marked; filtered by namespace and by the
// involved object's kind or name (free text).

import { useMemo } from 'preact/hooks';
import type { Event as CoreV1Event } from '../../src/api/gen/types.js';
import { useStore } from './hooks.js';
import { Filters, useFilters } from './filters.js';
import { setQuery, type Route } from './router.js';
import { VirtualList } from './virtual-list.js';
import { evTime } from './pod.js';
import { byText, age } from './words.js';

export function Events({ route }: { route: Route }) {
  const events = useStore<CoreV1Event>('/api/v1/events');
  const { ns } = useFilters(route);
  const text = (route.query.get('q') ?? '').toLowerCase();
  const rows = useMemo(
    () =>
      [...events.items.values()]
        .filter(
          (e) =>
            (!ns || e.metadata.namespace === ns) &&
            (!text || `${e.involvedObject.kind}/${e.involvedObject.name} ${e.reason} ${e.message}`.toLowerCase().includes(text)),
        )
        .sort((a, b) => byText(evTime(b), evTime(a))),
    [events.version, ns, text],
  );
  const now = Date.now();
  return (
    <section aria-labelledby="events-h" class="view">
      <h1 id="events-h">Events</h1>
      <Filters route={route} labels={false} />
      <label class="filters">
        Object, reason or message contains{' '}
        <input value={route.query.get('q') ?? ''} onInput={(e) => setQuery(route, 'q', (e.currentTarget as HTMLInputElement).value)} />
      </label>
      <p class="summary" aria-live="polite">
        {rows.length} events, {rows.filter((e) => e.type === 'Warning').length} warnings
      </p>
      <VirtualList
        id="events"
        label="Events, newest first"
        items={rows}
        rowHeight={32}
        rowClass={(e) => `event-cols${e.type === 'Warning' ? ' warn' : ''}`}
        render={(e) => (
          <>
            <time dateTime={evTime(e)}>{age(evTime(e), now)}</time>
            <span>
              {e.involvedObject.kind} {e.involvedObject.namespace ? `${e.involvedObject.namespace}/` : ''}
              {e.involvedObject.name}
            </span>
            <strong>{e.reason}</strong>
            <span class="msg">{e.message}</span>
          </>
        )}
      />
    </section>
  );
}
