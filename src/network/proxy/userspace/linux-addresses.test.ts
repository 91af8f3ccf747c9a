// Cluster IPs as local addresses on Linux. With root and iproute2 the real `ip` is used: addresses
// are added (on a dummy link, or labelled on lo where the kernel has no dummy driver), a Service is
// reached through one, a second manager (a restarted agent) reconciles what the first left, and
// cleanup removes everything. The dummy-link command sequence is also checked against a recorded
// runner, since not every test machine can create dummy links.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { nullLogger } from '../../../base/log.js';
import { defaultAddressManager } from './addresses.js';
import { createUserspaceBackend } from './backend.js';
import { createLinuxAddressManager } from './linux-addresses.js';
import { startTcpEcho, tcpRoundTrip } from './testing/echo-servers.js';
import { endpoints, freePort, servicePort } from './testing/model.js';

const LINK = 'tdmtest0';
const IPS = ['198.18.77.1', '198.18.77.2'];

function hasIp(): boolean {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const root = process.platform === 'linux' && process.getuid?.() === 0 && hasIp();

function localAddresses(): string[] {
  const out = JSON.parse(execFileSync('ip', ['-j', 'addr', 'show'], { encoding: 'utf8' })) as { addr_info?: { local?: string }[] }[];
  return out.flatMap((l) => (l.addr_info ?? []).map((a) => a.local ?? ''));
}

test('real ip: add, serve, reconcile after a restart, clean up', { skip: root ? false : 'needs root on Linux with iproute2' }, async () => {
  const echo = await startTcpEcho('a');
  const port = await freePort();
  const first = createLinuxAddressManager({ log: nullLogger, linkName: LINK });
  const b = createUserspaceBackend({ log: nullLogger, addressManager: first, listenAddresses: [] });
  try {
    await b.apply([servicePort('default/real', { clusterIPs: [IPS[0] as string], port, clusterEndpoints: endpoints(echo.port) })]);
    assert.ok(localAddresses().includes(IPS[0] as string));
    const r = await tcpRoundTrip(IPS[0] as string, port, 'via-real-address');
    assert.deepEqual([r.from, r.echo], ['a', 'via-real-address']);
    r.socket.destroy();
    assert.equal(b.stats().clusterIPs, 1);

    // A restarted process syncs a different set: the address the first one left is removed.
    const second = createLinuxAddressManager({ log: nullLogger, linkName: LINK });
    await second.sync([IPS[1] as string]);
    const now = localAddresses();
    assert.ok(!now.includes(IPS[0] as string) && now.includes(IPS[1] as string), now.join(' '));
    await second.sync([IPS[1] as string]); // idempotent
    await second.cleanup();
    assert.ok(!localAddresses().some((a) => IPS.includes(a)));
  } finally {
    await b.cleanup();
    await echo.close();
    for (const ip of IPS) {
      try {
        execFileSync('ip', ['addr', 'del', `${ip}/32`, 'dev', 'lo'], { stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
  }
  assert.ok(!localAddresses().some((a) => IPS.includes(a)));
});

test('dummy link: created once, addresses diffed against what is on it, link deleted on cleanup', async () => {
  const calls: string[] = [];
  let onLink = ['10.96.0.10', '10.96.0.99'];
  const run = (args: readonly string[]) => {
    const cmd = args.join(' ');
    calls.push(cmd);
    if (cmd === 'link show dev svc0') return Promise.reject(new Error('Device "svc0" does not exist.'));
    if (cmd.startsWith('-j addr show'))
      return Promise.resolve(
        JSON.stringify([
          {
            addr_info: [
              { family: 'inet6', local: 'fe80::1', scope: 'link' },
              ...onLink.map((ip) => ({ family: 'inet', local: ip, scope: 'global' })),
            ],
          },
        ]),
      );
    return Promise.resolve('');
  };
  const m = createLinuxAddressManager({ log: nullLogger, linkName: 'svc0', run });
  await m.sync(['10.96.0.10', '10.96.0.1', 'fd00::10']);
  assert.deepEqual(calls, [
    'link show dev svc0',
    'link add svc0 type dummy',
    'link set svc0 up',
    '-j addr show dev svc0',
    'addr del 10.96.0.99/32 dev svc0',
    'addr add 10.96.0.1/32 dev svc0',
    'addr add fd00::10/128 dev svc0 nodad',
  ]);
  calls.length = 0;
  onLink = ['10.96.0.10', '10.96.0.1'];
  await m.sync(['10.96.0.10', '10.96.0.1']);
  assert.deepEqual(calls, ['-j addr show dev svc0'], 'nothing to change');
  calls.length = 0;
  await m.cleanup();
  assert.deepEqual(calls, ['link del svc0']);
  assert.throws(() => createLinuxAddressManager({ log: nullLogger, linkName: 'far-too-long-name' }), /must be 1-12/);
});

test('the default strategy: a dummy link on Linux as root, nothing on Windows or without root', () => {
  assert.equal(defaultAddressManager({ log: nullLogger, platform: 'linux', privileged: true })?.name, 'linux');
  assert.equal(defaultAddressManager({ log: nullLogger, platform: 'linux', privileged: false }), undefined);
  assert.equal(defaultAddressManager({ log: nullLogger, platform: 'win32', privileged: true }), undefined);
});
