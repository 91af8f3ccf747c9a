// Clients of the high-availability end-to-end test (issue 17) that live through a server's death:
// - a writer that creates ConfigMaps one after another through whichever server answers, and
//   remembers every write that got a 2xx (those must all be there at the end);
// - an informer of the official JavaScript client (@kubernetes/client-node) whose list and watch go
//   to one server of several: when its watch breaks it moves to the next server and resumes from its
//   last resourceVersion, as a client-side failover does. Every event is recorded, so the test can
//   check revision order (no duplicate, nothing replayed) and that the cache ends equal to the server.

import * as k8s from '@kubernetes/client-node';
import type { TandemProcess } from './harness.js';
import { createRawClient, type RawClient } from './raw-client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface WriteOutcome {
  name: string;
  /** ms since the epoch, when the answer (or the failure) came */
  at: number;
  /** the server that answered 2xx, or undefined when every try failed */
  server?: string;
  resourceVersion?: string;
  error?: string;
}

export interface FailoverWriter {
  readonly outcomes: readonly WriteOutcome[];
  /** names of the writes that got a 2xx */
  acked(): string[];
  /** writes acknowledged after `t` (ms since the epoch) */
  ackedSince(t: number): number;
  stop(): Promise<void>;
}

/**
 * Creates ConfigMaps `PREFIX-N` in `namespace`, one every `everyMs`, through `servers()` in order:
 * a connection error, a timeout or a 5xx moves on to the next server (a retry of the same name; a
 * 409 AlreadyExists on a retry means the earlier try was stored, and counts as acknowledged).
 */
export function startWriter(servers: () => TandemProcess[], namespace: string, prefix: string, everyMs = 100): FailoverWriter {
  const outcomes: WriteOutcome[] = [];
  const clients = new Map<string, RawClient>();
  const clientOf = (s: TandemProcess): RawClient => {
    let c = clients.get(s.url);
    if (!c) {
      c = createRawClient({ url: s.url, caPem: s.caPem(), token: s.token(), keepAlive: true });
      clients.set(s.url, c);
    }
    return c;
  };
  let stopped = false;
  let preferred = 0;
  const writeOne = async (n: number): Promise<WriteOutcome> => {
    const name = `${prefix}-${n}`;
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { n: String(n) } });
    let lastError = '';
    let tried = false;
    // up to 3 rounds over the servers, then the write counts as failed (not acknowledged)
    for (let round = 0; round < 3 * Math.max(1, servers().length); round++) {
      const list = servers();
      const i = (preferred + round) % list.length;
      const s = list[i]!;
      try {
        const r = await clientOf(s).request('POST', `/api/v1/namespaces/${namespace}/configmaps`, {
          body,
          headers: { 'Content-Type': 'application/json' },
          timeoutMs: 3000,
        });
        if (r.status === 201 || (tried && r.status === 409)) {
          preferred = i;
          const rv =
            r.status === 201 ? (JSON.parse(r.text) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion : undefined;
          return { name, at: Date.now(), server: s.url, ...(rv ? { resourceVersion: rv } : {}) };
        }
        lastError = `${s.url}: ${r.status} ${r.text.slice(0, 200)}`;
        if (r.status < 500 && r.status !== 429) return { name, at: Date.now(), error: lastError };
      } catch (e) {
        lastError = `${s.url}: ${e instanceof Error ? e.message : String(e)}`;
      }
      tried = true;
      await sleep(100);
    }
    return { name, at: Date.now(), error: lastError };
  };
  const done = (async () => {
    for (let n = 0; !stopped; n++) {
      outcomes.push(await writeOne(n));
      await sleep(everyMs);
    }
  })();
  return {
    outcomes,
    acked: () => outcomes.filter((o) => o.server).map((o) => o.name),
    ackedSince: (t) => outcomes.filter((o) => o.server && o.at > t).length,
    async stop() {
      stopped = true;
      await done;
      for (const c of clients.values()) c.close();
    },
  };
}

export interface InformerEvent {
  type: string;
  key: string;
  resourceVersion: string;
  server: string;
}

export interface FailoverInformer<T extends k8s.KubernetesObject> {
  readonly informer: k8s.ListWatch<T>;
  readonly events: readonly InformerEvent[];
  /** the servers watched, in order of use (a switch appends one) */
  readonly switches: readonly string[];
  /** how many LISTs were made (1 is the initial one; more means a relist) */
  lists(): number;
  errors(): string[];
  /** `ns/name@resourceVersion` of every object in the cache, sorted */
  cache(): string[];
  stop(): Promise<void>;
}

/** The cache and a server's list in the same form: `ns/name@resourceVersion`, sorted. */
export function keysOf(items: readonly k8s.KubernetesObject[]): string[] {
  return items.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}@${o.metadata?.resourceVersion ?? ''}`).sort();
}

/**
 * An informer on `path` (e.g. /api/v1/pods) whose list and watch go to `servers()[current]`. On an
 * error (the watch broke, a list failed) it moves to the next server and starts again: from its
 * last resourceVersion when it has one (client-node keeps it), else with a LIST.
 */
export async function startFailoverInformer<T extends k8s.KubernetesObject>(
  servers: () => TandemProcess[],
  path: string,
  list: (kc: k8s.KubeConfig) => Promise<k8s.KubernetesListObject<T>>,
): Promise<FailoverInformer<T>> {
  const configs = new Map<string, k8s.KubeConfig>();
  const configOf = (s: TandemProcess): k8s.KubeConfig => {
    let c = configs.get(s.url);
    if (!c) {
      c = new k8s.KubeConfig();
      c.loadFromFile(s.kubeconfig);
      configs.set(s.url, c);
    }
    return c;
  };
  let current = 0;
  const server = () => {
    const list = servers();
    return list[current % list.length]!;
  };
  const events: InformerEvent[] = [];
  const switches: string[] = [server().url];
  const errors: string[] = [];
  let lists = 0;
  let stopping = false;

  class SwitchingWatch extends k8s.Watch {
    override watch(
      p: string,
      query: Record<string, string | number | boolean | undefined>,
      cb: (phase: string, obj: unknown, raw?: unknown) => void,
      done: (err: unknown) => void,
    ): Promise<AbortController> {
      const s = server();
      return new k8s.Watch(configOf(s)).watch(
        p,
        query,
        (type, obj: k8s.KubernetesObject, raw) => {
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')
            events.push({
              type,
              key: `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`,
              resourceVersion: obj.metadata?.resourceVersion ?? '',
              server: s.url,
            });
          cb(type, obj, raw);
        },
        done,
      );
    }
  }

  const informer = new k8s.ListWatch<T>(
    path,
    new SwitchingWatch(configOf(server())),
    () => {
      lists++;
      return list(configOf(server()));
    },
    false,
  );
  informer.on('error', (e: unknown) => {
    if (stopping) return; // client-node reports its own abort on stop() as an error
    errors.push(`${server().url}: ${e instanceof Error ? e.message : String(e)}`);
    current++;
    switches.push(server().url);
    void sleep(300).then(() => {
      if (!stopping) void informer.start();
    });
  });
  await informer.start();
  return {
    informer,
    events,
    switches,
    lists: () => lists,
    errors: () => errors,
    cache: () => keysOf(informer.list()),
    async stop() {
      stopping = true;
      await informer.stop();
    },
  };
}

/** Watch events whose resourceVersion is not above the one before (a replay, a duplicate, or out of order). */
export function outOfOrder(events: readonly InformerEvent[]): string[] {
  const bad: string[] = [];
  for (let i = 1; i < events.length; i++) {
    const a = events[i - 1]!;
    const b = events[i]!;
    if (!(BigInt(b.resourceVersion) > BigInt(a.resourceVersion)))
      bad.push(`${a.type} ${a.key}@${a.resourceVersion} (${a.server}) then ${b.type} ${b.key}@${b.resourceVersion} (${b.server})`);
  }
  return bad;
}
