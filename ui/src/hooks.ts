// Preact hooks over the stores: a component re-renders when its store applies a batch, and reads
// the items directly (no copies of 30,000 pods per render).

import { useEffect, useRef, useState } from 'preact/hooks';
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

/**
 * A version that follows `version` at most once per `ms`. A view whose derived rows cost more than
 * a frame to rebuild over 30,000 pods (grouping, sorting) rebuilds them a few times a second instead
 * of every frame, so scrolling and the rest of the page stay smooth; the data lags at most `ms`.
 */
export function useThrottled(version: number, ms: number): number {
  const [shown, setShown] = useState(version);
  const last = useRef(0);
  useEffect(() => {
    if (version === shown) return;
    const wait = last.current + ms - performance.now();
    const apply = () => {
      last.current = performance.now();
      setShown(version);
    };
    if (wait <= 0) return void apply();
    const t = setTimeout(apply, wait);
    return () => clearTimeout(t);
  }, [version, shown]);
  return shown;
}
