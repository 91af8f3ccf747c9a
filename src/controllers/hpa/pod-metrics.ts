// Pod usage from metrics.k8s.io (the API server's metrics API, which asks the agents and the
// simulator): one resource per pod, summed over its containers or taken from one container, in
// milli-units, with the sample's time and window. Pods without that resource are left out (they
// count as missing metrics).

import { toMilli } from '../../base/quantity.js';
import type { RestClient } from '../../client/rest-client.js';
import { MetricError, type PodMetric } from './replica-calc.js';

interface PodMetricsList {
  items?: Array<{
    metadata?: { name?: string };
    timestamp?: string;
    window?: string;
    containers?: Array<{ name?: string; usage?: Record<string, string> }>;
  }>;
}

/** Go's duration text as metrics-server writes windows (`10s`, `10.5s`, `1m0s`), in ms. */
function windowMs(text: string | undefined): number {
  let ms = 0;
  for (const m of (text ?? '').matchAll(/(\d+(?:\.\d+)?)(h|m|s|ms)/g)) {
    const n = Number(m[1]);
    ms += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
  }
  return ms;
}

export async function podMetrics(
  client: RestClient,
  namespace: string,
  selector: string,
  resource: string,
  container?: string,
): Promise<Map<string, PodMetric>> {
  const path = `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods?labelSelector=${encodeURIComponent(selector)}`;
  let list: PodMetricsList;
  try {
    list = await client.request<PodMetricsList>('GET', path);
  } catch (e) {
    throw new MetricError(
      `unable to get metrics for resource ${resource}: unable to fetch metrics from resource metrics API: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const items = list.items ?? [];
  if (items.length === 0)
    throw new MetricError(`unable to get metrics for resource ${resource}: no metrics returned from resource metrics API`);
  const out = new Map<string, PodMetric>();
  for (const it of items) {
    let milli = 0,
      found = false;
    for (const c of it.containers ?? []) {
      if (container !== undefined && c.name !== container) continue;
      const q = c.usage?.[resource];
      if (q === undefined) continue;
      milli += toMilli(q);
      found = true;
    }
    if (!found) continue;
    out.set(it.metadata?.name ?? '', { milli, timestampMs: Date.parse(it.timestamp ?? '') || 0, windowMs: windowMs(it.window) });
  }
  return out;
}
