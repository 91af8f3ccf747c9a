import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../../api/gen/types.js';
import { defaultService } from '../../api/kinds/core/service.js';
import type { AnyObject } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import { createMemoryBackend } from '../../storage/memory/memory-backend.js';
import { createServiceAllocator, NODE_PORT_PREFIX, SERVICE_IP_PREFIX } from './service-alloc.js';
import { repairServiceAllocations } from './service-alloc-repair.js';

let uids = 0;
function svc(name: string, spec: Service['spec'] = {}): AnyObject {
  const s: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: `uid-${name}-${++uids}` },
    spec: { ports: [{ port: 80 }], ...spec },
  };
  defaultService(s);
  return s as unknown as AnyObject;
}
const spec = (o: AnyObject) => (o as unknown as Service).spec!;
const message = (e: unknown) => (e instanceof StatusError ? `${e.code} ${e.message}` : String(e));

test('dynamic ClusterIPs come from the range, never the kubernetes or kube-dns address; explicit ones are honoured once', async () => {
  const backend = createMemoryBackend();
  const a = createServiceAllocator({ backend, serviceCIDR: '10.96.0.0/27' });
  assert.deepEqual(a.wellKnown, { apiserver: '10.96.0.1', dns: '10.96.0.10' });
  const seen = new Set<string>();
  // /27: 30 usable addresses, 2 reserved for the well-known Services: 28 dynamic ones, then full
  for (let i = 0; i < 28; i++) {
    const s = svc(`s${i}`);
    await a.allocateCreate(s, false);
    const ip = spec(s).clusterIP!;
    assert.deepEqual(spec(s).clusterIPs, [ip]);
    assert.ok(!seen.has(ip), `duplicate ${ip}`);
    seen.add(ip);
  }
  assert.ok(!seen.has('10.96.0.1') && !seen.has('10.96.0.10') && !seen.has('10.96.0.0') && !seen.has('10.96.0.31'));
  await assert.rejects(a.allocateCreate(svc('full'), false), (e) => /500 .*failed to allocate a serviceIP: range is full/.test(message(e)));
  // the reserved addresses are still there for whoever asks by value
  const k = svc('kubernetes', { clusterIP: '10.96.0.1' });
  await a.allocateCreate(k, false);
  assert.deepEqual(spec(k).clusterIPs, ['10.96.0.1']);
  await assert.rejects(a.allocateCreate(svc('again', { clusterIP: '10.96.0.1' }), false), (e) =>
    message(e).includes(
      'Service "again" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.1"]: failed to allocate IP 10.96.0.1: provided IP is already allocated',
    ),
  );
  await backend.close();
});

test('bad requests get upstream messages naming the field', async () => {
  const backend = createMemoryBackend();
  const a = createServiceAllocator({ backend });
  const cases: Array<[Service['spec'], string]> = [
    [
      { clusterIP: '10.0.0.1' },
      'spec.clusterIPs: Invalid value: ["10.0.0.1"]: failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.96.0.0/16',
    ],
    [
      { clusterIP: '10.96.255.255' },
      'failed to allocate IP 10.96.255.255: the provided IP (10.96.255.255) is not in the valid range. The range of valid IPs is 10.96.0.0/16',
    ],
    [
      { type: 'NodePort', ports: [{ port: 80, nodePort: 29999 }] },
      'spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767',
    ],
    [{ ipFamilies: ['IPv6'] }, 'spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster'],
    [
      { ipFamilyPolicy: 'RequireDualStack' },
      'spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
    ],
    [
      { ipFamilies: ['IPv4', 'IPv6'] },
      `spec.ipFamilyPolicy: Invalid value: "SingleStack": must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified`,
    ],
    [{ clusterIP: 'fd00::1' }, 'spec.clusterIPs[0]: Invalid value: "fd00::1": expected an IPv4 value as indicated by `ipFamilies[0]`'],
    [
      { clusterIP: '10.96.0.300' },
      'spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ],
    [
      { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.6'] },
      'spec.clusterIPs: Invalid value: ["10.96.0.6"]: first value must match `clusterIP`',
    ],
  ];
  for (const [s, want] of cases) {
    await assert.rejects(a.allocateCreate(svc('bad', s), false), (e) => {
      assert.ok(e instanceof StatusError && e.code === 422, message(e));
      assert.ok(e.message.includes(want), `${e.message}\n  wanted: ${want}`);
      return true;
    });
  }
  // nothing was left behind by the refused requests
  assert.equal((await backend.list(SERVICE_IP_PREFIX)).kvs.length, 0);
  assert.equal((await backend.list(NODE_PORT_PREFIX)).kvs.length, 0);
  await backend.close();
});

test('node ports: allocated, shared by TCP and UDP of one port, refused when taken; a refused create frees what it took', async () => {
  const backend = createMemoryBackend();
  const a = createServiceAllocator({ backend });
  const web = svc('web', {
    type: 'NodePort',
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'http', port: 80, nodePort: 30080 },
    ],
  });
  await a.allocateCreate(web, false);
  const [udp, tcp, http] = spec(web).ports!;
  assert.equal(udp!.nodePort, tcp!.nodePort);
  assert.equal(http!.nodePort, 30080);
  assert.ok(udp!.nodePort! >= 30000 && udp!.nodePort! <= 32767);
  const clash = svc('clash', {
    type: 'NodePort',
    ports: [
      { name: 'a', port: 81 },
      { name: 'b', port: 82, nodePort: 30080 },
    ],
  });
  await assert.rejects(a.allocateCreate(clash, false), (e) =>
    message(e).includes('spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated'),
  );
  // the cluster IP and the port of ports[0] taken before the refusal are free again
  const held = (await backend.list(NODE_PORT_PREFIX)).kvs.map((kv) => kv.key.slice(NODE_PORT_PREFIX.length)).sort();
  assert.deepEqual(held, [String(udp!.nodePort), '30080'].sort());
  assert.equal((await backend.list(SERVICE_IP_PREFIX)).kvs.length, 1);
  // a dry run takes nothing
  const dry = svc('dry', { type: 'NodePort' });
  await a.allocateCreate(dry, true);
  assert.ok(spec(dry).clusterIP && spec(dry).ports![0]!.nodePort);
  assert.equal((await backend.list(SERVICE_IP_PREFIX)).kvs.length, 1);
  // release frees only the owner's entries
  const impostor = { ...web, metadata: { ...web.metadata, uid: 'someone-else' } } as AnyObject;
  await a.release(impostor);
  assert.equal((await backend.list(NODE_PORT_PREFIX)).kvs.length, 2);
  await a.release(web);
  assert.equal((await backend.list(NODE_PORT_PREFIX)).kvs.length, 0);
  assert.equal((await backend.list(SERVICE_IP_PREFIX)).kvs.length, 0);
  await backend.close();
});

test('type changes: ClusterIP -> NodePort takes ports, NodePort -> ClusterIP leaves them to be freed after the write', async () => {
  const backend = createMemoryBackend();
  const a = createServiceAllocator({ backend });
  const old = svc('web');
  await a.allocateCreate(old, false);
  const next = structuredClone(old);
  spec(next).type = 'NodePort';
  const took = await a.allocateUpdate(next, old, false);
  assert.equal(took.ports.length, 1);
  assert.equal(spec(next).ports![0]!.nodePort, took.ports[0]);
  assert.equal(spec(next).clusterIP, spec(old).clusterIP);
  const back = structuredClone(next);
  spec(back).type = 'ClusterIP';
  delete spec(back).ports![0]!.nodePort;
  assert.deepEqual(await a.allocateUpdate(back, next, false), { ips: [], ports: [] });
  assert.deepEqual(a.holdings(back).ports, []);
  await backend.close();
});

test('two allocators on one store never hand out the same address or port under concurrent creates', async () => {
  const backend = createMemoryBackend();
  // a small range so that random picks collide often: 254 usable, 252 dynamic
  const one = createServiceAllocator({ backend, serviceCIDR: '10.96.0.0/24', nodePortRange: [30000, 30300] });
  const two = createServiceAllocator({ backend, serviceCIDR: '10.96.0.0/24', nodePortRange: [30000, 30300] });
  const services = Array.from({ length: 240 }, (_, i) => svc(`c${i}`, { type: 'NodePort' }));
  await Promise.all(services.map((s, i) => (i % 2 ? one : two).allocateCreate(s, false)));
  const ips = services.map((s) => spec(s).clusterIP!);
  const ports = services.map((s) => spec(s).ports![0]!.nodePort!);
  assert.equal(new Set(ips).size, 240);
  assert.equal(new Set(ports).size, 240);
  assert.equal((await backend.list(SERVICE_IP_PREFIX)).kvs.length, 240);
  // the last 12 dynamic addresses, then the range is full for both
  const rest = Array.from({ length: 14 }, (_, i) => svc(`r${i}`));
  const results = await Promise.allSettled(rest.map((s, i) => (i % 2 ? one : two).allocateCreate(s, false)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 12);
  assert.equal(new Set([...ips, ...rest.map((s) => spec(s).clusterIP).filter((x) => x)]).size, 252);
  await backend.close();
});

test('a new allocator over the same store (a restart) sees what the old one handed out', async () => {
  const backend = createMemoryBackend();
  const before = createServiceAllocator({ backend });
  const s = svc('kept', { type: 'NodePort', clusterIP: '10.96.3.3', ports: [{ port: 80, nodePort: 31000 }] });
  await before.allocateCreate(s, false);
  const after = createServiceAllocator({ backend });
  await assert.rejects(after.allocateCreate(svc('x', { clusterIP: '10.96.3.3' }), false), (e) =>
    message(e).includes('provided IP is already allocated'),
  );
  await assert.rejects(after.allocateCreate(svc('y', { type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] }), false), (e) =>
    message(e).includes('provided port is already allocated'),
  );
  await backend.close();
});

test('repair frees entries no Service holds and records Services whose entries are missing', async () => {
  const backend = createMemoryBackend();
  const a = createServiceAllocator({ backend });
  const prefix = '/registry/services/specs/';
  const store = async (o: AnyObject) => backend.create(`${prefix}default/${o.metadata.name}`, JSON.stringify(o));
  // a Service stored without entries (written before allocation was store-backed)
  const legacy = svc('legacy', {
    type: 'NodePort',
    clusterIP: '10.96.7.7',
    clusterIPs: ['10.96.7.7'],
    ports: [{ port: 80, nodePort: 30123 }],
  });
  await store(legacy);
  // a Service whose create failed after allocation on a crashed server: entries, no Service
  // (addresses and ports given: random ones could take the legacy Service's, which then has nothing to record)
  const ghost = svc('ghost', {
    type: 'NodePort',
    clusterIP: '10.96.8.8',
    clusterIPs: ['10.96.8.8'],
    ports: [{ port: 80, nodePort: 30200 }],
  });
  await a.allocateCreate(ghost, false);
  // a live one
  const live = svc('live', { clusterIP: '10.96.9.9', clusterIPs: ['10.96.9.9'] });
  await a.allocateCreate(live, false);
  await store(live);
  // young orphans are left alone (another server may be storing that Service right now)
  const young = await repairServiceAllocations({ backend, allocator: a, servicePrefix: prefix });
  assert.equal(young.freed, 0);
  assert.equal(young.recorded, 2);
  const r = await repairServiceAllocations({ backend, allocator: a, servicePrefix: prefix, graceMs: 0 });
  assert.equal(r.freed, 2);
  assert.deepEqual(r.problems, []);
  const ips = (await backend.list(SERVICE_IP_PREFIX)).kvs.map((kv) => kv.key.slice(SERVICE_IP_PREFIX.length)).sort();
  assert.deepEqual(ips, ['10.96.7.7', spec(live).clusterIP!].sort());
  assert.deepEqual(
    (await backend.list(NODE_PORT_PREFIX)).kvs.map((kv) => kv.key.slice(NODE_PORT_PREFIX.length)),
    ['30123'],
  );
  await assert.rejects(a.allocateCreate(svc('late', { clusterIP: '10.96.7.7' }), false), (e) => message(e).includes('already allocated'));
  await backend.close();
});
