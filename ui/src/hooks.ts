// Preact hooks over the stores: a component re-renders when its store applies a batch, and reads
// the items directly (no copies of 30,000 pods per render).

import { useEffect, useState } from 'preact/hooks';
import { storeFor, type KObject, type ResourceStore } from './store.js';
import { getJSON, K8S } from './api.js';

export function useStore<T extends KObject>(path: string): ResourceStore<T> {
  const store = storeFor<T>(path);
  const [, setVersion] = useState(store.version);
  useEffect(() => store.subscribe(() => setVersion(store.version)), [store]);
  return store;
}

export interface Usage {
  cpu: string;
  memory: string;
}

/**
 * Node usage from metrics.k8s.io. The metrics API cannot be watched, so this one source is fetched
 * every 15 s (the sims report at that pace); everything else on the page is pushed by watches.
 */
export function useNodeMetrics(): Map<string, Usage> {
  const [usage, setUsage] = useState(new Map<string, Usage>());
  useEffect(() => {
    const abort = new AbortController();
    const load = async () => {
      try {
        const list = await getJSON<{ items: { metadata: { name: string }; usage: Usage }[] }>(
          `${K8S}/apis/metrics.k8s.io/v1beta1/nodes`,
          abort.signal,
        );
        setUsage(new Map(list.items.map((m) => [m.metadata.name, m.usage])));
      } catch {
        // metrics are optional: the fleet shows capacity without usage
      }
    };
    void load();
    const timer = setInterval(() => void load(), 15_000);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, []);
  return usage;
}
