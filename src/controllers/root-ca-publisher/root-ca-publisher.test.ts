// The root CA publisher: its decisions, then the controller against the real API server (memory
// store) started as `tandem server` starts it: every namespace gets kube-root-ca.crt with the
// cluster CA, and a deleted or edited ConfigMap comes back as it was.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Namespace } from '../../api/gen/types.js';
import { configMapKind } from '../../api/kinds/core/configmap.js';
import { namespaceKind } from '../../api/kinds/core/namespace.js';
import { nullLogger } from '../../base/log.js';
import { runServer } from '../../cli/server-command.js';
import { DESCRIPTION, DESCRIPTION_ANNOTATION, rootCaAction, ROOT_CA_CONFIGMAP } from './root-ca-decide.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const ns = (name: string, extra: Partial<Namespace> = {}): Namespace => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
  ...extra,
});
const cm = (data: Record<string, string>, annotations?: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: ROOT_CA_CONFIGMAP, namespace: 'a', ...(annotations ? { annotations } : {}) },
  data,
});

test('decisions: create when missing, nothing when equal, update when data or the annotation differ', () => {
  const created = rootCaAction(ns('a'), undefined, CA);
  assert.ok(created && 'create' in created);
  assert.deepEqual(created.create.data, { 'ca.crt': CA });
  assert.equal(created.create.metadata.annotations?.[DESCRIPTION_ANNOTATION], DESCRIPTION);
  assert.equal(created.create.metadata.namespace, 'a');

  assert.equal(rootCaAction(ns('a'), cm({ 'ca.crt': CA }, { [DESCRIPTION_ANNOTATION]: 'mine' }), CA), undefined, 'any description is kept');
  const edited = rootCaAction(ns('a'), cm({ 'ca.crt': 'x', extra: 'y' }, { keep: 'me', [DESCRIPTION_ANNOTATION]: DESCRIPTION }), CA);
  assert.ok(edited && 'update' in edited);
  assert.deepEqual(edited.update.data, { 'ca.crt': CA });
  assert.equal(edited.update.metadata.annotations?.['keep'], 'me');
  const undescribed = rootCaAction(ns('a'), cm({ 'ca.crt': CA }), CA);
  assert.ok(undescribed && 'update' in undescribed);

  assert.equal(rootCaAction(undefined, undefined, CA), undefined);
  assert.equal(rootCaAction(ns('a', { status: { phase: 'Terminating' } }), undefined, CA), undefined);
});

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('against the real server: every namespace, new ones, and deleted or edited ConfigMaps put back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-rootca-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: ['root-ca-publisher'] });
  try {
    await s.controllers.ready();
    const ca = s.tls.ca;
    const published = (namespace: string, want = ca) =>
      until(`kube-root-ca.crt in ${namespace}`, async () => {
        const got = await s.client.resource(configMapKind).namespace(namespace).getOrUndefined(ROOT_CA_CONFIGMAP);
        return got?.data?.['ca.crt'] === want ? got : undefined;
      });
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) await published(n);
    const first = await published('default');
    assert.equal(first.metadata.annotations?.[DESCRIPTION_ANNOTATION], DESCRIPTION);

    await s.client.resource(namespaceKind).create(ns('fresh'));
    await published('fresh');

    const api = s.client.resource(configMapKind).namespace('fresh');
    await api.delete(ROOT_CA_CONFIGMAP);
    const back = await published('fresh');
    assert.notEqual(back.metadata.uid, undefined);

    await api.update({ ...back, data: { 'ca.crt': 'tampered' } });
    const restored = await published('fresh');
    assert.notEqual(restored.metadata.resourceVersion, back.metadata.resourceVersion);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
