// E2E: the official JavaScript client (@kubernetes/client-node 1.4) against a real `tandem server`:
// typed CRUD, patch content types, selectors, the generic KubernetesObjectApi, Watch, and an
// informer that must recover (relist) after its resourceVersion was compacted away.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startTandem, type TandemProcess } from './harness.js';
import { createRawClient } from './raw-client.js';

/** The test's own ConfigMaps: every namespace also holds kube-root-ca.crt (the root CA publisher's, as upstream). */
const ours = <T extends { metadata?: { name?: string } }>(items: readonly T[]): T[] =>
  items.filter((i) => i.metadata?.name !== 'kube-root-ca.crt');

const mergePatch = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const strategicPatch = () => k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);

function isApiError(code: number) {
  return (e: unknown) => e instanceof k8s.ApiException && e.code === code;
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function loadConfig(kubeconfig: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc;
}

function deployment(name: string, labels: Record<string, string>): k8s.V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80 }] },
            { name: 'sidecar', image: 'busybox:1' },
          ],
        },
      },
    },
  };
}

describe('typed and generic clients', () => {
  let srv: TandemProcess;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  const namespace = 'cn';

  before(async () => {
    srv = await startTandem({ args: ['--store', 'memory'] });
    kc = loadConfig(srv.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  });
  after(async () => {
    if (srv) await stopOrKill(srv);
  });

  test('ConfigMap create/read/replace/patch (merge, strategic, JSON patch)/delete', async () => {
    const created = await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'cfg', labels: { app: 'x' } }, data: { a: '1' } },
    });
    assert.equal(created.metadata?.name, 'cfg');
    assert.ok(created.metadata?.uid);
    assert.match(created.metadata?.resourceVersion ?? '', /^\d+$/);
    await assert.rejects(core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'cfg' } } }), isApiError(409));

    const read = await core.readNamespacedConfigMap({ name: 'cfg', namespace });
    assert.deepEqual(read.data, { a: '1' });
    assert.ok(read.metadata?.creationTimestamp instanceof Date, 'creationTimestamp parses as a date');

    read.data = { a: '2', b: '3' };
    const replaced = await core.replaceNamespacedConfigMap({ name: 'cfg', namespace, body: read });
    assert.deepEqual(replaced.data, { a: '2', b: '3' });
    assert.notEqual(replaced.metadata?.resourceVersion, read.metadata?.resourceVersion);
    // a replace with the old resourceVersion conflicts
    await assert.rejects(core.replaceNamespacedConfigMap({ name: 'cfg', namespace, body: read }), isApiError(409));

    const merged = await core.patchNamespacedConfigMap(
      { name: 'cfg', namespace, body: { data: { b: null, c: '4' }, metadata: { labels: { tier: 'web' } } } },
      mergePatch(),
    );
    assert.deepEqual(merged.data, { a: '2', c: '4' });
    assert.deepEqual(merged.metadata?.labels, { app: 'x', tier: 'web' });

    const smp = await core.patchNamespacedConfigMap({ name: 'cfg', namespace, body: { data: { d: '5' } } }, strategicPatch());
    assert.deepEqual(smp.data, { a: '2', c: '4', d: '5' });

    // without a header override, 1.4's generated patch methods send application/json-patch+json
    const jp = await core.patchNamespacedConfigMap({
      name: 'cfg',
      namespace,
      body: [
        { op: 'replace', path: '/data/a', value: 'jp' },
        { op: 'remove', path: '/data/d' },
      ],
    });
    assert.deepEqual(jp.data, { a: 'jp', c: '4' });
    await assert.rejects(
      core.patchNamespacedConfigMap({ name: 'cfg', namespace, body: [{ op: 'test', path: '/data/a', value: 'nope' }] }),
      isApiError(422),
    );

    await core.deleteNamespacedConfigMap({ name: 'cfg', namespace });
    await assert.rejects(core.readNamespacedConfigMap({ name: 'cfg', namespace }), isApiError(404));
    await assert.rejects(core.deleteNamespacedConfigMap({ name: 'cfg', namespace }), isApiError(404));
  });

  test('Deployment create/read/replace/patch/delete', async () => {
    const d = await apps.createNamespacedDeployment({ namespace, body: deployment('web', { app: 'web' }) });
    assert.equal(d.metadata?.generation, 1);
    assert.equal(d.spec?.template.spec?.containers.length, 2);

    // read-modify-write, retried on 409: the deployment controller writes status concurrently
    let rep: k8s.V1Deployment | undefined;
    for (let attempt = 0; !rep; attempt++) {
      const cur = await apps.readNamespacedDeployment({ name: 'web', namespace });
      cur.spec!.replicas = 3;
      try {
        rep = await apps.replaceNamespacedDeployment({ name: 'web', namespace, body: cur });
      } catch (e) {
        if (!isApiError(409)(e) || attempt >= 5) throw e;
      }
    }
    assert.equal(rep.spec?.replicas, 3);
    assert.equal(rep.metadata?.generation, 2, 'a spec change bumps generation');

    // strategic merge: containers merge by name, so only "web" changes and "sidecar" stays
    const smp = await apps.patchNamespacedDeployment(
      { name: 'web', namespace, body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } } },
      strategicPatch(),
    );
    const byName = Object.fromEntries((smp.spec?.template.spec?.containers ?? []).map((c) => [c.name, c.image]));
    assert.deepEqual(byName, { web: 'nginx:1.27', sidecar: 'busybox:1' });
    assert.equal(smp.spec?.template.spec?.containers.find((c) => c.name === 'web')?.ports?.[0]?.containerPort, 80);

    // merge patch replaces lists wholesale
    const mp = await apps.patchNamespacedDeployment(
      { name: 'web', namespace, body: { spec: { template: { spec: { containers: [{ name: 'only', image: 'alpine:3' }] } } } } },
      mergePatch(),
    );
    assert.deepEqual(
      mp.spec?.template.spec?.containers.map((c) => c.name),
      ['only'],
    );

    // an invalid deployment is rejected (selector does not match the template labels)
    const bad = deployment('bad', {});
    bad.spec!.selector = { matchLabels: { app: 'other' } };
    await assert.rejects(apps.createNamespacedDeployment({ namespace, body: bad }), isApiError(422));

    await apps.deleteNamespacedDeployment({ name: 'web', namespace });
    await until('deployment gone', async () => {
      try {
        await apps.readNamespacedDeployment({ name: 'web', namespace });
        return false;
      } catch (e) {
        return isApiError(404)(e);
      }
    });
  });

  test('list with label and field selectors', async () => {
    const specs: Array<[string, Record<string, string>]> = [
      ['s1', { app: 'a', tier: 'web' }],
      ['s2', { app: 'a', tier: 'db' }],
      ['s3', { app: 'b', tier: 'web' }],
      ['s4', { app: 'c' }],
    ];
    for (const [name, labels] of specs) await core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels } } });
    const names = async (q: { labelSelector?: string; fieldSelector?: string }) =>
      (await core.listNamespacedConfigMap({ namespace, ...q })).items
        .map((i) => i.metadata?.name ?? '')
        .filter((n) => n.startsWith('s'))
        .sort();
    assert.deepEqual(await names({ labelSelector: 'app=a' }), ['s1', 's2']);
    assert.deepEqual(await names({ labelSelector: 'app in (a,b),tier!=db' }), ['s1', 's3']);
    assert.deepEqual(await names({ labelSelector: '!tier' }), ['s4']);
    assert.deepEqual(await names({ labelSelector: 'tier,app notin (a)' }), ['s3']);
    assert.deepEqual(await names({ fieldSelector: 'metadata.name=s2' }), ['s2']);
    assert.deepEqual(await names({ fieldSelector: 'metadata.name!=s2', labelSelector: 'app=a' }), ['s1']);
    assert.deepEqual(await names({ fieldSelector: `metadata.namespace=${namespace}`, labelSelector: 'app=c' }), ['s4']);
    await assert.rejects(core.listNamespacedConfigMap({ namespace, fieldSelector: 'data.x=1' }), isApiError(400));
    // all-namespaces list through the typed client
    const all = await core.listConfigMapForAllNamespaces({ labelSelector: 'app=b' });
    assert.deepEqual(
      all.items.map((i) => `${i.metadata?.namespace}/${i.metadata?.name}`),
      [`${namespace}/s3`],
    );
    // paging
    const p1 = await core.listNamespacedConfigMap({ namespace, limit: 2, labelSelector: 'app' });
    assert.equal(p1.items.length, 2);
    assert.ok(p1.metadata?._continue);
    const p2 = await core.listNamespacedConfigMap({ namespace, limit: 2, labelSelector: 'app', _continue: p1.metadata?._continue });
    assert.deepEqual([...p1.items, ...p2.items].map((i) => i.metadata?.name).sort(), ['s1', 's2', 's3', 's4']);
  });

  test('KubernetesObjectApi resolves kinds through discovery', async () => {
    const client = k8s.KubernetesObjectApi.makeApiClient(kc);
    const cm = await client.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'generic', namespace },
      data: { x: 'y' },
    } as k8s.V1ConfigMap);
    assert.equal(cm.metadata?.uid !== undefined, true);
    const back = await client.read<k8s.V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace } });
    assert.deepEqual(back.data, { x: 'y' });

    const gdep = deployment('gdep', { via: 'generic' });
    gdep.metadata!.namespace = namespace;
    const dep = await client.create(gdep);
    assert.equal(dep.kind, 'Deployment');
    const depBack = await client.read<k8s.V1Deployment>({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'gdep', namespace },
    });
    assert.equal(depBack.spec?.template.spec?.containers[0]?.image, 'nginx:1.25');

    // cluster-scoped kind
    const ns = await client.create<k8s.V1Namespace>({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'generic-ns' } });
    assert.equal(ns.metadata?.name, 'generic-ns');
    const nsBack = await client.read({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'generic-ns' } });
    assert.equal(nsBack.metadata?.uid, ns.metadata?.uid);

    // KubernetesObjectApi.patch defaults to strategic merge
    const patched = await client.patch<k8s.V1ConfigMap>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'generic', namespace },
      data: { z: '1' },
    } as k8s.V1ConfigMap);
    assert.deepEqual(patched.data, { x: 'y', z: '1' });
    const listed = await client.list<k8s.V1ConfigMap>(
      'v1',
      'ConfigMap',
      namespace,
      undefined,
      undefined,
      undefined,
      'metadata.name=generic',
    );
    assert.deepEqual(
      listed.items.map((i) => i.metadata?.name),
      ['generic'],
    );
    await client.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace } });
    await assert.rejects(client.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace } }), isApiError(404));
    // an unknown kind fails on the client after discovery
    await assert.rejects(client.read({ apiVersion: 'v1', kind: 'Gadget', metadata: { name: 'x', namespace } }));
  });

  test('Watch receives ADDED, MODIFIED and DELETED', async () => {
    const wns = 'watched';
    await core.createNamespace({ body: { metadata: { name: wns } } });
    // the root CA publisher puts kube-root-ca.crt into every new namespace, on its own time (the
    // control loops run in their own thread): wait for it, so the watch below sees only this test's writes
    await until('kube-root-ca.crt in the new namespace', async () =>
      (await core.listNamespacedConfigMap({ namespace: wns })).items.some((c) => c.metadata?.name === 'kube-root-ca.crt'),
    );
    const list = await core.listNamespacedConfigMap({ namespace: wns });
    const events: string[] = [];
    let doneErr: unknown = 'not done';
    const watch = new k8s.Watch(kc);
    const ctl = await watch.watch(
      `/api/v1/namespaces/${wns}/configmaps`,
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (type, obj: k8s.V1ConfigMap) => {
        if (type !== 'BOOKMARK') events.push(`${type} ${obj.metadata?.name} ${JSON.stringify(obj.data ?? {})}`);
      },
      (err) => {
        doneErr = err;
      },
    );
    await core.createNamespacedConfigMap({ namespace: wns, body: { metadata: { name: 'w1' }, data: { v: '1' } } });
    await core.patchNamespacedConfigMap({ name: 'w1', namespace: wns, body: { data: { v: '2' } } }, mergePatch());
    await core.createNamespacedConfigMap({ namespace: wns, body: { metadata: { name: 'w2' } } });
    await core.deleteNamespacedConfigMap({ name: 'w1', namespace: wns });
    // a configmap in another namespace must not show up
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'elsewhere' } } });
    await until('4 watch events', () => events.length >= 4);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(events, ['ADDED w1 {"v":"1"}', 'MODIFIED w1 {"v":"2"}', 'ADDED w2 {}', 'DELETED w1 {"v":"2"}']);
    ctl.abort();

    // a watch with timeoutSeconds is closed by the server, which calls done(null)
    let closed: unknown = 'open';
    await watch.watch(
      `/api/v1/namespaces/${wns}/configmaps`,
      { resourceVersion: '0', timeoutSeconds: 1 },
      () => undefined,
      (err) => {
        closed = err;
      },
    );
    await until('server-side close', () => closed !== 'open', 5000);
    assert.equal(closed, null);
    void doneErr;
  });

  test('makeInformer: initial list, then add/update/delete through the watch', async () => {
    const ins = 'informed';
    await core.createNamespace({ body: { metadata: { name: ins } } });
    await core.createNamespacedConfigMap({ namespace: ins, body: { metadata: { name: 'pre', labels: { keep: 'yes' } } } });
    const informer = k8s.makeInformer<k8s.V1ConfigMap>(
      kc,
      `/api/v1/namespaces/${ins}/configmaps`,
      () => core.listNamespacedConfigMap({ namespace: ins, labelSelector: 'keep=yes' }),
      'keep=yes',
    );
    const log: string[] = [];
    informer.on('add', (o) => log.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => log.push(`update ${o.metadata?.name} ${o.data?.['v'] ?? ''}`));
    informer.on('delete', (o) => log.push(`delete ${o.metadata?.name}`));
    const errors: unknown[] = [];
    informer.on('error', (e) => errors.push(e));
    await informer.start();
    try {
      assert.deepEqual(
        informer.list(ins).map((o) => o.metadata?.name),
        ['pre'],
      );
      await core.createNamespacedConfigMap({ namespace: ins, body: { metadata: { name: 'ignored', labels: { keep: 'no' } } } });
      await core.createNamespacedConfigMap({ namespace: ins, body: { metadata: { name: 'new', labels: { keep: 'yes' } } } });
      await core.patchNamespacedConfigMap({ name: 'new', namespace: ins, body: { data: { v: '7' } } }, mergePatch());
      // leaving the label selection is seen as a delete
      await core.patchNamespacedConfigMap({ name: 'pre', namespace: ins, body: { metadata: { labels: { keep: 'no' } } } }, mergePatch());
      await until('informer caught up', () => log.length >= 4);
      assert.deepEqual(log, ['add pre', 'add new', 'update new 7', 'delete pre']);
      assert.deepEqual(
        informer.list(ins).map((o) => o.metadata?.name),
        ['new'],
      );
      assert.equal(informer.get('new', ins)?.data?.['v'], '7');
      assert.deepEqual(errors, []);
    } finally {
      await informer.stop();
    }
  });
});

/** Records what the server sends on the informer's watches (makeInformer builds exactly this ListWatch). */
/**
 * SIGTERM, and SIGKILL if the server has not exited within 10 s. Graceful shutdown can hang on a
 * connection that client-node's aborted Watch leaves open (reported to the lead); that is not what
 * these tests are about, so it is logged rather than failed.
 */
async function stopOrKill(srv: TandemProcess): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceful = await Promise.race([
    srv.stop().then(() => true),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), 10_000);
    }),
  ]);
  clearTimeout(timer);
  if (!graceful) {
    console.log('warning: tandem server did not exit within 10 s of SIGTERM; killing it');
    await srv.kill();
  }
}

class RecordingWatch extends k8s.Watch {
  readonly events: Array<{ type: string; code?: number; reason?: string }> = [];
  readonly requests: string[] = [];
  override watch(
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    cb: (phase: string, obj: unknown, raw?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    this.requests.push(`rv=${String(query['resourceVersion'] ?? '')}`);
    return super.watch(
      path,
      query,
      (type, obj: { code?: number; reason?: string }, raw) => {
        this.events.push(type === 'ERROR' ? { type, code: obj.code, reason: obj.reason } : { type });
        cb(type, obj, raw);
      },
      done,
    );
  }
}

test('informer relists after its resourceVersion is compacted while it was disconnected', { timeout: 60_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-informer-'));
  // relies on the server honouring these (src/cli/server-command.ts): compact every 200 ms, keep 5 revisions
  const env = { TANDEM_COMPACT_INTERVAL_MS: '200', TANDEM_RETAIN_REVISIONS: '5', TANDEM_RETAIN_MS: '0' };
  let srv = await startTandem({ dataDir, keepDataDir: true, env });
  const port = srv.port;
  const kc = loadConfig(srv.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const ns = 'compact';
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  let lists = 0;
  const rw = new RecordingWatch(kc);
  const informer = new k8s.ListWatch<k8s.V1ConfigMap>(
    path,
    rw,
    () => {
      lists++;
      return core.listNamespacedConfigMap({ namespace: ns });
    },
    false,
  );
  let errors = 0;
  let releaseRestart: () => void = () => undefined;
  const restartGate = new Promise<void>((r) => {
    releaseRestart = r;
  });
  // the usual client-node pattern: restart the informer after a connection error. client-node also
  // reports its own abort on stop() as an error, and start() clears the stopped flag: so not when stopping.
  let stopping = false;
  informer.on('error', () => {
    errors++;
    void restartGate.then(() => {
      if (!stopping) void informer.start();
    });
  });
  try {
    await core.createNamespace({ body: { metadata: { name: ns } } });
    for (let i = 0; i < 10; i++)
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `old-${i}` }, data: { v: '0' } } });
    await informer.start();
    await until('initial sync', () => ours(informer.list(ns)).length === 10);
    const listsBefore = lists;
    const rvBefore = informer.latestResourceVersion();

    // the server goes away: the informer's watch ends, its re-watch fails, it reports an error and waits
    await stopOrKill(srv);
    await until('informer noticed the outage', () => errors > 0);
    srv = await startTandem({ dataDir, keepDataDir: true, env, args: ['--listen', `127.0.0.1:${port}`] });
    const raw = createRawClient({ url: srv.url, caPem: srv.caPem(), token: srv.token() });
    try {
      // many changes while the informer is disconnected
      for (let i = 0; i < 50; i++)
        await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `new-${i}` }, data: { v: '1' } } });
      for (let i = 0; i < 5; i++) await core.deleteNamespacedConfigMap({ name: `old-${i}`, namespace: ns });
      for (let i = 5; i < 8; i++)
        await core.patchNamespacedConfigMap({ name: `old-${i}`, namespace: ns, body: { data: { v: '2' } } }, mergePatch());

      // compaction has passed the informer's revision: a raw watch from there answers 200 + ERROR 410 Expired
      await until('compaction past the informer revision', async () => {
        const r = await raw.request('GET', `${path}?watch=true&resourceVersion=${rvBefore}`);
        return r.status === 200 && r.text.includes('"code":410');
      });
      const r = await raw.request('GET', `${path}?watch=true&resourceVersion=${rvBefore}`);
      assert.equal(r.status, 200);
      const ev = JSON.parse(r.text.trim().split('\n')[0]!) as {
        type: string;
        object: { kind: string; apiVersion: string; status: string; code: number; reason: string; message: string };
      };
      assert.equal(ev.type, 'ERROR');
      assert.deepEqual(
        {
          kind: ev.object.kind,
          apiVersion: ev.object.apiVersion,
          status: ev.object.status,
          code: ev.object.code,
          reason: ev.object.reason,
        },
        { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired' },
      );
      assert.match(ev.object.message, /too old resource version/);

      // now let the informer reconnect from its stale revision
      const eventsBefore = rw.events.length;
      releaseRestart();
      const expected = async () =>
        ours((await core.listNamespacedConfigMap({ namespace: ns })).items)
          .map((i) => `${i.metadata?.name}=${i.data?.['v']}`)
          .sort();
      const want = await expected();
      assert.equal(want.length, 55);
      await until(
        'informer cache equals the server state',
        () =>
          JSON.stringify(
            ours(informer.list(ns))
              .map((i) => `${i.metadata?.name}=${i.data?.['v']}`)
              .sort(),
          ) === JSON.stringify(want),
        15_000,
      );
      assert.ok(
        rw.events.slice(eventsBefore).some((e) => e.type === 'ERROR' && e.code === 410 && e.reason === 'Expired'),
        `informer saw a 410: ${JSON.stringify(rw.events.slice(eventsBefore))}`,
      );
      assert.ok(lists > listsBefore, 'the informer relisted');
      assert.ok(rw.requests.includes(`rv=${rvBefore}`), `the informer re-watched from its stale revision: ${rw.requests.join(' ')}`);

      // and it keeps watching after the relist
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'after-relist' }, data: { v: '3' } } });
      await core.deleteNamespacedConfigMap({ name: 'new-0', namespace: ns });
      await until(
        'live events after relist',
        () => informer.get('after-relist', ns) !== undefined && informer.get('new-0', ns) === undefined,
      );
    } finally {
      raw.close();
    }
  } finally {
    stopping = true;
    await informer.stop();
    await stopOrKill(srv);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
