// PriorityClasses and the Priority admission plugin on a real server: the system classes exist,
// pods get their class's value (or the global default's, or 0), unknown classes and self-chosen
// priorities are refused with upstream's 403s, bad classes with 422s naming the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer } from '../../cli/server-command.js';
import { nullLogger } from '../../base/log.js';
import { StatusError } from '../../base/errors.js';
import type { Pod, PriorityClass } from '../../api/gen/types.js';
import type { RestClient } from '../../client/rest-client.js';

const PODS = '/api/v1/namespaces/default/pods';
const PCS = '/apis/scheduling.k8s.io/v1/priorityclasses';
const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
});
const pc = (name: string, value: number, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name },
  value,
  ...extra,
});
const failure = (p: Promise<unknown>) =>
  p.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => {
      assert.ok(e instanceof StatusError, String(e));
      return e;
    },
  );

async function withServer(f: (c: RestClient) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-priority-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  try {
    await f(s.client);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('system classes exist, pods get their class priority, unknown classes are refused', async () => {
  await withServer(async (c) => {
    const node = await c.request<PriorityClass>('GET', `${PCS}/system-node-critical`);
    assert.equal(node.value, 2000001000);
    assert.equal((await c.request<PriorityClass>('GET', `${PCS}/system-cluster-critical`)).value, 2000000000);

    const plain = await c.request<Pod>('POST', PODS, pod('plain'));
    assert.equal(plain.spec?.priority, 0);
    assert.equal(plain.spec?.preemptionPolicy, 'PreemptLowerPriority');

    await c.request('POST', PCS, pc('high', 1000, { preemptionPolicy: 'Never' }));
    const high = await c.request<Pod>('POST', PODS, pod('high', { priorityClassName: 'high' }));
    assert.equal(high.spec?.priority, 1000);
    assert.equal(high.spec?.preemptionPolicy, 'Never');

    const e = await failure(c.request('POST', PODS, pod('ghost', { priorityClassName: 'nope' })));
    assert.equal(e.code, 403);
    assert.equal(e.message, 'pods "ghost" is forbidden: no PriorityClass with name nope was found');

    const own = await failure(c.request('POST', PODS, pod('own', { priorityClassName: 'high', priority: 5 })));
    assert.equal(own.code, 403);
    assert.match(
      own.message,
      /the integer value of priority \(5\) must not be provided in pod spec; priority admission controller computed 1000/,
    );

    // a global default applies to pods without a class; only one may exist
    await c.request('POST', PCS, pc('normal', 100, { globalDefault: true }));
    const d = await c.request<Pod>('POST', PODS, pod('defaulted'));
    assert.deepEqual([d.spec?.priorityClassName, d.spec?.priority], ['normal', 100]);
    const two = await failure(c.request('POST', PCS, pc('other', 5, { globalDefault: true })));
    assert.equal(two.code, 403);
    assert.match(two.message, /PriorityClass normal is already marked as default\. Only one default can exist/);

    const del = await failure(c.request('DELETE', `${PCS}/system-node-critical`));
    assert.equal(del.code, 403);
    assert.match(del.message, /this is a system priority class and cannot be deleted/);
  });
});

test('PriorityClass validation names the field', async () => {
  await withServer(async (c) => {
    const bad = async (obj: unknown, want: string) => {
      const e = await failure(c.request('POST', PCS, obj));
      assert.equal(e.code, 422, e.message);
      assert.ok(e.message.includes(want), `${e.message} lacks ${want}`);
    };
    await bad(pc('huge', 1_000_000_001), 'value: Forbidden: maximum allowed value of a user defined priority is 1000000000');
    await bad(
      pc('system-mine', 5),
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only",
    );
    await bad(pc('odd', 5, { preemptionPolicy: 'Sometimes' }), 'preemptionPolicy: Unsupported value: "Sometimes"');
    await c.request('POST', PCS, pc('fixed', 5));
    const cur = await c.request<PriorityClass>('GET', `${PCS}/fixed`);
    const e = await failure(c.request('PUT', `${PCS}/fixed`, { ...cur, value: 6 }));
    assert.equal(e.code, 422);
    assert.match(e.message, /value: Forbidden: may not be changed in an update/);
  });
});
