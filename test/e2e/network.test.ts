// E2E (issue 12, networking): Services and cluster DNS as pods see them, on `tandem up` with a real,
// private containerd, the node's service proxy and the control plane's DNS server, driven by the real
// kubectl. From a busybox pod: Service names resolve through 10.96.0.10 (full names and the search
// path), TCP reaches a Deployment through its ClusterIP, UDP through its ClusterIP, a pod reaches
// itself through its own Service (hairpin); from the host: a NodePort on 127.0.0.1 and on the node's
// IP. A headless Service resolves to the ready pod IPs; a pod that turns unready leaves the rotation
// and comes back; sessionAffinity ClientIP keeps a client on one backend. Stopping `tandem up` leaves
// no nftables table behind, a restart programs the rules again, and after a SIGKILL the node teardown
// removes what the proxy left. Needs what node.test.ts needs (root, containerd, runc, CNI plugins,
// iproute2); the UDP check also needs gcc with a static libc for its helper.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { hostResourceNames } from '../../src/agent/platform/linux/index.js';
import { at, collect } from './kubectl-support.js';
import { createNodeSession, isRunning, items, nodeE2eSkip, show, sleep, until, type Obj } from './node-session.js';
import { pushUdpEchoImage } from '../images/index.js';
import { TANDEM } from './harness.js';

const NS = 'net-e2e';
const NFT = 'nft';
const ses = createNodeSession(NS);
let udpImage: string | undefined;

const podsOf = (app: string): Obj[] => items(ses.getJson(['get', 'pods', '-l', `app=${app}`]));
const nameOf = (o: Obj) => String(at(o, 'metadata', 'name'));
const ipOf = (o: Obj) => String(at(o, 'status', 'podIP'));
const clusterIP = (svc: string) => String(at(ses.getJson(['get', 'service', svc]), 'spec', 'clusterIP'));
/** `nft list table` of the proxy's table: status 0 while it exists. */
// the proxy's table is named after the node's data dir (tandem-proxy-<hash>, as the bridge tdm<hash>); set once started
let proxyTable = '';
const nftTable = () => spawnSync(NFT, ['list', 'table', 'ip', proxyTable], { encoding: 'utf8' });
const isReady = (p: Obj) =>
  ((at(p, 'status', 'conditions') as Obj[] | undefined) ?? []).some((c) => c['type'] === 'Ready' && c['status'] === 'True');

/** Runs a command in the client pod; the result whatever its exit code. */
const inClient = (cmd: string[], timeoutMs = 20_000) => ses.k(['exec', '-n', NS, 'client', '--', ...cmd], { timeoutMs });
/** The body of an HTTP GET from the client pod (busybox wget), or undefined when it failed. */
const wgetFromClient = (url: string): string | undefined => {
  const r = inClient(['timeout', '5', 'wget', '-qO-', url]);
  return r.code === 0 ? r.stdout.trim() : undefined;
};
/** The A records busybox nslookup prints for `name` (after the "Name:" line), or undefined when it failed. */
function lookup(name: string): string[] | undefined {
  const r = inClient(['nslookup', '-type=a', name]);
  if (r.code !== 0) return undefined;
  const answer = r.stdout
    .split(/^Name:/m)
    .slice(1)
    .join('\n');
  return [...answer.matchAll(/^Address: *([\d.]+)$/gm)].map((m) => m[1]!).sort();
}

function manifests(busybox: string, udp: string | undefined): Obj[] {
  const svc = (name: string, spec: Obj): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec });
  const http = [{ name: 'http', port: 80, targetPort: 8080 }];
  const out: Obj[] = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: NS },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            terminationGracePeriodSeconds: 2,
            containers: [
              {
                name: 'web',
                image: busybox,
                command: [
                  'sh',
                  '-c',
                  'mkdir -p /tmp/www && echo "$HOSTNAME" > /tmp/www/index.html && touch /tmp/ready && exec httpd -f -p 8080 -h /tmp/www',
                ],
                ports: [{ containerPort: 8080 }],
                readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 },
              },
            ],
          },
        },
      },
    },
    svc('web', { selector: { app: 'web' }, ports: http }),
    svc('web-np', { type: 'NodePort', selector: { app: 'web' }, ports: http }),
    svc('web-headless', { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 8080 }] }),
    svc('web-sticky', { selector: { app: 'web' }, sessionAffinity: 'ClientIP', ports: http }),
    // the client serves a page of its own, reached through its own Service: hairpin
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', namespace: NS, labels: { app: 'client' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'client',
            image: udp ?? busybox,
            command: ['sh', '-c', 'mkdir -p /tmp/www && echo self > /tmp/www/index.html && httpd -p 8080 -h /tmp/www && exec sleep 3600'],
          },
        ],
      },
    },
    svc('self', { selector: { app: 'client' }, ports: http }),
  ];
  if (udp) {
    out.push(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'echo', namespace: NS },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'echo' } },
          template: {
            metadata: { labels: { app: 'echo' } },
            spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'echo', image: udp, command: ['udp-echo', 'serve', '9000'] }] },
          },
        },
      },
      svc('echo', { selector: { app: 'echo' }, ports: [{ name: 'echo', protocol: 'UDP', port: 5300, targetPort: 9000 }] }),
    );
  }
  return out;
}

/** Hostnames answering `n` requests from the client pod to `url` (each request a new connection). */
function hostnamesFrom(url: string, n: number): string[] {
  const r = inClient(['sh', '-c', `i=0; while [ $i -lt ${n} ]; do timeout 5 wget -qO- ${url} || echo FAILED; i=$((i+1)); done`], 60_000);
  assert.equal(r.code, 0, show(r));
  return r.stdout.trim().split('\n');
}

describe('network: Services and cluster DNS on a real node', { skip: nodeE2eSkip() }, () => {
  before(async () => {
    await ses.start();
    proxyTable = hostResourceNames(join(ses.srv().dataDir, 'agent')).proxyTable;
    udpImage = await pushUdpEchoImage(ses.images().registry);
    ses.apply(manifests(ses.images().images.busybox, udpImage));
    await until(
      'web pods ready and the client running',
      () => {
        const web = podsOf('web');
        return web.length === 2 && web.every((p) => isRunning(p) && isReady(p)) && isRunning(ses.pod('client'));
      },
      90_000,
    );
  });

  after(async () => {
    await ses.stop();
    // the node's proxy removed its table on the way out (and teardownNode after a crash)
    const nft = nftTable();
    assert.notEqual(nft.status, 0, `the tandem-proxy table is still there:\n${nft.stdout}`);
    const link = spawnSync('ip', ['link', 'show', 'tandem-svc0'], { encoding: 'utf8' });
    assert.notEqual(link.status, 0, 'the userspace proxy link tandem-svc0 is still there');
  });

  test('pods get the cluster resolver and Service names resolve to ClusterIPs', async () => {
    const resolv = inClient(['cat', '/etc/resolv.conf']).stdout;
    assert.match(resolv, /^nameserver 10\.96\.0\.10$/m, resolv);
    assert.match(resolv, new RegExp(`^search ${NS}\\.svc\\.cluster\\.local svc\\.cluster\\.local cluster\\.local`, 'm'), resolv);
    const ip = clusterIP('web');
    assert.match(ip, /^10\.96\.\d+\.\d+$/);
    const got = await until('web to resolve', () => lookup(`web.${NS}.svc.cluster.local`), 30_000, 500);
    assert.deepEqual(got, [ip]);
    const api = ses.ok(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.spec.clusterIP}']).stdout.trim();
    assert.deepEqual(lookup('kubernetes.default.svc.cluster.local'), [api]);
  });

  test('a Deployment answers through its ClusterIP and through its short name', async () => {
    const names = podsOf('web').map(nameOf).sort();
    const ip = clusterIP('web');
    const body = await until('web through its ClusterIP', () => wgetFromClient(`http://${ip}:80/`), 30_000, 500);
    assert.ok(names.includes(body), `${body} is one of ${names.join(', ')}`);
    const viaName = await until('web through the search path', () => wgetFromClient('http://web/'), 30_000, 500);
    assert.ok(names.includes(viaName), `${viaName} is one of ${names.join(', ')}`);
    // new connections spread over both endpoints
    const seen = new Set(hostnamesFrom(`http://${ip}/`, 20));
    assert.deepEqual([...seen].sort(), names);
  });

  test('a UDP Service echoes through its ClusterIP', async (t) => {
    if (!udpImage) {
      t.skip('gcc cannot build the static udp-echo helper here');
      return;
    }
    await until('the echo pod running', () => podsOf('echo').some(isRunning), 60_000);
    const echoPod = nameOf(podsOf('echo')[0]!);
    const ip = clusterIP('echo');
    const reply = await until(
      'a UDP reply through the ClusterIP',
      () => {
        const r = inClient(['udp-echo', 'send', ip, '5300', 'ping', '2']);
        return r.code === 0 ? r.stdout.trim() : undefined;
      },
      30_000,
      500,
    );
    assert.equal(reply, `${echoPod} ping`);
  });

  test('a NodePort answers on 127.0.0.1 and on the node IP from the host', async () => {
    const port = Number(at(ses.getJson(['get', 'service', 'web-np']), 'spec', 'ports', 0, 'nodePort'));
    assert.ok(port >= 30000 && port <= 32767, `nodePort ${port}`);
    const node = items(JSON.parse(ses.ok(['get', 'nodes', '-o', 'json']).stdout) as Obj)[0]!;
    const nodeIP = ((at(node, 'status', 'addresses') as Obj[] | undefined) ?? []).find((a) => a['type'] === 'InternalIP')?.['address'];
    assert.ok(typeof nodeIP === 'string', 'the node has an InternalIP');
    const names = podsOf('web').map(nameOf);
    for (const host of ['127.0.0.1', nodeIP]) {
      let body: string | undefined;
      for (const end = Date.now() + 30_000; body === undefined;) {
        const res = await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(3000) }).catch(() => undefined);
        if (res?.status === 200) body = (await res.text()).trim();
        else if (Date.now() > end) assert.fail(`the NodePort on ${host}:${port} did not answer: ${String(res?.status)}`);
        else await sleep(500);
      }
      assert.ok(names.includes(body), `${body} from ${host}:${port}`);
    }
  });

  test('kubectl port-forward svc/NAME reaches a pod behind the Service', async () => {
    // kubectl picks a pod from the Service's selector and maps the Service port to its target port
    const pf = collect(ses.srv().kubectlAsync(['port-forward', '-n', NS, 'svc/web', ':80']));
    try {
      const local = await until(
        'port-forward to listen',
        () => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(pf.out())?.[1],
        20_000,
        100,
      );
      const res = await fetch(`http://127.0.0.1:${local}/`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(res.status, 200);
      const body = (await res.text()).trim();
      assert.ok(podsOf('web').map(nameOf).includes(body), `${body} is a web pod`);
    } finally {
      await pf.stop();
    }
  });

  test('a headless Service resolves to the ready pod IPs', async () => {
    const ips = podsOf('web').map(ipOf).sort();
    const got = await until('web-headless to resolve', () => lookup(`web-headless.${NS}.svc.cluster.local`), 30_000, 500);
    assert.deepEqual(got, ips);
  });

  test('a pod that turns unready leaves the rotation and comes back', async () => {
    const [gone, stays] = podsOf('web').sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
    const ip = clusterIP('web');
    ses.ok(['exec', '-n', NS, nameOf(gone!), '--', 'rm', '/tmp/ready']);
    await until('the pod to turn unready', () => !isReady(ses.pod(nameOf(gone!))), 30_000);
    await until(
      'the headless name to drop it',
      () => JSON.stringify(lookup(`web-headless.${NS}.svc.cluster.local`)) === JSON.stringify([ipOf(stays!)]),
      30_000,
      500,
    );
    // the proxy may take a moment after the EndpointSlice: wait for one round of only the ready pod
    await until('only the ready pod to answer', () => new Set(hostnamesFrom(`http://${ip}/`, 6)).size === 1, 30_000, 500);
    assert.deepEqual([...new Set(hostnamesFrom(`http://${ip}/`, 12))], [nameOf(stays!)]);
    ses.ok(['exec', '-n', NS, nameOf(gone!), '--', 'touch', '/tmp/ready']);
    await until('the pod to be ready again', () => isReady(ses.pod(nameOf(gone!))), 30_000);
    await until('both pods to answer again', () => new Set(hostnamesFrom(`http://${ip}/`, 12)).size === 2, 30_000, 500);
    assert.deepEqual(
      await until('both IPs in DNS again', () => lookup(`web-headless.${NS}.svc.cluster.local`), 10_000),
      [ipOf(gone!), ipOf(stays!)].sort(),
    );
  });

  test('sessionAffinity ClientIP keeps one client on one backend', async () => {
    const ip = clusterIP('web-sticky');
    await until('web-sticky to answer', () => wgetFromClient(`http://${ip}/`), 30_000, 500);
    const hosts = hostnamesFrom(`http://${ip}/`, 12);
    assert.equal(new Set(hosts).size, 1, `one backend for one client: ${hosts.join(', ')}`);
    assert.ok(podsOf('web').map(nameOf).includes(hosts[0]!));
  });

  test('a pod reaches itself through its own Service (hairpin)', async () => {
    const ip = clusterIP('self');
    assert.equal(await until('the client through its own Service', () => wgetFromClient(`http://${ip}/`), 30_000, 500), 'self');
    assert.equal(wgetFromClient('http://self/'), 'self');
  });

  test('tandem doctor on this healthy node is all green (and says so in JSON)', () => {
    const r = spawnSync(process.execPath, [TANDEM, 'doctor', '--data-dir', ses.srv().dataDir, '-o', 'json'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const report = JSON.parse(r.stdout) as { healthy: boolean; checks: Array<{ id: string; verdict: string; detail: string }> };
    const failed = report.checks.filter((c) => c.verdict === 'fail' || c.verdict === 'warn');
    assert.deepEqual(failed, [], r.stdout);
    assert.equal(r.status, 0, r.stderr);
    const ran = new Set(report.checks.filter((c) => c.verdict === 'ok').map((c) => c.id));
    for (const id of [
      'files.data-dir',
      'files.modes',
      'certs.expiry',
      'api.reachable',
      'api.credentials',
      'node.runtime',
      'node.cni',
      'node.bridge',
      'node.service-proxy',
      'node.dns',
    ])
      assert.ok(ran.has(id), `${id} ran and passed: ${r.stdout}`);
  });

  test('a stopped node removes its rules; started again, it programs them afresh', async () => {
    const ip = clusterIP('web');
    await ses.restart(async () => {
      assert.notEqual(nftTable().status, 0, 'SIGTERM removed the tandem-proxy table');
    });
    const names = podsOf('web').map(nameOf);
    const body = await until('web through its ClusterIP after the restart', () => wgetFromClient(`http://${ip}/`), 30_000, 500);
    assert.ok(names.includes(body), body);
    assert.deepEqual(await until('DNS after the restart', () => lookup(`web.${NS}.svc.cluster.local`), 30_000, 500), [ip]);
  });

  test('a killed node leaves its table for the teardown to remove', async () => {
    await ses.srv().kill();
    rmSync(ses.srv().home, { recursive: true, force: true }); // stop() would have; the data dir goes in ses.stop()
    assert.equal(nftTable().status, 0, 'SIGKILL left the table');
    // ses.stop() in after() runs teardownNode, which must remove it (asserted there)
  });
});
