// Prometheus /metrics of a real `tandem server`: the API server's (behind its authentication and
// RBAC: system:monitoring) and the scheduler's and controllers' endpoint (--controllers-metrics-listen,
// delegated TokenReview + SubjectAccessReview), each scrape read by the reference text parser.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startTandem, type TandemProcess } from './harness.js';
import { createRawClient, type RawClient } from './raw-client.js';
import { parsePrometheusText, prometheusParserAvailable, sampleValue, type ParsedFamily } from '../../src/base/testing/prom-text.js';

const skip = prometheusParserAvailable() ? false : 'python3-prometheus-client (Debian) is not installed';
const json = (body: unknown) => ({ body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

async function waitFor(fn: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

async function scrape(raw: RawClient, path = '/metrics'): Promise<Map<string, ParsedFamily>> {
  const r = await raw.request('GET', path);
  assert.equal(r.status, 200, r.text);
  assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(r.text);
}

/** A ServiceAccount's token (TokenRequest); `monitoring`: bound to system:monitoring. */
async function serviceAccountToken(raw: RawClient, name: string, monitoring: boolean): Promise<string> {
  const sa = await raw.request(
    'POST',
    '/api/v1/namespaces/default/serviceaccounts',
    json({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } }),
  );
  assert.equal(sa.status, 201, sa.text);
  if (monitoring) {
    const b = await raw.request(
      'POST',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      json({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `${name}-monitoring` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:monitoring' },
        subjects: [{ kind: 'ServiceAccount', name, namespace: 'default' }],
      }),
    );
    assert.equal(b.status, 201, b.text);
  }
  const tr = await raw.request(
    'POST',
    `/api/v1/namespaces/default/serviceaccounts/${name}/token`,
    json({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} }),
  );
  assert.equal(tr.status, 201, tr.text);
  return (JSON.parse(tr.text) as { status: { token: string } }).status.token;
}

function metricsPort(srv: TandemProcess): number | undefined {
  const m = /serving \/metrics.*?port\W+(\d+)/.exec(srv.output());
  return m ? Number(m[1]) : undefined;
}

test('the API server and the control loops serve upstream metrics a Prometheus parser reads', { skip, timeout: 120_000 }, async (t) => {
  const srv = await startTandem({ args: ['--store', 'memory', '--controllers-metrics-listen', '127.0.0.1:0'] });
  const raw = createRawClient({ url: srv.url, caPem: srv.caPem(), token: srv.token(), keepAlive: true });
  t.after(async () => {
    raw.close();
    await srv.stop();
  });

  // ---- the API server ----
  const createdBefore = (f: Map<string, ParsedFamily>) =>
    sampleValue(f, 'apiserver_request', 'apiserver_request_total', { verb: 'POST', resource: 'configmaps', code: '201' }) ?? 0;
  // the root CA publisher creates a ConfigMap in every namespace at start: let it finish first
  const settled = await waitFor(async () => {
    const ns = JSON.parse((await raw.request('GET', '/api/v1/namespaces')).text) as { items: unknown[] };
    const cms = JSON.parse((await raw.request('GET', '/api/v1/configmaps?fieldSelector=metadata.name%3Dkube-root-ca.crt')).text) as {
      items: unknown[];
    };
    return cms.items.length === ns.items.length;
  }, 20_000);
  assert.ok(settled, 'kube-root-ca.crt published in every namespace');
  const before = await scrape(raw);
  const N = 7;
  for (let i = 0; i < N; i++) {
    const r = await raw.request(
      'POST',
      '/api/v1/namespaces/default/configmaps',
      json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `m${i}` } }),
    );
    assert.equal(r.status, 201, r.text);
  }
  const dry = await raw.request(
    'POST',
    '/api/v1/namespaces/default/configmaps?dryRun=All',
    json({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dry' } }),
  );
  assert.equal(dry.status, 201, dry.text);
  assert.equal((await raw.request('GET', '/api/v1/namespaces/default/configmaps/m0')).status, 200);
  assert.equal((await raw.request('GET', '/api/v1/namespaces/default/configmaps/nope')).status, 404);
  const after = await scrape(raw);

  assert.equal(after.get('apiserver_request')?.type, 'counter');
  assert.equal(createdBefore(after) - createdBefore(before), N, 'every create counted once, with code 201');
  const created = after.get('apiserver_request')!.samples.find((s) => s.labels['resource'] === 'configmaps' && s.labels['code'] === '201')!;
  assert.deepEqual(created.labels, {
    verb: 'POST',
    dry_run: '',
    group: '',
    version: 'v1',
    resource: 'configmaps',
    subresource: '',
    scope: 'namespace',
    component: 'apiserver',
    code: '201',
  });
  assert.equal(sampleValue(after, 'apiserver_request', 'apiserver_request_total', { verb: 'GET', resource: 'configmaps', code: '404' }), 1);
  assert.equal(
    sampleValue(after, 'apiserver_request', 'apiserver_request_total', { verb: 'POST', dry_run: 'All', resource: 'configmaps' }),
    1,
  );

  const dur = after.get('apiserver_request_duration_seconds');
  assert.equal(dur?.type, 'histogram');
  const les = dur!.samples.filter(
    (s) => s.name.endsWith('_bucket') && s.labels['verb'] === 'POST' && s.labels['resource'] === 'configmaps' && s.labels['dry_run'] === '',
  );
  assert.deepEqual(
    les.map((s) => s.labels['le']),
    [
      '0.005',
      '0.025',
      '0.05',
      '0.1',
      '0.2',
      '0.4',
      '0.6',
      '0.8',
      '1',
      '1.25',
      '1.5',
      '2',
      '3',
      '4',
      '5',
      '6',
      '8',
      '10',
      '15',
      '20',
      '30',
      '45',
      '60',
      '+Inf',
    ],
    "upstream's buckets",
  );
  assert.ok(les.at(-1)!.value >= N);

  const stored = sampleValue(after, 'apiserver_storage_objects', 'apiserver_storage_objects', { resource: 'configmaps' });
  assert.ok(stored !== undefined && stored >= N, `apiserver_storage_objects{resource="configmaps"} = ${stored}`);
  assert.equal(after.get('apiserver_storage_objects')?.type, 'gauge');
  assert.ok(
    sampleValue(after, 'apiserver_storage_objects', 'apiserver_storage_objects', { resource: 'clusterroles.rbac.authorization.k8s.io' })! >
      10,
  );

  assert.ok(sampleValue(after, 'process_resident_memory_bytes', 'process_resident_memory_bytes', {})! > 10_000_000);
  assert.ok(sampleValue(after, 'process_cpu_seconds', 'process_cpu_seconds_total', {})! > 0);
  assert.equal(after.get('etcd_request_duration_seconds')?.type, 'histogram');
  const storeCreates = sampleValue(after, 'etcd_request_duration_seconds', 'etcd_request_duration_seconds_count', {
    operation: 'create',
    group: '',
    resource: 'configmaps',
  });
  assert.ok(storeCreates !== undefined && storeCreates >= N, `store creates timed: ${storeCreates}`);

  // authentication and authorization as upstream: no token 401, a user without system:monitoring 403
  assert.equal((await raw.request('GET', '/metrics', { token: null })).status, 401);
  const weak = await serviceAccountToken(raw, 'no-metrics', false);
  const strong = await serviceAccountToken(raw, 'prometheus', true);
  const denied = await raw.request('GET', '/metrics', { token: weak });
  assert.equal(denied.status, 403, denied.text);
  assert.match(denied.text, /cannot get path \\"\/metrics\\"/);
  assert.equal((await raw.request('GET', '/metrics', { token: strong })).status, 200);

  // ---- the scheduler's and controllers' endpoint ----
  assert.ok(await waitFor(async () => metricsPort(srv) !== undefined, 15_000), `no "serving /metrics" line:\n${srv.output()}`);
  const cm = createRawClient({ url: `https://127.0.0.1:${metricsPort(srv)}`, caPem: srv.caPem(), token: strong });
  t.after(() => cm.close());
  assert.equal((await cm.request('GET', '/healthz', { token: null })).status, 200);
  assert.equal((await cm.request('GET', '/metrics', { token: null })).status, 401);
  assert.equal((await cm.request('GET', '/metrics', { token: 'not-a-token' })).status, 401);
  assert.equal((await cm.request('GET', '/metrics', { token: weak })).status, 403);

  // a node the scheduler can place a pod on
  const node = await raw.request('POST', '/api/v1/nodes', json({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'metrics-node' } }));
  assert.equal(node.status, 201, node.text);
  // a merge patch of the status: the control loops (node IPAM, node lifecycle) write the new Node too,
  // so a PUT with the create's resourceVersion could meet a 409
  const status = {
    status: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
      conditions: [
        { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
      ],
    },
  };
  const patched = await raw.request('PATCH', '/api/v1/nodes/metrics-node/status', {
    body: JSON.stringify(status),
    headers: { 'Content-Type': 'application/merge-patch+json' },
  });
  assert.equal(patched.status, 200, patched.text);
  const pod = await raw.request(
    'POST',
    '/api/v1/namespaces/default/pods',
    json({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'example.com/x:1' }] } }),
  );
  assert.equal(pod.status, 201, pod.text);
  const bound = await waitFor(async () => {
    const p = await raw.request('GET', '/api/v1/namespaces/default/pods/p');
    return (JSON.parse(p.text) as { spec?: { nodeName?: string } }).spec?.nodeName === 'metrics-node';
  }, 20_000);
  assert.ok(bound, 'the pod was scheduled');

  const loops = await scrape(cm);
  const scheduled = sampleValue(loops, 'scheduler_schedule_attempts', 'scheduler_schedule_attempts_total', {
    result: 'scheduled',
    profile: 'default-scheduler',
  });
  assert.ok(scheduled !== undefined && scheduled >= 1, `scheduled attempts: ${scheduled}`);
  assert.equal(loops.get('scheduler_scheduling_attempt_duration_seconds')?.type, 'histogram');
  assert.ok(
    sampleValue(loops, 'scheduler_scheduling_attempt_duration_seconds', 'scheduler_scheduling_attempt_duration_seconds_count', {
      result: 'scheduled',
    })! >= 1,
  );
  assert.deepEqual(
    loops
      .get('scheduler_pending_pods')!
      .samples.map((s) => s.labels['queue'])
      .sort(),
    ['active', 'backoff', 'gated', 'unschedulable'],
  );
  assert.equal(sampleValue(loops, 'leader_election_master_status', 'leader_election_master_status', { name: 'tandem-control-plane' }), 1);
  assert.ok(sampleValue(loops, 'process_resident_memory_bytes', 'process_resident_memory_bytes', {})! > 10_000_000);
  for (const f of ['workqueue_depth', 'workqueue_adds', 'workqueue_queue_duration_seconds']) assert.ok(loops.has(f), `${f} is served`);
  // the root CA publisher queued every namespace; the deployment controller's queue is named as upstream's
  assert.ok(sampleValue(loops, 'workqueue_adds', 'workqueue_adds_total', { name: 'root_ca_cert_publisher' })! >= 1);
  assert.ok(loops.get('workqueue_depth')!.samples.some((s) => s.labels['name'] === 'deployment'));
  // the API server's request metrics are the API server's own, not in the control loops' registry
  assert.equal(loops.has('apiserver_request'), false);
});

test('a metrics address already taken is logged and the server starts anyway', { timeout: 60_000 }, async (t) => {
  const taken = net.createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  const port = (taken.address() as net.AddressInfo).port;
  t.after(() => taken.close());
  const srv = await startTandem({ args: ['--store', 'memory', '--controllers-metrics-listen', `127.0.0.1:${port}`] });
  t.after(() => srv.stop());
  assert.ok(await waitFor(async () => /not serving \/metrics/.test(srv.output()), 15_000), srv.output());
  const raw = createRawClient({ url: srv.url, caPem: srv.caPem(), token: srv.token() });
  t.after(() => raw.close());
  assert.equal((await raw.request('GET', '/readyz')).status, 200);
});
