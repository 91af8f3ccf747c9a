// The server's etcd warnings against real etcd members: one member warns, three healthy members are
// silent, a killed member is logged once when it goes and once when it is back, and endpoints of two
// different clusters are named.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '../base/log.js';
import { etcdUnavailable, startEtcdCluster } from '../storage/etcd/testing/etcd-cluster.js';
import { etcdWarnings, startEtcdWarnings } from './etcd-warnings.js';
import { probeEtcd } from './doctor/etcd-probe.js';

const why = etcdUnavailable();

function recordingLogger(lines: string[]): Logger {
  const l: Logger = {
    debug: () => undefined,
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${m}`),
    child: () => l,
  };
  return l;
}

const until = async (what: string, ok: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test('one member: the server warns once that it has no fault tolerance', { skip: why }, async () => {
  const c = await startEtcdCluster({ size: 1 });
  const lines: string[] = [];
  const w = startEtcdWarnings({ target: { endpoints: c.clientUrls }, log: recordingLogger(lines), intervalMs: 100 });
  try {
    await w.first;
    assert.equal(lines.length, 1, lines.join('\n'));
    assert.match(lines[0]!, /^warn etcd has one member \(m0\): no fault tolerance/);
    await new Promise((r) => setTimeout(r, 500)); // several more checks: nothing changed, nothing logged
    assert.equal(lines.length, 1, lines.join('\n'));
  } finally {
    w.stop();
    await c.stop();
  }
});

test('three members: silent; a killed member is logged when it goes and when it is back', { skip: why }, async () => {
  const c = await startEtcdCluster({ size: 3 });
  const lines: string[] = [];
  const w = startEtcdWarnings({ target: { endpoints: c.clientUrls }, log: recordingLogger(lines), intervalMs: 200 });
  try {
    await w.first;
    assert.equal(lines.length, 0, lines.join('\n'));
    await c.members[2]!.kill();
    await until('the unreachable warning', () => lines.length > 0);
    assert.equal(lines[0], `warn etcd endpoint ${c.clientUrls[2]} does not answer`);
    await c.members[2]!.start();
    await until('the all-clear', () => lines.some((l) => l.startsWith('info ')));
    assert.equal(lines.at(-1), 'info etcd: the earlier warnings no longer apply');
    assert.equal(lines.filter((l) => l.includes('does not answer')).length, 1, `one line per change: ${lines.join('\n')}`);
  } finally {
    w.stop();
    await c.stop();
  }
});

test('endpoints of two different clusters are named as such', { skip: why }, async () => {
  const [a, b] = await Promise.all([startEtcdCluster({ size: 1 }), startEtcdCluster({ size: 1 })]);
  try {
    const ws = etcdWarnings(await probeEtcd({ endpoints: [...a.clientUrls, ...b.clientUrls] }));
    assert.ok(
      ws.some((x) => /^etcd endpoints belong to different clusters \(http:\/\/127\.0\.0\.1:\d+: cluster [0-9a-f]+, /.test(x)),
      ws.join('\n'),
    );
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
