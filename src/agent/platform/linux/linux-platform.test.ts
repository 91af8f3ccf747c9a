import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerdSkipReason, startTestContainerd } from '../../../../test/images/containerd-env.js';
import { cgroupHierarchies, existingPodCgroups, podCgroupParent, removePodCgroups } from './cgroups.js';
import {
  bridgeName,
  containerdLayout,
  parsePodCidr,
  renderCniConflist,
  renderContainerdConfig,
  renderHostsToml,
} from './containerd-config.js';
import { goArch, internalIp, meminfoBytes, prettyName } from './host-info.js';
import { createLinuxPlatform } from './linux-platform.js';

test('pod CIDR → subnet and gateway', () => {
  assert.deepEqual(parsePodCidr('10.88.5.7/24'), { subnet: '10.88.5.0/24', gateway: '10.88.5.1' });
  assert.deepEqual(parsePodCidr('10.244.0.0/16'), { subnet: '10.244.0.0/16', gateway: '10.244.0.1' });
  assert.throws(() => parsePodCidr('fd00::/64'), /not an IPv4 CIDR/);
  assert.throws(() => parsePodCidr('10.0.0.0/31'), /out of range/);
});

test('bridge name is short, stable and per data dir', () => {
  const a = bridgeName('/var/lib/tandem');
  const b = bridgeName('/tmp/other');
  assert.ok(a.length <= 15 && a.startsWith('tdm'));
  assert.equal(a, bridgeName('/var/lib/tandem'));
  assert.notEqual(a, b);
});

test('containerd config carries the keys this host needs', () => {
  const l = containerdLayout('/d');
  const t = renderContainerdConfig(l, { sandboxImage: 'docker.io/tandem/pause:1', cniBinDir: '/usr/lib/cni' });
  for (const s of [
    'version = 2',
    'restrict_oom_score_adj = true',
    'SystemdCgroup = false',
    'Root = "/d/containerd/runc"',
    'stream_server_address = "127.0.0.1"',
    'stream_server_port = "0"',
    'bin_dir = "/usr/lib/cni"',
    'conf_dir = "/d/containerd/cni/net.d"',
    'config_path = "/d/containerd/certs.d"',
    'sandbox_image = "docker.io/tandem/pause:1"',
    'address = "/d/containerd/containerd.sock"',
  ]) {
    assert.ok(t.includes(s), `missing ${s}`);
  }
  const c = JSON.parse(renderCniConflist('/d', '10.91.3.0/24')) as {
    plugins: { type: string; bridge?: string; ipam?: { ranges: { subnet: string; gateway: string }[][] } }[];
  };
  assert.deepEqual(
    c.plugins.map((p) => p.type),
    ['bridge', 'portmap', 'loopback'],
  );
  assert.equal(c.plugins[0]?.bridge, bridgeName('/d'));
  assert.deepEqual(c.plugins[0]?.ipam?.ranges[0]?.[0], { subnet: '10.91.3.0/24', gateway: '10.91.3.1' });
  const h = renderHostsToml('registry.invalid', 'http://127.0.0.1:5000');
  assert.match(h, /^server = "http:\/\/127\.0\.0\.1:5000"/);
  assert.match(h, /\[host\."http:\/\/127\.0\.0\.1:5000"\]\n {2}capabilities = \["pull", "resolve"\]/);
  assert.match(renderHostsToml('docker.io', 'http://127.0.0.1:5000'), /^server = "https:\/\/registry-1\.docker\.io"/);
});

test('pod cgroup parents per QoS class', () => {
  assert.equal(podCgroupParent('tandem', 'u1', 'Guaranteed'), '/tandem/podu1');
  assert.equal(podCgroupParent('tandem', 'u1', 'Burstable'), '/tandem/burstable/podu1');
  assert.equal(podCgroupParent('/x/', 'u1', 'BestEffort'), '/x/besteffort/podu1');
  assert.equal(createLinuxPlatform({ dataDir: '/tmp' }).podResourceParent('u2', 'Burstable'), '/tandem/burstable/podu2');
});

test('why a host cannot run pods: what is missing and how to install it', () => {
  const why = createLinuxPlatform({ dataDir: '/tmp', cniBinDir: '/nonexistent/cni' }).whyUnavailable() ?? '';
  assert.match(why, /^missing .*CNI plugin bridge \(containernetworking-plugins in \/nonexistent\/cni\)/);
  assert.match(why, /\(on Debian: apt-get install containerd runc containernetworking-plugins\)$/);
});

test('removePodCgroups removes the pod dir (and leftover children) in every hierarchy', async () => {
  const mount = await mkdtemp(join(tmpdir(), 'tandem-cg-'));
  try {
    for (const h of ['cpu', 'memory', 'unified']) await mkdir(join(mount, h, 'tandem', 'burstable', 'podx', 'ctr1'), { recursive: true });
    await mkdir(join(mount, 'pids', 'tandem'), { recursive: true });
    assert.equal((await cgroupHierarchies(mount)).length, 4);
    assert.equal((await existingPodCgroups('/tandem/burstable/podx', mount)).length, 3);
    await removePodCgroups('/tandem/burstable/podx', mount);
    assert.deepEqual(await existingPodCgroups('/tandem/burstable/podx', mount), []);
    assert.ok(existsSync(join(mount, 'memory', 'tandem', 'burstable')), 'the QoS parent stays');
    await removePodCgroups('/tandem/burstable/podx', mount); // idempotent
  } finally {
    await rm(mount, { recursive: true, force: true });
  }
});

test('host facts parsing', () => {
  assert.equal(meminfoBytes('MemTotal:       1024 kB\nMemAvailable:    512 kB\n', 'MemAvailable'), 512 * 1024);
  assert.equal(meminfoBytes('MemTotal: 1 kB', 'Nope'), undefined);
  assert.equal(prettyName('NAME=x\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
  assert.equal(goArch('x64'), 'amd64');
  assert.equal(goArch('arm64'), 'arm64');
  assert.equal(
    internalIp({ lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true, netmask: '', mac: '', cidr: null }] }),
    '127.0.0.1',
  );
  assert.equal(
    internalIp({
      cni0: [{ address: '10.1.0.1', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null }],
      eth0: [{ address: '192.0.2.9', family: 'IPv4', internal: false, netmask: '', mac: '', cidr: null }],
    }),
    '192.0.2.9',
  );
});

test('hostInfo and pressure on this host', { skip: process.platform !== 'linux' }, async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tandem-host-'));
  try {
    const p = createLinuxPlatform({ dataDir });
    const h = await p.hostInfo();
    assert.equal(h.os, 'linux');
    assert.ok(h.cpuCores >= 1 && h.memoryBytes > 64 * 1024 * 1024 && h.ephemeralStorageBytes > 0);
    assert.equal(h.bootId, (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim());
    assert.match(h.machineId, /^[0-9a-f]{32}$/);
    assert.equal(h.addresses[0]?.type, 'InternalIP');
    const pr = await p.pressure();
    assert.deepEqual(Object.keys(pr).sort(), ['disk', 'memory', 'pid']);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

const skip = containerdSkipReason();
if (skip) console.log(`# ${skip}`);

test('private containerd: ready, supervised, stopped without leftovers', { skip, timeout: 60_000 }, async () => {
  const env = await startTestContainerd();
  let pid: number | undefined;
  try {
    const v = await env.runtime.version();
    assert.equal(v.runtimeName, 'containerd');
    assert.equal(v.runtimeApiVersion, 'v1');
    const conds = await env.runtime.status();
    assert.equal(conds.find((c) => c.type === 'RuntimeReady')?.status, true);
    assert.equal(conds.find((c) => c.type === 'NetworkReady')?.status, true);
    assert.ok((await env.runtime.runtimeHandlers()).some((h) => h.name === 'runc'));
    const conf = await readFile(containerdLayout(env.dataDir).cniConfFile, 'utf8');
    assert.ok(conf.includes(parsePodCidr(env.podCidr).subnet));

    // supervision: a killed containerd comes back on the same socket
    const first = env.managed.pid;
    assert.ok(first);
    process.kill(first, 'SIGKILL');
    const end = Date.now() + 20_000;
    while (Date.now() < end && !(env.managed.restarts >= 1 && env.managed.pid !== undefined && env.managed.pid !== first))
      await new Promise((r) => setTimeout(r, 100));
    assert.equal(env.managed.restarts, 1);
    for (;;) {
      try {
        await env.runtime.version();
        break;
      } catch {
        if (Date.now() > end) throw new Error('no Version after restart');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    pid = env.managed.pid;
  } finally {
    await env.stop();
  }
  assert.ok(pid);
  assert.throws(() => process.kill(pid ?? 0, 0), /ESRCH/, 'containerd has exited after stop()');
  assert.equal(existsSync(env.dataDir), false);
});
