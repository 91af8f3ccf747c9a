// The control loops in their own worker thread or child process, against a real `tandem server`
// started in this process: a Deployment converges (ReplicaSet and pods made by the host's
// controllers), the host's log lines come out of the server's logger, a crash of the host is
// logged and followed by a new host that takes the leader Lease back and converges what was created
// while it was down, and stop() releases the Lease and ends the thread or process.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../base/log.js';
import { runServer, type RunningServer } from '../server-command.js';
import type { ControlLoopsMode } from './protocol.js';

const LEASE = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/tandem-control-plane';

async function until<T>(what: string, f: () => Promise<T | undefined | false> | T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function start(mode: ControlLoopsMode): Promise<{ srv: RunningServer; lines: string[]; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), `tandem-loops-${mode}-`));
  const lines: string[] = [];
  const srv = await runServer({
    dataDir: dir,
    listen: '127.0.0.1:0',
    store: 'memory',
    controlLoops: mode,
    // only what a Deployment needs: each host starts quicker, and the test says what it exercises
    controllers: ['deployment', 'replicaset', 'garbage-collector', 'serviceaccount'],
    clusterDns: undefined,
    log: createLogger({ write: (l) => lines.push(l), level: 'info' }),
  });
  return { srv, lines, dir };
}

function deployment(name: string) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  };
}

/** The Deployment's ReplicaSet has made its pods (no nodes here: they are created, not run). */
async function converges(srv: RunningServer, name: string): Promise<void> {
  await until(`${name}: a ReplicaSet with 2 pods`, async () => {
    const rs = await srv.client.request<{ items: Array<{ status?: { replicas?: number } }> }>(
      'GET',
      `/apis/apps/v1/namespaces/default/replicasets?labelSelector=app%3D${name}`,
    );
    const pods = await srv.client.request<{ items: unknown[] }>('GET', `/api/v1/namespaces/default/pods?labelSelector=app%3D${name}`);
    return rs.items.length === 1 && rs.items[0]?.status?.replicas === 2 && pods.items.length === 2;
  });
}

const holder = async (srv: RunningServer) =>
  (await srv.client.request<{ spec?: { holderIdentity?: string } }>('GET', LEASE)).spec?.holderIdentity ?? '';

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

for (const mode of ['thread', 'process'] as const) {
  test(`control loops in a ${mode}: converge, survive a crash of their host, stop cleanly`, async (t) => {
    const { srv, lines, dir } = await start(mode);
    t.after(async () => {
      await srv.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    });
    await srv.controllers.ready();
    assert.equal(srv.controllers.isLeader(), true);
    const first = srv.controllers.host();
    assert.equal(first.mode, mode);
    if (mode === 'thread') assert.ok(first.threadId, 'a worker thread runs the control loops');
    else assert.ok(first.pid && first.pid !== process.pid && alive(first.pid), 'a child process runs the control loops');
    // the host's lines come out of the server's logger, as the components' own
    assert.ok(
      lines.some((l) => /^info controllers: leading: components started identity=\S+ components=deployment,replicaset/.test(l)),
      lines.join('\n'),
    );
    const identity = await holder(srv);
    assert.ok(identity);

    await srv.client.request('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('before'));
    await converges(srv, 'before');

    // a crash: an uncaught exception in the thread, the child killed
    if (mode === 'thread') srv.controllers.crash();
    else process.kill(first.pid!, 'SIGKILL');
    await until('the host to exit', () => srv.controllers.host().restarts === 1);
    assert.equal(srv.controllers.isLeader(), false);
    // created while no host runs: the new host's informers list it
    await srv.client.request('POST', '/apis/apps/v1/namespaces/default/deployments', deployment('after'));
    await until('a new host leading', () => srv.controllers.isLeader());
    assert.ok(
      lines.some((l) => /^error control-loops: control-loop host exited: restarting it mode=\S+ how=/.test(l)),
      lines.join('\n'),
    );
    if (mode === 'thread') assert.ok(lines.some((l) => /control-loop host crashed .*crash requested/.test(l)));
    const second = srv.controllers.host();
    if (mode === 'process') {
      assert.notEqual(second.pid, first.pid);
      assert.equal(alive(first.pid!), false);
    } else assert.notEqual(second.threadId, first.threadId);
    assert.equal(await holder(srv), identity, 'the new host holds the Lease as the same identity');
    await converges(srv, 'after');

    // stop: the Lease released, the host ended
    await srv.controllers.stop();
    assert.equal(await holder(srv), '');
    assert.equal(srv.controllers.isLeader(), false);
    const gone = srv.controllers.host();
    assert.equal(gone.threadId ?? gone.pid, undefined, 'the host has exited');
    if (mode === 'process') assert.equal(alive(second.pid!), false);
  });
}
