// The API measurements against one running server: creates, GETs and LISTs of pods.

import { performance } from 'node:perf_hooks';
import { closedLoop, type Client, type LoadResult } from './http-load.js';
import type { PodTemplate } from './pod-fixture.js';
import { median } from './stats.js';

export interface PodNames {
  namespace: string;
  created: string[];
  next: number;
}

export function podNames(namespace: string): PodNames {
  return { namespace, created: [], next: 0 };
}

export async function ensureNamespace(client: Client, name: string): Promise<void> {
  const r = await client.send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  if (r.status !== 201 && r.status !== 409) throw new Error(`creating namespace ${name}: HTTP ${r.status} ${r.body ?? ''}`);
}

/** Create pods with `concurrency` clients for `durationMs`, or until `untilTotal` pods exist. */
export function createPods(
  client: Client,
  pods: PodTemplate,
  names: PodNames,
  o: { concurrency: number; durationMs: number; untilTotal?: number },
): Promise<LoadResult> {
  const path = `/api/v1/namespaces/${names.namespace}/pods`;
  const maxRequests = o.untilTotal !== undefined ? Math.max(0, o.untilTotal - names.created.length) : undefined;
  return closedLoop({
    concurrency: o.concurrency,
    durationMs: o.durationMs,
    maxRequests,
    op: async () => {
      const name = `pod-${names.next++}`;
      const r = await client.send('POST', path, pods.body(name));
      if (r.status !== 201) return `HTTP ${r.status}: ${(r.body ?? '').slice(0, 300)}`;
      names.created.push(name);
      return true;
    },
  });
}

export function getPods(client: Client, names: PodNames, o: { concurrency: number; durationMs: number }): Promise<LoadResult> {
  const paths = names.created.map((n) => `/api/v1/namespaces/${names.namespace}/pods/${n}`);
  // a fixed stride walks the whole set without per-request randomness
  const stride = 7919;
  return closedLoop({
    concurrency: o.concurrency,
    durationMs: o.durationMs,
    op: async (i) => {
      const r = await client.send('GET', paths[(i * stride) % paths.length] ?? '/');
      return r.status === 200 ? true : `HTTP ${r.status}: ${(r.body ?? '').slice(0, 300)}`;
    },
  });
}

export interface ListResult {
  medianMs: number;
  samplesMs: number[];
  bytes: number;
  items: number;
  status: number;
}

/** `runs` sequential LISTs; the first response is parsed once (outside the timing) to count items. */
export async function listPods(client: Client, namespace: string, runs: number, query = ''): Promise<ListResult> {
  const path = `/api/v1/namespaces/${namespace}/pods${query}`;
  const first = await client.send('GET', path, undefined, { keepBody: true });
  let items = -1;
  try {
    const doc = JSON.parse(first.body ?? '') as { items?: unknown[] };
    items = doc.items?.length ?? -1;
  } catch {
    items = -1;
  }
  const samplesMs: number[] = [];
  let bytes = first.bytes;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await client.send('GET', path);
    samplesMs.push(performance.now() - t0);
    bytes = r.bytes;
    if (r.status !== 200) return { medianMs: Number.NaN, samplesMs, bytes, items, status: r.status };
  }
  return { medianMs: median(samplesMs), samplesMs, bytes, items, status: first.status };
}
