// The three clients of the cross-client test behind one small interface: the real kubectl (-o json),
// @kubernetes/client-node (typed APIs, its Watch), and Debian's python3-kubernetes (typed models, its
// watch.Watch, which sends `watch=True`). Each answers what its user would see: an object as JSON, an
// error as {reason, message}, watch events as {type, object}.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as k8s from '@kubernetes/client-node';
import type { TandemProcess } from './harness.js';
import { PYTHON, PYTHON_DRIVER } from './cross-client-python.js';

type Resource = 'namespaces' | 'configmaps' | 'secrets' | 'deployments' | 'replicasets' | 'daemonsets';
type PatchType = 'merge' | 'strategic';

interface ClientError {
  error: { reason: string; message: string };
}
export type Seen = unknown;

export interface Driver {
  name: string;
  create(resource: Resource, ns: string, body: object): Promise<Seen>;
  get(resource: Resource, ns: string, name: string): Promise<Seen>;
  list(resource: Resource, ns: string, selector: string): Promise<Seen>;
  patch(resource: Resource, ns: string, name: string, type: PatchType, body: object): Promise<Seen>;
  delete(resource: Resource, ns: string, name: string): Promise<Seen>;
  /** Starts a watch (from a list's resourceVersion); `take` waits for `count` events or `timeoutMs`. */
  watch(resource: Resource, ns: string, selector: string): Promise<{ take(count: number, timeoutMs: number): Promise<Seen[]> }>;
  close(): Promise<void>;
}

const asError = (reason: string, message: string): ClientError => ({ error: { reason, message } });

// ---- kubectl ----

/** kubectl's error line back to the Status it came from: `Error from server (NotFound): msg`, `The X "n" is invalid: ...`. */
function kubectlError(stderr: string): ClientError {
  const line = stderr.trim().split('\n').pop() ?? '';
  const server = /^Error from server \((\w+)\): (.*)$/.exec(line);
  if (server) return asError(server[1]!, server[2]!);
  const invalid = /^The (.*)$/.exec(line);
  if (invalid && / is invalid: /.test(line)) return asError('Invalid', invalid[1]!);
  return asError('ClientError', line);
}

/** Splits kubectl's stream of pretty-printed JSON documents. */
function splitJsonStream(onDoc: (doc: unknown) => void): (chunk: string) => void {
  let buf = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let start = -1;
  return (chunk) => {
    for (const ch of chunk) {
      buf += ch;
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === '\\') escaped = true;
        else if (ch === '"') inString = false;
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '{') {
        if (depth === 0) start = buf.length - 1;
        depth++;
      } else if (ch === '}') {
        depth--;
        if (depth === 0) {
          onDoc(JSON.parse(buf.slice(start)));
          buf = '';
        }
      }
    }
  };
}

export function kubectlDriver(srv: TandemProcess): Driver {
  const run = (args: string[], input?: string): Seen => {
    const r = srv.kubectl(args, input === undefined ? {} : { input });
    if (r.code !== 0) return kubectlError(r.stderr);
    return JSON.parse(r.stdout) as unknown;
  };
  const nsArgs = (resource: Resource, ns: string) => (resource === 'namespaces' ? [] : ['-n', ns]);
  const children: ChildProcess[] = [];
  return {
    name: 'kubectl',
    create: async (resource, ns, body) => run(['create', ...nsArgs(resource, ns), '-f', '-', '-o', 'json'], JSON.stringify(body)),
    get: async (resource, ns, name) => run(['get', resource, name, ...nsArgs(resource, ns), '-o', 'json']),
    list: async (resource, ns, selector) => run(['get', resource, ...nsArgs(resource, ns), '-l', selector, '-o', 'json']),
    patch: async (resource, ns, name, type, body) =>
      run(['patch', resource, name, ...nsArgs(resource, ns), '--type', type, '-p', JSON.stringify(body), '-o', 'json']),
    delete: async (resource, ns, name) => {
      const r = srv.kubectl(['delete', resource, name, ...nsArgs(resource, ns), '--wait=false']);
      return r.code === 0 ? 'deleted' : kubectlError(r.stderr);
    },
    async watch(resource, ns, selector) {
      // kubectl lists, prints the items as ADDED, then watches from the list's resourceVersion: the
      // first document out means the watch is being set up from a known revision
      const child = srv.kubectlAsync(['get', resource, '-n', ns, '-l', selector, '--watch', '-o', 'json', '--output-watch-events']);
      children.push(child);
      const events: Seen[] = [];
      const waiters: (() => void)[] = [];
      child.stdout!.setEncoding('utf8');
      child.stdout!.on(
        'data',
        splitJsonStream((doc) => {
          events.push(doc);
          for (const w of waiters.splice(0)) w();
        }),
      );
      const until = (n: number, ms: number) =>
        new Promise<void>((resolve) => {
          const t = setTimeout(resolve, ms);
          const check = () => {
            if (events.length >= n) {
              clearTimeout(t);
              resolve();
            } else waiters.push(check);
          };
          check();
        });
      await until(1, 15_000);
      const initial = events.length;
      return {
        async take(count, timeoutMs) {
          await until(initial + count, timeoutMs);
          child.kill();
          return events.slice(initial);
        },
      };
    },
    async close() {
      for (const c of children) c.kill();
    },
  };
}

// ---- @kubernetes/client-node ----

const CLIENT_NODE_NAMES: Record<Resource, { api: 'core' | 'apps'; type: string; namespaced: boolean }> = {
  namespaces: { api: 'core', type: 'Namespace', namespaced: false },
  configmaps: { api: 'core', type: 'ConfigMap', namespaced: true },
  secrets: { api: 'core', type: 'Secret', namespaced: true },
  deployments: { api: 'apps', type: 'Deployment', namespaced: true },
  replicasets: { api: 'apps', type: 'ReplicaSet', namespaced: true },
  daemonsets: { api: 'apps', type: 'DaemonSet', namespaced: true },
};

type Method = (params: Record<string, unknown>, options?: unknown) => Promise<unknown>;

export function clientNodeDriver(srv: TandemProcess): Driver {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(srv.kubeconfig);
  const apis = { core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
  const method = (verb: string, resource: Resource): [Method, boolean] => {
    const n = CLIENT_NODE_NAMES[resource];
    const api = apis[n.api] as unknown as Record<string, Method>;
    const fn = api[`${verb}${n.namespaced ? 'Namespaced' : ''}${n.type}`];
    if (!fn) throw new Error(`client-node has no ${verb} for ${resource}`);
    return [fn.bind(api), n.namespaced];
  };
  // typed models back to JSON (Dates become strings): what a program would serialise
  const seen = async (p: Promise<unknown>): Promise<Seen> => {
    try {
      return JSON.parse(JSON.stringify(await p)) as unknown;
    } catch (e) {
      if (e instanceof k8s.ApiException) {
        const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as { reason?: string; message?: string };
        return asError(body.reason ?? String(e.code), body.message ?? '');
      }
      return asError('ClientError', e instanceof Error ? e.message : String(e));
    }
  };
  const call = (verb: string, resource: Resource, ns: string, params: Record<string, unknown>, options?: unknown) => {
    const [fn, namespaced] = method(verb, resource);
    return seen(fn(namespaced ? { namespace: ns, ...params } : params, options));
  };
  const patchHeader = (type: PatchType) =>
    k8s.setHeaderOptions('Content-Type', type === 'merge' ? k8s.PatchStrategy.MergePatch : k8s.PatchStrategy.StrategicMergePatch);
  return {
    name: 'client-node',
    create: (resource, ns, body) => call('create', resource, ns, { body }),
    get: (resource, ns, name) => call('read', resource, ns, { name }),
    list: (resource, ns, selector) => call('list', resource, ns, { labelSelector: selector }),
    patch: (resource, ns, name, type, body) => call('patch', resource, ns, { name, body }, patchHeader(type)),
    delete: async (resource, ns, name) => {
      const r = await call('delete', resource, ns, { name });
      return r !== null && typeof r === 'object' && 'error' in r ? r : 'deleted';
    },
    async watch(resource, ns, selector) {
      const listed = (await method('list', resource)[0]({ namespace: ns, labelSelector: selector })) as {
        metadata?: { resourceVersion?: string };
      };
      const group = CLIENT_NODE_NAMES[resource].api === 'core' ? '/api/v1' : '/apis/apps/v1';
      const events: Seen[] = [];
      const waiters: (() => void)[] = [];
      const req = await new k8s.Watch(kc).watch(
        `${group}/namespaces/${ns}/${resource}`,
        { labelSelector: selector, resourceVersion: listed.metadata?.resourceVersion ?? '' },
        (type, object) => {
          events.push({ type, object: object as unknown });
          for (const w of waiters.splice(0)) w();
        },
        () => undefined,
      );
      return {
        take: (count, timeoutMs) =>
          new Promise<Seen[]>((resolve) => {
            const finish = () => {
              clearTimeout(t);
              req.abort();
              resolve(events.slice());
            };
            const t = setTimeout(finish, timeoutMs);
            const check = () => (events.length >= count ? finish() : waiters.push(check));
            check();
          }),
      };
    },
    async close() {},
  };
}

// ---- python3-kubernetes ----

export function pythonAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import kubernetes'], { encoding: 'utf8' }).status === 0;
}

export function pythonDriver(srv: TandemProcess): Driver {
  const child = spawn(PYTHON, ['-c', PYTHON_DRIVER, srv.kubeconfig], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const lines = createInterface({ input: child.stdout });
  const pending: ((line: string) => void)[] = [];
  lines.on('line', (l) => pending.shift()?.(l));
  child.once('exit', (code) => {
    for (const p of pending.splice(0))
      p(JSON.stringify({ error: { code: 0, reason: 'ClientError', message: `python exited ${code}: ${stderr}` } }));
  });
  let chain = Promise.resolve();
  const ask = (cmd: Record<string, unknown>): Promise<Seen> => {
    const answer = chain.then(
      () =>
        new Promise<Seen>((resolve) => {
          pending.push((line) => {
            const a = JSON.parse(line) as { ok?: unknown; error?: { reason: string; message: string } };
            resolve(a.error ? asError(a.error.reason, a.error.message) : a.ok);
          });
          child.stdin.write(`${JSON.stringify(cmd)}\n`);
        }),
    );
    chain = answer.then(() => undefined);
    return answer;
  };
  let watchId = 0;
  return {
    name: 'python3-kubernetes',
    create: (resource, ns, body) => ask({ op: 'create', resource, ns, body }),
    get: (resource, ns, name) => ask({ op: 'get', resource, ns, name }),
    list: (resource, ns, selector) => ask({ op: 'list', resource, ns, selector }),
    patch: (resource, ns, name, type, body) => ask({ op: 'patch', resource, ns, name, type, body }),
    delete: (resource, ns, name) => ask({ op: 'delete', resource, ns, name }),
    async watch(resource, ns, selector) {
      const id = ++watchId;
      await ask({ op: 'watch_start', resource, ns, selector, id });
      return { take: async (count, timeoutMs) => (await ask({ op: 'watch_take', id, count, timeout: timeoutMs / 1000 })) as Seen[] };
    },
    async close() {
      child.stdin.end();
      await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    },
  };
}
