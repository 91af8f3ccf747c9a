// The quota controller and quota admission in a real server (memory store, the controller started
// by the server under its own ServiceAccount): status filled from the namespace, creates charged
// and refused through the API, usage given back when a pod is deleted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, Pod, ResourceQuota } from '../../api/gen/types.js';
import { configMapKind } from '../../api/kinds/core/configmap.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { resourceQuotaKind } from '../../api/kinds/core/resource-quota.js';
import { isStatusError } from '../../base/errors.js';
import { nullLogger } from '../../base/log.js';
import { runServer } from '../../cli/server-command.js';

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const pod = (name: string, cpu: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu }, limits: { cpu } } }] },
});

test('quota status, admission charges and refusals, and replenishment after a delete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-quota-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: ['resourcequota'] });
  try {
    const quotas = s.client.resource(resourceQuotaKind).namespace('default');
    const pods = s.client.resource(podKind).namespace('default');
    const cms = s.client.resource(configMapKind).namespace('default');
    const before = (await cms.list()).items.length;
    const q: ResourceQuota = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'compute' },
      spec: { hard: { pods: '3', 'requests.cpu': '1', configmaps: String(before + 1) } },
    };
    await quotas.create(q);
    await until('status filled', async () => {
      const cur = await quotas.get('compute');
      return cur.status?.used?.['pods'] === '0' && cur.status.used['configmaps'] === String(before) && cur.status.hard?.['pods'] === '3';
    });
    await pods.create(pod('a', '400m'));
    await pods.create(pod('b', '400m'));
    assert.equal((await quotas.get('compute')).status?.used?.['requests.cpu'], '800m', 'charged at admission');
    const refused = await pods.create(pod('c', '400m')).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isStatusError(refused) && refused.code === 403, String(refused));
    assert.equal(
      refused.message,
      'pods "c" is forbidden: exceeded quota: compute, requested: requests.cpu=400m, used: requests.cpu=800m, limited: requests.cpu=1',
    );
    const unset = await pods.create({ ...pod('d', '1m'), spec: { containers: [{ name: 'c', image: 'nginx' }] } }).catch((e: unknown) => e);
    assert.ok(
      isStatusError(unset) && unset.message === 'pods "d" is forbidden: failed quota: compute: must specify requests.cpu for: c',
      String(unset),
    );
    const cm: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'one' } };
    await cms.create(cm);
    await assert.rejects(cms.create({ ...cm, metadata: { name: 'two' } }), /exceeded quota: compute, requested: configmaps=1/);
    // a delete gives the usage back (the controller recounts)
    await pods.delete('a', { gracePeriodSeconds: 0 });
    await until('replenished', async () => (await quotas.get('compute')).status?.used?.['requests.cpu'] === '400m');
    await pods.create(pod('c', '400m'));
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
