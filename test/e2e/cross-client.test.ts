// E2E, conformance style: one scenario (namespace, ConfigMap, Secret, Deployment, ReplicaSet,
// DaemonSet: create, get, list by label, watch from a resourceVersion through ADDED/MODIFIED/DELETED,
// merge and strategic patch, delete, a 404 and a 422) run through kubectl, @kubernetes/client-node and
// the official Python client (python3-kubernetes), each in its own namespace of one `tandem server`
// without controllers. Every client's view is normalised (server-assigned uid, resourceVersion,
// timestamps and managedFields removed, its namespace name replaced, key order ignored) and the test
// fails on any difference, naming the step and what each client saw.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlAvailable, startTandem, type TandemProcess } from './harness.js';
import { clientNodeDriver, kubectlDriver, pythonAvailable, pythonDriver, type Driver, type Seen } from './cross-client-drivers.js';

const VOLATILE_META = ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'selfLink'];

/** Sorted keys, no nulls (a typed client cannot tell null from absent), no server-assigned metadata. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x === null || x === undefined) continue;
    out[k] = canonical(x);
  }
  const meta = out['metadata'];
  if (meta && typeof meta === 'object' && !Array.isArray(meta)) for (const k of VOLATILE_META) delete (meta as Record<string, unknown>)[k];
  return out;
}

function normalize(seen: Seen, ns: string): unknown {
  const out = canonical(JSON.parse(JSON.stringify(seen ?? null).replaceAll(ns, 'NS')));
  const err = out !== null && typeof out === 'object' && 'error' in out ? (out.error as { reason?: string; message?: string }) : undefined;
  // kubectl words an Invalid error from its details ("The Deployment "bad" is invalid: ..."), without
  // the group upstream's message carries ("Deployment.apps "bad" ..."): compare without it
  if (err?.reason === 'Invalid' && err.message) err.message = err.message.replace(/^(\w+)\.[a-z0-9.-]+ "/, '$1 "');
  return out;
}

/** A list's items by name (the list's own kind and metadata differ by client: typed lists drop nothing, kubectl prints a List). */
function itemsOf(seen: Seen): Seen {
  if (seen && typeof seen === 'object' && 'items' in seen) {
    const items = (seen as { items: { metadata?: { name?: string } }[] }).items;
    return [...items].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  }
  return seen;
}

/** Events on one object, as [type, object]. */
function eventsFor(events: Seen[], name: string): Seen {
  return events
    .map((e) => e as { type?: string; object?: { metadata?: { name?: string } } })
    .filter((e) => e.object?.metadata?.name === name)
    .map((e) => ({ type: e.type, object: e.object }));
}

const labels = { app: 'cc', tier: 'web' };
const podTemplate = (app: string) => ({
  metadata: { labels: { app } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
});

/** The scenario: each step's name and what the client saw. */
async function scenario(c: Driver, ns: string): Promise<[string, Seen][]> {
  const steps: [string, Seen][] = [];
  const step = async (name: string, p: Promise<Seen>) => steps.push([name, await p]);
  await step(
    'create namespace',
    c.create('namespaces', ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { cc: 'yes' } } }),
  );
  await step('get namespace', c.get('namespaces', ns, ns));
  await step(
    'create configmap',
    c.create('configmaps', ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', labels }, data: { a: '1', b: 'two' } }),
  );
  await step('get configmap', c.get('configmaps', ns, 'cfg'));
  await step(
    'create secret',
    c.create('secrets', ns, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'sec', labels },
      type: 'Opaque',
      data: { password: Buffer.from('s3cret').toString('base64') },
    }),
  );
  await step('get secret', c.get('secrets', ns, 'sec'));
  await step(
    'create deployment',
    c.create('deployments', ns, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: podTemplate('web') },
    }),
  );
  await step('get deployment', c.get('deployments', ns, 'web'));
  await step(
    'create replicaset',
    c.create('replicasets', ns, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs', labels: { app: 'cc' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'rs' } }, template: podTemplate('rs') },
    }),
  );
  await step('get replicaset', c.get('replicasets', ns, 'rs'));
  await step(
    'create daemonset',
    c.create('daemonsets', ns, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'ds', labels: { app: 'cc' } },
      spec: { selector: { matchLabels: { app: 'ds' } }, template: podTemplate('ds') },
    }),
  );
  await step('get daemonset', c.get('daemonsets', ns, 'ds'));
  await step('list configmaps tier=web', c.list('configmaps', ns, 'tier=web').then(itemsOf));
  await step('list secrets app=cc', c.list('secrets', ns, 'app=cc').then(itemsOf));
  await step('list replicasets app=cc', c.list('replicasets', ns, 'app=cc').then(itemsOf));
  await step('list daemonsets app=nope', c.list('daemonsets', ns, 'app=nope').then(itemsOf));

  // watch: a sentinel first (kubectl prints it when its watch is set up), then one object's life
  await step(
    'create watch sentinel',
    c.create('configmaps', ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w0', labels: { cc: 'watch' } } }),
  );
  const w = await c.watch('configmaps', ns, 'cc=watch');
  await step(
    'create watched',
    c.create('configmaps', ns, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'w1', labels: { cc: 'watch' } },
      data: { v: '1' },
    }),
  );
  await step('merge patch watched', c.patch('configmaps', ns, 'w1', 'merge', { data: { v: '2' } }));
  await step('delete watched', c.delete('configmaps', ns, 'w1'));
  await step(
    'watch events',
    w.take(3, 15_000).then((evs) => eventsFor(evs, 'w1')),
  );

  await step(
    'strategic patch deployment',
    c.patch('deployments', ns, 'web', 'strategic', {
      metadata: { labels: { patched: 'yes' } },
      spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
    }),
  );
  await step('merge patch configmap', c.patch('configmaps', ns, 'cfg', 'merge', { data: { a: null, c: '3' } }));
  await step('delete configmap', c.delete('configmaps', ns, 'cfg'));
  await step('get deleted configmap (404)', c.get('configmaps', ns, 'cfg'));
  await step('get missing deployment (404)', c.get('deployments', ns, 'nope'));
  await step(
    'create invalid configmap (422)',
    c.create('configmaps', ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' }, data: { a: '1' } }),
  );
  await step(
    'create invalid deployment (422)',
    c.create('deployments', ns, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bad' },
      spec: { replicas: -1, selector: { matchLabels: { app: 'bad' } }, template: podTemplate('bad') },
    }),
  );
  return steps;
}

describe('the same scenario through kubectl, client-node and python3-kubernetes', () => {
  let srv: TandemProcess;
  const drivers: Driver[] = [];

  before(async () => {
    srv = await startTandem({ args: ['--store', 'memory', '--controllers', 'none'] });
  });
  after(async () => {
    for (const d of drivers) await d.close();
    if (srv) await srv.stop();
  });

  test('every client sees the same objects, events and errors', { timeout: 180_000 }, async (t) => {
    if (kubectlAvailable()) drivers.push(kubectlDriver(srv));
    else t.diagnostic('kubectl not found: compared without it');
    drivers.push(clientNodeDriver(srv));
    if (pythonAvailable()) drivers.push(pythonDriver(srv));
    else t.diagnostic('python3-kubernetes not installed (apt-get install python3-kubernetes): compared without it');
    assert.ok(drivers.length >= 2, 'at least two clients to compare');

    const views = new Map<string, [string, unknown][]>();
    for (const d of drivers) {
      const ns = `cc-${d.name.replace(/[^a-z0-9]/g, '')}`;
      const steps = await scenario(d, ns);
      views.set(
        d.name,
        steps.map(([name, seen]) => [name, normalize(seen, ns)]),
      );
    }

    // the first client's view is the reference; its own sanity: no step failed where success is expected
    const [refName, ref] = [...views.entries()][0]!;
    const failures: string[] = [];
    for (const [name, seen] of ref) {
      const isError = seen !== null && typeof seen === 'object' && 'error' in seen;
      if (isError !== /\((404|422)\)$/.test(name)) failures.push(`${refName}: step "${name}" saw ${JSON.stringify(seen)}`);
    }
    for (const [client, steps] of views) {
      if (client === refName) continue;
      steps.forEach(([name, seen], i) => {
        const want = ref[i]![1];
        try {
          assert.deepStrictEqual(seen, want);
        } catch {
          failures.push(
            `step "${name}": ${client} saw\n${JSON.stringify(seen, null, 1)}\nbut ${refName} saw\n${JSON.stringify(want, null, 1)}`,
          );
        }
      });
    }
    assert.equal(failures.length, 0, `clients disagree (${failures.length}):\n\n${failures.join('\n\n')}`);

    // and what all of them saw is what upstream answers
    const step = (n: string) => ref.find(([s]) => s === n)![1] as Record<string, Record<string, unknown>>;
    assert.deepEqual(step('create replicaset')['status'], { replicas: 0 });
    assert.deepEqual(step('create daemonset')['status'], {
      currentNumberScheduled: 0,
      desiredNumberScheduled: 0,
      numberMisscheduled: 0,
      numberReady: 0,
    });
    assert.deepEqual(
      (step('watch events') as unknown as { type: string }[]).map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    assert.deepEqual(step('get deleted configmap (404)'), { error: { reason: 'NotFound', message: 'configmaps "cfg" not found' } });
    assert.equal((step('create invalid deployment (422)')['error'] as Record<string, unknown>)['reason'], 'Invalid');
  });
});
