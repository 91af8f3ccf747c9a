import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostResourceNames, isPodnetTable, LEGACY_TABLES } from '../../agent/platform/linux/index.js';
import { mentionsDir, mountsBelow, planLinuxRemoval, purgeRefusal, type LinuxRemoveFacts } from './plan.js';

const agentDir = '/var/lib/t1/agent';
const names = hostResourceNames(agentDir);
const other = hostResourceNames('/var/lib/t2/agent');

function facts(over: Partial<LinuxRemoveFacts> = {}): LinuxRemoveFacts {
  return {
    names,
    agentDir,
    dataDirReal: '/var/lib/t1',
    links: [],
    tables: [],
    podnetRoutes: [],
    mounts: [],
    processes: [],
    protectedPids: new Set([1000]),
    legacyTables: LEGACY_TABLES,
    vxlanDevice: 'tandem-vxlan',
    isPodnetTable,
    ...over,
  };
}

test('names: one hash for the bridge and both tables, different per data dir', () => {
  assert.match(names.bridge, /^tdm[0-9a-f]{8}$/);
  assert.equal(names.proxyTable, `tandem-proxy-${names.suffix}`);
  assert.equal(names.podnetTable, `tandem-podnet-${names.suffix}`);
  assert.notEqual(other.suffix, names.suffix);
  assert.ok(names.bridge.length <= 15, 'fits IFNAMSIZ');
});

test('nothing exists: nothing to do', () => {
  assert.deepEqual(planLinuxRemoval(facts()), { steps: [], kept: [] });
});

test('only this data dir’s bridge and tables are removed, never another data dir’s', () => {
  const p = planLinuxRemoval(
    facts({
      links: ['lo', 'eth0', names.bridge, other.bridge],
      tables: ['nat', names.proxyTable, names.podnetTable, other.proxyTable],
    }),
  );
  assert.deepEqual(
    p.steps.map((s) => s.action),
    [
      { kind: 'delete-link', name: names.bridge },
      { kind: 'delete-table', name: names.proxyTable },
      { kind: 'delete-table', name: names.podnetTable },
    ],
  );
});

test('tables with the fixed names of older Tandems are removed as leftovers', () => {
  const p = planLinuxRemoval(facts({ tables: ['tandem-podnet', 'tandem-proxy'] }));
  assert.deepEqual(
    p.steps.map((s) => s.action),
    [
      { kind: 'delete-table', name: 'tandem-proxy' },
      { kind: 'delete-table', name: 'tandem-podnet' },
    ],
  );
  assert.match(p.steps[0]!.title, /older Tandem/);
});

test('the shared pod network routes and tunnel go only when no other Tandem’s pod network is left', () => {
  const shared = { podnetRoutes: ['10.42.1.0/24'], links: ['tandem-vxlan'] };
  const alone = planLinuxRemoval(facts({ ...shared, tables: [names.podnetTable] }));
  assert.deepEqual(
    alone.steps.map((s) => s.action.kind),
    ['delete-table', 'delete-routes', 'delete-link'],
  );
  const beside = planLinuxRemoval(facts({ ...shared, tables: [names.podnetTable, other.podnetTable] }));
  assert.deepEqual(
    beside.steps.map((s) => s.action.kind),
    ['delete-table'],
  );
  assert.match(beside.kept[0]!, new RegExp(other.podnetTable));
});

test('processes: those naming the agent dir, not a sibling dir, not down itself or its parents', () => {
  const p = planLinuxRemoval(
    facts({
      processes: [
        { pid: 10, comm: 'containerd', cmdline: `containerd --config ${agentDir}/containerd/config.toml` },
        { pid: 11, comm: 'containerd-shim', cmdline: `containerd-shim-runc-v2 -address ${agentDir}/containerd/containerd.sock` },
        { pid: 12, comm: 'containerd', cmdline: '/usr/bin/containerd --config /var/lib/t1/agent2/containerd/config.toml' },
        { pid: 13, comm: 'sh', cmdline: 'sh -c something else' },
        { pid: 1000, comm: 'node', cmdline: `node tandem.js down --data-dir ${agentDir}` },
      ],
    }),
  );
  assert.deepEqual(p.steps[0]?.action, { kind: 'kill', pids: [10, 11] });
});

test('mounts below the data dir, deepest first; a sibling dir’s are left', () => {
  const mounts = [
    '/',
    '/var/lib/t1/agent/pods/u/volumes/secret/a',
    '/var/lib/t1/agent/containerd/state/x/rootfs',
    '/var/lib/t10/m',
    '/var/lib/t1',
  ];
  assert.deepEqual(mountsBelow(mounts, '/var/lib/t1/'), [
    '/var/lib/t1/agent/containerd/state/x/rootfs',
    '/var/lib/t1/agent/pods/u/volumes/secret/a',
    '/var/lib/t1',
  ]);
  const p = planLinuxRemoval(facts({ mounts }));
  assert.equal(p.steps[0]?.action.kind, 'unmount');
});

test('mentionsDir needs the whole path', () => {
  assert.ok(mentionsDir('x --root /d/agent/containerd', '/d/agent'));
  assert.ok(mentionsDir('x /d/agent', '/d/agent'));
  assert.ok(!mentionsDir('x /d/agent2/c', '/d/agent'));
});

test('purge refuses roots, the home directory and directories that are not a Tandem data dir', () => {
  assert.match(purgeRefusal('/', ['etc'], '/root') ?? '', /root/);
  assert.match(purgeRefusal('/root', ['.tandem'], '/root') ?? '', /home/);
  assert.match(purgeRefusal('/srv/photos', ['a.jpg'], '/root') ?? '', /does not look like a Tandem data dir/);
  assert.match(purgeRefusal('rel/dir', [], '/root') ?? '', /absolute/);
  assert.equal(purgeRefusal('/srv/t', ['state.db', 'agent', 'kubeconfig'], '/root'), undefined);
  assert.equal(purgeRefusal('/srv/t', [], '/root'), undefined);
  assert.equal(purgeRefusal('/srv/gone', undefined, '/root'), undefined);
});
