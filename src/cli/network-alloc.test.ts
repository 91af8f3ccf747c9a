// Service allocation and node pod ranges through a real `tandem server` (in process, memory store):
// the bootstrap Services on their well-known addresses, bad requests answered 422 naming the field,
// ports freed by a type change and by a delete, and the nodeipam controller's podCIDRs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Service } from '../api/gen/types.js';
import { nodeKind } from '../api/kinds/core/node.js';
import { serviceKind } from '../api/kinds/core/service.js';
import { coreEventKind } from '../api/kinds/core/event.js';
import { nullLogger } from '../base/log.js';
import { StatusError } from '../base/errors.js';
import { runServer } from './server-command.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'tandem-net-'));

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('Services through the API server: well-known addresses, 422s naming the field, ports freed by type change and delete', async (t) => {
  const dir = tmp();
  const srv = await runServer({
    dataDir: dir,
    listen: '127.0.0.1:0',
    store: 'memory',
    log: nullLogger,
    controllers: [],
    serviceCidr: '10.100.0.0/16',
  });
  t.after(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const kubernetes = await srv.client.resource(serviceKind).namespace('default').get('kubernetes');
  assert.deepEqual(kubernetes.spec?.clusterIPs, ['10.100.0.1']);
  const dns = await srv.client.resource(serviceKind).namespace('kube-system').get('kube-dns');
  assert.equal(dns.spec?.clusterIP, '10.100.0.10');
  assert.deepEqual(dns.spec?.selector, { 'k8s-app': 'kube-dns' });
  assert.deepEqual(
    dns.spec?.ports?.map((p) => `${p.name}:${p.port}/${p.protocol}`),
    ['dns:53/UDP', 'dns-tcp:53/TCP', 'metrics:9153/TCP'],
  );
  assert.deepEqual([dns.spec?.ipFamilies, dns.spec?.ipFamilyPolicy], [['IPv4'], 'SingleStack']);

  const services = srv.client.resource(serviceKind).namespace('default');
  const mk = (name: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
  const refused = async (s: Service, field: string, text: string) => {
    await assert.rejects(services.create(s), (e) => {
      assert.ok(e instanceof StatusError, String(e));
      assert.equal(e.code, 422, e.message);
      assert.ok(e.message.includes(text), `${e.message}\n  wanted: ${text}`);
      assert.ok(
        e.details?.causes?.some((c) => c.field === field),
        JSON.stringify(e.details),
      );
      return true;
    });
  };
  await refused(
    mk('out', { clusterIP: '10.0.0.1', ports: [{ port: 80 }] }),
    'spec.clusterIPs',
    'failed to allocate IP 10.0.0.1: the provided IP (10.0.0.1) is not in the valid range. The range of valid IPs is 10.100.0.0/16',
  );
  await refused(mk('v6', { ipFamilies: ['IPv6'], ports: [{ port: 80 }] }), 'spec.ipFamilies[0]', 'not configured on this cluster');
  await refused(
    mk('dual', { ipFamilyPolicy: 'RequireDualStack', ports: [{ port: 80 }] }),
    'spec.ipFamilyPolicy',
    'this cluster is not configured for dual-stack services',
  );
  await refused(
    mk('low', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }),
    'spec.ports[0].nodePort',
    'provided port is not in the valid range. The range of valid ports is 30000-32767',
  );

  const web = await services.create(mk('web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
  assert.equal(web.spec?.ports?.[0]?.nodePort, 30080);
  await refused(
    mk('clash', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
    'spec.ports[0].nodePort',
    'provided port is already allocated',
  );
  await refused(
    mk('dup', { clusterIP: web.spec?.clusterIP, ports: [{ port: 80 }] }),
    'spec.clusterIPs',
    'provided IP is already allocated',
  );
  // a name that exists: the create fails after allocation, and what it took is free again
  await assert.rejects(
    services.create(mk('web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] })),
    (e) => e instanceof StatusError && e.code === 409,
  );
  await services.create(mk('takes-30081', { type: 'NodePort', ports: [{ port: 80, nodePort: 30081 }] }));

  // the ClusterIP is immutable; an update that leaves it out keeps it
  await assert.rejects(
    services.patch('web', { spec: { clusterIP: '10.100.9.9', clusterIPs: ['10.100.9.9'] } }),
    (e) =>
      e instanceof StatusError && e.code === 422 && e.message.includes('spec.clusterIP: Invalid value: "10.100.9.9": field is immutable'),
  );
  // NodePort -> ClusterIP releases the port (another Service can take it), ClusterIP -> NodePort takes one
  const cip = await services.patch('web', { spec: { type: 'ClusterIP' } });
  assert.equal(cip.spec?.clusterIP, web.spec?.clusterIP);
  assert.equal(cip.spec?.ports?.[0]?.nodePort, undefined);
  await services.create(mk('takes-30080', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
  const np = await services.patch('web', { spec: { type: 'NodePort' } });
  const port = np.spec?.ports?.[0]?.nodePort ?? 0;
  assert.ok(port >= 30000 && port <= 32767 && port !== 30080 && port !== 30081, String(port));
  // delete frees both the address and the port
  await services.delete('web');
  const again = await services.create(
    mk('web2', { type: 'NodePort', clusterIP: web.spec?.clusterIP, ports: [{ port: 80, nodePort: port }] }),
  );
  assert.equal(again.spec?.clusterIP, web.spec?.clusterIP);
});

test('the nodeipam controller gives Nodes without a podCIDR the next /24, keeps given ones, frees on delete, reports exhaustion', async (t) => {
  const dir = tmp();
  const srv = await runServer({
    dataDir: dir,
    listen: '127.0.0.1:0',
    store: 'memory',
    log: nullLogger,
    controllers: ['nodeipam'],
    clusterCidr: '10.50.0.0/23',
    nodeCidrMaskSize: 24,
  });
  t.after(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const nodes = srv.client.resource(nodeKind);
  const mk = (name: string, podCIDR?: string): Node => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
  });
  await nodes.create(mk('manual', '10.50.0.0/24'));
  await srv.controllers.ready();
  await nodes.create(mk('auto'));
  const auto = await until('auto podCIDR', async () => {
    const n = await nodes.get('auto');
    return n.spec?.podCIDR ? n : undefined;
  });
  assert.deepEqual([auto.spec?.podCIDR, auto.spec?.podCIDRs], ['10.50.1.0/24', ['10.50.1.0/24']]);
  assert.equal((await nodes.get('manual')).spec?.podCIDR, '10.50.0.0/24');
  // the range (two /24s) is exhausted: an event on the Node
  await nodes.create(mk('late'));
  const ev = await until('CIDRNotAvailable event', async () => {
    const list = await srv.client.resource(coreEventKind).namespace('default').list();
    return list.items.find((e) => e.reason === 'CIDRNotAvailable' && e.involvedObject.name === 'late');
  });
  assert.equal(ev.message, 'Node late status is now: CIDRNotAvailable');
  // a deleted Node's block goes to the waiting one
  await nodes.delete('auto');
  const late = await until('late podCIDR', async () => (await nodes.get('late')).spec?.podCIDR, 15_000);
  assert.equal(late, '10.50.1.0/24');
});
