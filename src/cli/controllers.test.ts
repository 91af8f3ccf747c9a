// The controllers against the real API server, in-process: garbage collection by owner references
// (Background, Foreground, Orphan) and namespace deletion.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject, OwnerReference } from '../api/object.js';
import type { RestClient } from '../client/rest-client.js';
import { runServer, type RunningServer } from './server-command.js';
import { createLogger, nullLogger } from '../base/log.js';

let srv: RunningServer;
let dir: string;
let c: RestClient;
const CM = '/api/v1/namespaces/default/configmaps';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tandem-ctrl-'));
  srv = await runServer({
    dataDir: dir,
    listen: '127.0.0.1:0',
    store: 'memory',
    log: process.env['CTRL_DEBUG'] ? createLogger({ write: (l) => process.stderr.write(`${l}\n`), level: 'debug' }) : nullLogger,
  });
  c = srv.client;
  await srv.controllers.ready();
});
after(async () => {
  await srv?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(f: () => Promise<T | undefined | false>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const refTo = (o: KubeObject): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name!, uid: o.metadata.uid! });
const makeCm = (name: string, owners: KubeObject[] = [], finalizers?: string[]) =>
  c.request<KubeObject>('POST', CM, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...(owners.length ? { ownerReferences: owners.map(refTo) } : {}), ...(finalizers ? { finalizers } : {}) },
    data: { k: name },
  });
const getCm = (name: string) => c.getOrUndefined<KubeObject>(`${CM}/${name}`);
const del = (path: string, propagationPolicy: string) =>
  c.request('DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy });

test('background: dependents of a deleted owner are deleted; a dependent with another owner stays', async () => {
  const owner = await makeCm('bg-owner');
  const keeper = await makeCm('bg-keeper');
  const dep = await makeCm('bg-dep', [owner]);
  const shared = await makeCm('bg-shared', [owner, keeper]);
  await sleep(300);
  assert.ok(await getCm('bg-dep'), 'nothing is collected while its owner exists');
  await del(`${CM}/bg-owner`, 'Background');
  await until(async () => (await getCm('bg-dep')) === undefined, 'bg-dep to be collected');
  const s = await until(async () => {
    const o = await getCm('bg-shared');
    return o && (o.metadata.ownerReferences ?? []).length === 1 ? o : undefined;
  }, 'bg-shared to lose its dangling reference');
  assert.equal(s.metadata.uid, shared.metadata.uid);
  assert.equal(s.metadata.ownerReferences?.[0]?.uid, keeper.metadata.uid);
  assert.ok(dep.metadata.uid);
});

test('background: an owner re-created under the same name is not the owner', async () => {
  const first = await makeCm('re-owner');
  await c.request('DELETE', `${CM}/re-owner`, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Orphan' });
  await until(async () => (await getCm('re-owner')) === undefined, 're-owner gone');
  await makeCm('re-owner');
  await makeCm('re-dep', [first]);
  await until(async () => (await getCm('re-dep')) === undefined, 're-dep to be collected (its owner uid is gone)');
});

test('foreground: the owner waits with a deletionTimestamp until its dependent is gone', async () => {
  const owner = await makeCm('fg-owner');
  await makeCm('fg-dep', [owner], ['example.com/hold']);
  await del(`${CM}/fg-owner`, 'Foreground');
  // deleted in the foreground itself, then its foregroundDeletion finalizer removed (it has no
  // dependents): the second write is the one to wait for, or the patch below races it
  const dep = await until(async () => {
    const d = await getCm('fg-dep');
    return d?.metadata.deletionTimestamp && (d.metadata.finalizers ?? []).join() === 'example.com/hold' ? d : undefined;
  }, 'fg-dep to be deleted');
  await sleep(300);
  const o = await getCm('fg-owner');
  assert.ok(o, 'owner still there while the dependent lingers');
  assert.ok(o.metadata.deletionTimestamp);
  assert.deepEqual(o.metadata.finalizers, ['foregroundDeletion']);
  await c.request(
    'PATCH',
    `${CM}/fg-dep`,
    { metadata: { finalizers: null, resourceVersion: dep.metadata.resourceVersion } },
    'application/merge-patch+json',
  );
  await until(async () => (await getCm('fg-dep')) === undefined, 'fg-dep gone');
  await until(async () => (await getCm('fg-owner')) === undefined, 'fg-owner gone');
});

test('orphan: the dependent survives without its owner reference', async () => {
  const owner = await makeCm('or-owner');
  const other = await makeCm('or-other');
  await makeCm('or-dep', [owner, other]);
  await del(`${CM}/or-owner`, 'Orphan');
  await until(async () => (await getCm('or-owner')) === undefined, 'or-owner gone');
  const d = await getCm('or-dep');
  assert.ok(d, 'dependent kept');
  assert.deepEqual(
    d.metadata.ownerReferences?.map((r) => r.name),
    ['or-other'],
  );
});

test('deleting a namespace deletes its content, then the namespace', async () => {
  const ns = 'ctrl-doomed';
  await c.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const n of ['a', 'b', 'c']) {
    await c.request('POST', `/api/v1/namespaces/${ns}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: n },
      data: { x: n },
    });
  }
  await c.request('POST', `/api/v1/namespaces/${ns}/secrets`, {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    stringData: { p: 'q' },
  });
  await c.request('POST', `/api/v1/namespaces/${ns}/services`, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'svc' },
    spec: { selector: { app: 'x' }, ports: [{ port: 80 }] },
  });
  await c.request('DELETE', `/api/v1/namespaces/${ns}`);
  const started = Date.now();
  await until(async () => (await c.getOrUndefined(`/api/v1/namespaces/${ns}`)) === undefined, 'namespace to be removed', 10_000);
  assert.ok(Date.now() - started < 10_000);
  for (const p of ['configmaps', 'secrets', 'services']) {
    const l = await c.request<{ items: unknown[] }>('GET', `/api/v1/namespaces/${ns}/${p}`);
    assert.equal(l.items.length, 0, `${p} left behind`);
  }
});
