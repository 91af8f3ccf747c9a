// The pod garbage collector against the real API server (memory store), started the way `tandem
// server` starts it (by its name in --controllers, its period, quarantine and threshold from the
// environment): a pod bound to a node that never existed and a pod whose node is deleted are marked
// Failed with DisruptionTarget and deleted once the quarantine has passed, a pod on an existing
// node stays, and terminal pods over the threshold are collected oldest first.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../api/gen/types.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { createLogger } from '../../base/log.js';
import { rfc3339 } from '../../base/time.js';
import { runServer } from '../../cli/server-command.js';
import { createInformerFactory } from '../../client/informer-factory.js';

const QUARANTINE_MS = 1500;
const PERIOD_MS = 100;

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const podOn = (name: string, nodeName: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
});

test('pod GC against the real server: orphans after the quarantine, pods of live nodes kept, terminal pods over the threshold', async () => {
  process.env['TANDEM_POD_GC_PERIOD_MS'] = String(PERIOD_MS);
  process.env['TANDEM_POD_GC_QUARANTINE_MS'] = String(QUARANTINE_MS);
  process.env['TANDEM_TERMINATED_POD_GC_THRESHOLD'] = '2';
  const dir = mkdtempSync(join(tmpdir(), 'tandem-podgc-'));
  const lines: string[] = [];
  const s = await runServer({
    dataDir: dir,
    listen: '127.0.0.1:0',
    store: 'memory',
    log: createLogger({ write: (l) => lines.push(l), level: 'info' }),
    controllers: ['pod-garbage-collector'],
  });
  const c = s.client;
  const pods = c.resource(podKind).namespace('default');
  const watcher = createInformerFactory(c);
  const seen: Pod[] = [];
  watcher.for(podKind).addHandlers({ onUpdate: (_o, p) => seen.push(p) });
  watcher.start();
  try {
    await Promise.all([s.controllers.ready(), watcher.whenSynced()]);
    const now = rfc3339(Date.now());
    for (const name of ['n1', 'n2'])
      await c.resource(nodeKind).create({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name },
        status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: now, lastTransitionTime: now }] },
      });
    const running = async (name: string, node: string) => {
      const p = await pods.create(podOn(name, node));
      await pods.updateStatus({ ...p, status: { ...p.status, phase: 'Running' } });
    };
    await running('kept', 'n1');
    await running('stranded', 'n2');
    await sleep(3 * PERIOD_MS);
    assert.ok(await pods.getOrUndefined('stranded'), 'its node is there');
    const t0 = Date.now();
    await running('orphan', 'no-such-node');
    await c.resource(nodeKind).delete('n2');

    // quarantined: the node might just be missing from the cache yet
    await sleep(QUARANTINE_MS - 500);
    assert.ok(await pods.getOrUndefined('orphan'), 'the orphan outlives the first passes');
    assert.ok(await pods.getOrUndefined('stranded'), 'the pod of the deleted node outlives the first passes');
    await until('the orphan deleted', async () => (await pods.getOrUndefined('orphan')) === undefined);
    await until('the pod of the deleted node deleted', async () => (await pods.getOrUndefined('stranded')) === undefined);
    const waited = Date.now() - t0;
    assert.ok(waited >= QUARANTINE_MS, `deleted after ${waited} ms, not before the quarantine of ${QUARANTINE_MS} ms`);
    const marked = await until('the orphan seen Failed', async () =>
      seen.find((p) => p.metadata.name === 'orphan' && p.status?.phase === 'Failed'),
    );
    const { lastTransitionTime, ...cond } = marked.status?.conditions?.find((x) => x.type === 'DisruptionTarget') ?? {};
    assert.deepEqual(cond, {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByPodGC',
      message: 'PodGC: node no longer exists',
    });
    assert.match(lastTransitionTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // the controllers run in their own thread, whose log lines reach this one after the deletes they report
    const logged = (n: string) =>
      lines.some((l) => l.includes('force-deleted pod') && l.includes(`pod=default/${n}`) && l.includes('reason=orphaned'));
    await until('both force-deletes logged', async () => ['orphan', 'stranded'].every(logged), 5_000).catch(() => {
      assert.fail(lines.join('\n'));
    });
    // several quarantines later the pod of the live node is still there, untouched
    await sleep(QUARANTINE_MS + 4 * PERIOD_MS);
    const kept = await pods.get('kept');
    assert.equal(kept.status?.phase, 'Running');

    // terminal pods: 'z-old' and 'y-old' in one second, 'b-new' and 'a-new' in a later one; threshold 2
    const finish = async (name: string, phase: string) => {
      const p = await pods.create(podOn(name, 'n1'));
      await pods.updateStatus({ ...p, status: { ...p.status, phase } });
      return Date.parse(p.metadata.creationTimestamp ?? '');
    };
    await finish('z-old', 'Succeeded');
    const oldAt = await finish('y-old', 'Failed');
    // creationTimestamp has whole seconds: the new ones must be made in a later second
    await sleep(oldAt + 1050 - Date.now());
    await finish('b-new', 'Succeeded');
    await finish('a-new', 'Succeeded');
    const left = await until('two terminal pods left', async () => {
      const names = (await pods.list()).items.map((p) => p.metadata.name ?? '').sort();
      return names.length === 3 ? names : undefined;
    });
    assert.deepEqual(left, ['a-new', 'b-new', 'kept'], 'the oldest went, whatever their names');
    await sleep(4 * PERIOD_MS);
    assert.equal((await pods.list()).items.length, 3, 'at the threshold nothing more goes');
  } finally {
    await watcher.stop();
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
    for (const v of ['TANDEM_POD_GC_PERIOD_MS', 'TANDEM_POD_GC_QUARANTINE_MS', 'TANDEM_TERMINATED_POD_GC_THRESHOLD']) delete process.env[v];
  }
});
