// The binding subresource copies the Binding's annotations onto the pod in the same write that sets
// spec.nodeName, as upstream's pod storage does: the scheduler's decisions (the isolation of a
// Windows pod) reach the pod atomically with its placement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../cli/server-command.js';
import { nullLogger } from '../../base/log.js';
import { StatusError } from '../../base/errors.js';
import type { Pod } from '../../api/gen/types.js';

const PODS = '/api/v1/namespaces/default/pods';
const pod = (name: string, annotations?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...(annotations ? { annotations } : {}) },
  spec: { containers: [{ name: 'c', image: 'x' }] },
});
const binding = (name: string, node: string, annotations?: unknown) => ({
  apiVersion: 'v1',
  kind: 'Binding',
  metadata: { name, ...(annotations !== undefined ? { annotations } : {}) },
  target: { apiVersion: 'v1', kind: 'Node', name: node },
});

test("a Binding's annotations are copied onto the pod with the binding", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-binding-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  try {
    const c = s.client;
    await c.request('POST', PODS, pod('a', { keep: 'me', 'tandem.dev/isolation': 'process' }));
    await c.request('POST', `${PODS}/a/binding`, binding('a', 'n1', { 'tandem.dev/isolation': 'hyperv', extra: 'x' }));
    const a = await c.request<Pod>('GET', `${PODS}/a`);
    assert.equal(a.spec?.nodeName, 'n1');
    // the Binding's value wins over the pod's, the pod's others stay
    assert.deepEqual(a.metadata.annotations, { keep: 'me', 'tandem.dev/isolation': 'hyperv', extra: 'x' });
    assert.equal(a.status?.conditions?.find((x) => x.type === 'PodScheduled')?.status, 'True');

    // no annotations on the Binding: the pod gets none
    await c.request('POST', PODS, pod('b'));
    await c.request('POST', `${PODS}/b/binding`, binding('b', 'n1'));
    const b = await c.request<Pod>('GET', `${PODS}/b`);
    assert.equal(b.spec?.nodeName, 'n1');
    assert.equal(b.metadata.annotations, undefined);

    // annotations must be strings; nothing is written when they are not
    await c.request('POST', PODS, pod('c'));
    await assert.rejects(
      c.request('POST', `${PODS}/c/binding`, binding('c', 'n1', { 'tandem.dev/isolation': 1 })),
      (e: unknown) =>
        e instanceof StatusError && e.code === 422 && /metadata\.annotations\[tandem\.dev\/isolation\]: must be a string/.test(e.message),
    );
    await assert.rejects(
      c.request('POST', `${PODS}/c/binding`, binding('c', 'n1', ['x'])),
      (e: unknown) => e instanceof StatusError && e.code === 422 && /metadata\.annotations: must be a map of strings/.test(e.message),
    );
    assert.equal((await c.request<Pod>('GET', `${PODS}/c`)).spec?.nodeName, undefined);

    // the isolation's reason becomes the tandem.dev/Isolation condition in the same write, not an annotation
    await c.request('POST', PODS, pod('d'));
    const why = 'Hyper-V isolation: app:1 is built for Windows 10.0.17763 and the node runs 10.0.20348';
    await c.request(
      'POST',
      `${PODS}/d/binding`,
      binding('d', 'n1', { 'tandem.dev/isolation': 'hyperv', 'tandem.dev/isolation-reason': why }),
    );
    const d = await c.request<Pod>('GET', `${PODS}/d`);
    assert.deepEqual(d.metadata.annotations, { 'tandem.dev/isolation': 'hyperv' });
    const cond = d.status?.conditions?.find((x) => x.type === 'tandem.dev/Isolation');
    assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['True', 'HyperVIsolation', why]);
    assert.equal(d.status?.conditions?.find((x) => x.type === 'PodScheduled')?.status, 'True');
    // a reason without a valid isolation beside it is refused, naming the field
    await c.request('POST', PODS, pod('e'));
    await assert.rejects(
      c.request('POST', `${PODS}/e/binding`, binding('e', 'n1', { 'tandem.dev/isolation': 'vm', 'tandem.dev/isolation-reason': why })),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 422 &&
        /metadata\.annotations\[tandem\.dev\/isolation\]: must be process or hyperv/.test(e.message),
    );
    assert.equal((await c.request<Pod>('GET', `${PODS}/e`)).spec?.nodeName, undefined);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
