// The namespace and label-selector filters shared by the views; both live in the URL's query
// (`ns`, `l`) so a filtered view is a link.

import type { Namespace } from '../../src/api/gen/types.js';
import { useStore } from './hooks.js';
import { setQuery, type Route } from './router.js';
import { parseSelector } from './selector.js';

export function useFilters(route: Route) {
  const ns = route.query.get('ns') ?? '';
  const labels = route.query.get('l') ?? '';
  const parsed = parseSelector(labels);
  const match = 'match' in parsed ? parsed.match : () => true;
  const error = 'error' in parsed ? parsed.error : undefined;
  return { ns, labels, match, error };
}

export function Filters({ route, namespaces = true, labels: byLabels = true }: { route: Route; namespaces?: boolean; labels?: boolean }) {
  const { ns, labels, error } = useFilters(route);
  const nsStore = useStore<Namespace>('/api/v1/namespaces');
  const names = [...nsStore.items.values()].map((n) => n.metadata.name ?? '').sort();
  return (
    <form class="filters" role="search" onSubmit={(e) => e.preventDefault()}>
      {namespaces && (
        <label>
          Namespace
          <input
            list="ns-options"
            value={ns}
            placeholder="all"
            onInput={(e) => setQuery(route, 'ns', (e.currentTarget as HTMLInputElement).value.trim())}
          />
          <datalist id="ns-options">
            {names.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </label>
      )}
      {byLabels && (
        <label>
          Labels
          <input
            value={labels}
            placeholder="app=web,tier!=db"
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'selector-error' : undefined}
            onInput={(e) => setQuery(route, 'l', (e.currentTarget as HTMLInputElement).value)}
          />
        </label>
      )}
      {error && (
        <p id="selector-error" class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
