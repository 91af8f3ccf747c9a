// What the API server's metrics add to a request, measured in process: the request metrics
// (track + the 'close' listener recording duration and count) on a real ServerResponse, and the
// store timing around a memory backend's create. Runs A (without) and B (with) alternately, several
// rounds, and prints the per-operation difference of the fastest rounds (the least disturbed by other
// load on the machine) and of the medians. A phase of `npm run bench` (BENCH_ONLY=metrics).

import http from 'node:http';
import { Socket } from 'node:net';
import { Registry } from '../src/base/metrics.js';
import { createRequestMetrics } from '../src/apiserver/metrics/request-metrics.js';
import { createStorageMetrics } from '../src/apiserver/metrics/storage-metrics.js';
import { createMemoryBackend } from '../src/storage/memory/memory-backend.js';
import { configMapKind } from '../src/api/kinds/core/configmap.js';
import type { RequestInfo } from '../src/apiserver/http/request-info.js';
import { wanted } from './cluster-phases.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const min = (xs: number[]) => Math.min(...xs);

function requestRound(n: number, withMetrics: boolean, track: ReturnType<typeof createRequestMetrics>['track']): number {
  const sock = new Socket();
  const query = new URLSearchParams();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const req = new http.IncomingMessage(sock);
    req.method = 'POST';
    req.url = '/api/v1/namespaces/default/configmaps';
    const res = new http.ServerResponse(req);
    res.statusCode = 201;
    const info: RequestInfo = {
      kind: 'resource',
      verb: 'create',
      group: '',
      version: 'v1',
      namespace: 'default',
      resource: 'configmaps',
      name: undefined,
      subresource: undefined,
      legacyWatch: false,
    };
    if (withMetrics) track(req, res, info, query, performance.now());
    res.emit('close');
  }
  return ((performance.now() - t0) * 1000) / n; // µs per request
}

async function storeRound(n: number, round: number, withMetrics: boolean): Promise<number> {
  const backend = createMemoryBackend();
  const reg = new Registry();
  const b = withMetrics ? createStorageMetrics(reg, () => [configMapKind], backend).timed(backend, configMapKind) : backend;
  const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { a: 'b' } });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await b.create(`/registry/core/configmaps/default/r${round}-${i}`, value);
  const us = ((performance.now() - t0) * 1000) / n;
  await backend.close();
  return us;
}

export async function runMetricsCostPhase(): Promise<void> {
  if (!wanted('metrics')) return;
  const reg = new Registry();
  const { track } = createRequestMetrics(reg);
  const N = 50_000;
  const reqA: number[] = [];
  const reqB: number[] = [];
  const stA: number[] = [];
  const stB: number[] = [];
  for (let r = 0; r < 15; r++) {
    reqA.push(requestRound(N, false, track));
    reqB.push(requestRound(N, true, track));
    stA.push(await storeRound(20_000, r, false));
    stB.push(await storeRound(20_000, r, true));
  }
  const f = (x: number) => x.toFixed(2);
  process.stdout.write('\n== metrics: what instrumentation adds (in process, A without / B with, alternating) ==\n');
  const line = (what: string, a: number[], b: number[], per: string) =>
    process.stdout.write(
      `${what}: fastest rounds +${f(min(b) - min(a))} µs per ${per} (A ${f(min(a))}, B ${f(min(b))}); medians +${f(median(b) - median(a))} µs (A ${f(median(a))}, B ${f(median(b))})\n`,
    );
  line('request metrics (a ServerResponse made and closed)', reqA, reqB, 'request');
  line('store timing (memory backend create)', stA, stB, 'create');
  const t0 = performance.now();
  const text = await reg.render();
  process.stdout.write(`render of the request metrics: ${f(performance.now() - t0)} ms for ${text.length} bytes\n`);
}
