// Pod start-up measured through the API the way a user sees it: a watch on the namespace, then for
// each pod the time from just before its POST to the first watch event that shows it Running with
// every container started. Also creation of a namespace and deletion of all pods in it.

import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Client, Target } from './http-load.js';

type Obj = Record<string, unknown>;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function busyboxPod(ns: string, name: string, image: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels: { bench: 'node' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'web', image, imagePullPolicy: 'IfNotPresent', command: ['httpd'], args: ['-f', '-p', '8080', '-h', '/var/www'] },
      ],
    },
  });
}

/** Running, and every container's state is running with started=true. */
function podStarted(p: Obj): boolean {
  const status = (p['status'] ?? {}) as Obj;
  const spec = (p['spec'] ?? {}) as Obj;
  const want = ((spec['containers'] as unknown[] | undefined) ?? []).length;
  const cs = (status['containerStatuses'] as Obj[] | undefined) ?? [];
  return (
    status['phase'] === 'Running' &&
    cs.length === want &&
    cs.every((c) => c['started'] === true && ((c['state'] ?? {}) as Obj)['running'] !== undefined)
  );
}

export interface PodWatch {
  /** resolves with performance.now() of the first event showing the pod started */
  started(name: string): Promise<number>;
  close(): void;
}

export function watchPods(t: Target, ns: string): Promise<PodWatch> {
  const seen = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (t.token) headers['authorization'] = `Bearer ${t.token}`;
    const req = https.request(
      { host: t.host, port: t.port, method: 'GET', path: `/api/v1/namespaces/${ns}/pods?watch=true`, ca: t.ca, headers },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch answered ${res.statusCode ?? 0}`));
          return;
        }
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            if (!line.trim()) continue;
            const ev = JSON.parse(line) as { type: string; object: Obj };
            const name = String(((ev.object['metadata'] ?? {}) as Obj)['name'] ?? '');
            if (ev.type === 'DELETED' || seen.has(name) || !podStarted(ev.object)) continue;
            seen.set(name, at);
            waiters.get(name)?.(at);
            waiters.delete(name);
          }
        });
        resolve({
          started(name) {
            const at = seen.get(name);
            if (at !== undefined) return Promise.resolve(at);
            return new Promise((res2, rej2) => {
              const timer = setTimeout(() => {
                waiters.delete(name);
                rej2(new Error(`pod ${name} did not start in 120 s`));
              }, 120_000);
              waiters.set(name, (x) => {
                clearTimeout(timer);
                res2(x);
              });
            });
          },
          close() {
            req.destroy();
          },
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export async function ensureNamespace(c: Client, ns: string): Promise<void> {
  const r = await c.send('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  if (r.status !== 201 && r.status !== 409) throw new Error(`namespace ${ns}: ${r.status} ${r.body ?? ''}`);
}

/** A pod's JSON for a name (default: busybox httpd on the default runtime). */
export type PodMaker = (ns: string, name: string, image: string) => string;

async function create(c: Client, ns: string, name: string, image: string, make: PodMaker = busyboxPod): Promise<void> {
  const r = await c.send('POST', `/api/v1/namespaces/${ns}/pods`, make(ns, name, image));
  if (r.status !== 201) throw new Error(`create pod ${name}: ${r.status} ${r.body ?? ''}`);
}

/** Creates the pods one after the other, each only once the previous one has started; ms per pod. */
export async function startSequential(
  c: Client,
  w: PodWatch,
  ns: string,
  names: string[],
  image: string,
  make?: PodMaker,
): Promise<number[]> {
  const out: number[] = [];
  for (const name of names) {
    const t0 = performance.now();
    await create(c, ns, name, image, make);
    out.push((await w.started(name)) - t0);
  }
  return out;
}

/** Creates all pods at once (8 requests in flight); ms from each pod's POST to its start. */
export async function startBurst(c: Client, w: PodWatch, ns: string, names: string[], image: string): Promise<number[]> {
  const t0 = new Map<string, number>();
  const queue = [...names];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        t0.set(n, performance.now());
        await create(c, ns, n, image);
      }
    }),
  );
  return Promise.all(names.map(async (n) => (await w.started(n)) - (t0.get(n) ?? 0)));
}

async function podCount(c: Client, ns: string): Promise<number> {
  const r = await c.send('GET', `/api/v1/namespaces/${ns}/pods`, undefined, { keepBody: true });
  return ((JSON.parse(r.body ?? '{}') as Obj)['items'] as unknown[] | undefined)?.length ?? 0;
}

/** Deletes the pods (grace 1 s) and waits until the agent has removed them all; ms taken. */
export async function deleteAll(c: Client, ns: string, names: string[], timeoutMs = 90_000): Promise<number> {
  const t0 = performance.now();
  await Promise.all(names.map((n) => c.send('DELETE', `/api/v1/namespaces/${ns}/pods/${n}`, JSON.stringify({ gracePeriodSeconds: 1 }))));
  const end = Date.now() + timeoutMs;
  while ((await podCount(c, ns)) > 0) {
    if (Date.now() > end) throw new Error(`pods in ${ns} not gone after ${timeoutMs} ms`);
    await sleep(250);
  }
  return performance.now() - t0;
}
