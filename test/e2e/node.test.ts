// E2E (issue 4): the real kubectl against `tandem up` running pods on a real, private containerd:
// a Deployment with pod IPs the host reaches, localhost between containers, exec, logs, port-forward,
// top, ConfigMap and Secret delivery, and an agent restart that adopts the running pods. Busybox images
// are built by the project and pulled from a local registry. Needs root, containerd, runc, the CNI
// plugins and iproute2; skipped with a message otherwise. Life-cycle behaviours (restarts, probes,
// OOM, termination) are in node-lifecycle.test.ts.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { at, collect, rowWhere } from './kubectl-support.js';
import { shimPids } from './node-support.js';
import { createNodeSession, isRunning, items, nodeE2eSkip, show, sleep, until, type Obj } from './node-session.js';

const NS = 'node-e2e';
const ses = createNodeSession(NS);

const webPods = (): Obj[] => items(ses.getJson(['get', 'pods', '-l', 'app=web']));

function manifests(image: string): Obj[] {
  const c = (name: string, script: string, extra: Obj = {}): Obj => ({ name, image, command: ['sh', '-c', script], ...extra });
  const podOf = (name: string, spec: Obj, labels: Record<string, string> = {}): Obj => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { test: name, ...labels } },
    spec,
  });
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: NS },
      data: { greeting: 'hello-from-configmap', 'app.conf': 'mode=e2e\n' },
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: NS }, stringData: { password: 's3cr3t-value' } },
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
              c('web', 'mkdir -p /tmp/www && echo "hello from $HOSTNAME" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www', {
                ports: [{ containerPort: 8080 }],
              }),
              c('client', 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.5; done'),
            ],
          },
        },
      },
    },
    // CPU and memory for kubectl top: about 10 MB held in a shell variable and a light busy loop
    podOf('busy', {
      terminationGracePeriodSeconds: 1,
      containers: [
        c(
          'busy',
          'x=$(head -c 10000000 /dev/zero | tr "\\0" a); while true; do i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; sleep 0.3; done',
        ),
      ],
    }),
    podOf('cfgpod', {
      terminationGracePeriodSeconds: 1,
      containers: [
        c('app', 'sleep 3600', {
          env: [
            { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
          ],
          envFrom: [{ prefix: 'CM_', configMapRef: { name: 'cfg' } }],
          volumeMounts: [
            { name: 'cfg', mountPath: '/etc/cfg' },
            { name: 'sec', mountPath: '/etc/sec', readOnly: true },
          ],
        }),
      ],
      volumes: [
        { name: 'cfg', configMap: { name: 'cfg' } },
        { name: 'sec', secret: { secretName: 'sec' } },
      ],
    }),
  ];
}

describe('node: pods on real containerd through kubectl', { skip: nodeE2eSkip() }, () => {
  before(async () => {
    await ses.start();
    ses.apply(manifests(ses.images().images.busybox));
  });

  after(async () => {
    await ses.stop();
  });

  test('a Deployment of busybox httpd pods runs with pod IPs the host reaches', async () => {
    const pods = await until(
      '2 web pods Running',
      () => {
        const ps = webPods();
        return ps.length === 2 && ps.every(isRunning) && ps.every((p) => typeof at(p, 'status', 'podIP') === 'string') ? ps : undefined;
      },
      60_000,
    );
    const ips = pods.map((p) => String(at(p, 'status', 'podIP')));
    assert.equal(new Set(ips).size, 2, `distinct pod IPs: ${ips.join(', ')}`);
    const prefix = ses.podCidr.split('.').slice(0, 3).join('.');
    for (const p of pods) {
      const ip = String(at(p, 'status', 'podIP'));
      assert.ok(ip.startsWith(`${prefix}.`), `pod IP ${ip} in ${ses.podCidr}`);
      assert.deepEqual(at(p, 'status', 'podIPs'), [{ ip }]);
      assert.equal(at(p, 'status', 'qosClass'), 'BestEffort');
      assert.ok(String(at(p, 'status', 'hostIP')).length > 0);
      const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(5000) });
      assert.equal(res.status, 200);
      assert.equal((await res.text()).trim(), `hello from ${String(at(p, 'metadata', 'name'))}`);
    }
    const node = JSON.parse(ses.ok(['get', 'nodes', '-o', 'json']).stdout) as Obj;
    const n = items(node)[0];
    assert.match(String(at(n, 'status', 'nodeInfo', 'containerRuntimeVersion')), /^containerd:\/\//);
    assert.equal(at(n, 'spec', 'podCIDR'), ses.podCidr);
  });

  test('two containers of one pod talk over localhost', () => {
    const p = webPods()[0]!;
    const name = String(at(p, 'metadata', 'name'));
    const r = ses.ok(['exec', '-n', NS, name, '-c', 'client', '--', 'wget', '-qO-', 'http://127.0.0.1:8080/']);
    assert.equal(r.stdout.trim(), `hello from ${name}`);
  });

  test('kubectl exec passes output and exit codes back', () => {
    const name = String(at(webPods()[0], 'metadata', 'name'));
    const r = ses.ok(['exec', '-n', NS, name, '-c', 'web', '--', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /err/);
    const fail = ses.k(['exec', '-n', NS, name, '-c', 'web', '--', 'sh', '-c', 'exit 3']);
    assert.equal(fail.code, 3, show(fail));
    // stdin reaches the command and so does its end (cat exits on EOF), also beyond SPDY's 64 KiB window
    const stdin = ses.k(['exec', '-i', '-n', NS, name, '-c', 'web', '--', 'cat'], { input: 'piped-in\nsecond\n', timeoutMs: 20_000 });
    assert.equal(stdin.code, 0, show(stdin));
    assert.equal(stdin.stdout, 'piped-in\nsecond\n');
    const big = randomBytes(1_500_000).toString('base64');
    const counted = ses.k(['exec', '-i', '-n', NS, name, '-c', 'web', '--', 'sh', '-c', 'wc -c; exit 5'], {
      input: big,
      timeoutMs: 30_000,
    });
    assert.equal(counted.code, 5, show(counted));
    assert.equal(counted.stdout.trim(), String(big.length));
    const missing = ses.k(['exec', '-n', NS, name, '-c', 'web', '--', '/no/such/binary']);
    assert.notEqual(missing.code, 0);
  });

  test('kubectl logs: --tail, --timestamps, --since, -f', async () => {
    const name = String(at(webPods()[0], 'metadata', 'name'));
    await until(
      'a few log lines',
      () => (ses.k(['logs', '-n', NS, name, '-c', 'client']).stdout.match(/tick/g)?.length ?? 0) >= 10,
      15_000,
    );
    const tail = ses.ok(['logs', '-n', NS, name, '-c', 'client', '--tail', '2']).stdout.trim().split('\n');
    assert.equal(tail.length, 2);
    for (const l of tail) assert.match(l, /^tick \d+$/);
    const ts = ses.ok(['logs', '-n', NS, name, '-c', 'client', '--tail', '3', '--timestamps']).stdout.trim().split('\n');
    assert.equal(ts.length, 3);
    for (const l of ts) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z tick \d+$/);
    const all = ses.ok(['logs', '-n', NS, name, '-c', 'client']).stdout.trim().split('\n').length;
    const since = ses.ok(['logs', '-n', NS, name, '-c', 'client', '--since=2s']).stdout.trim().split('\n').filter(Boolean);
    assert.ok(since.length >= 1 && since.length <= 6 && since.length < all, `--since=2s: ${since.length} of ${all} lines`);
    const follow = collect(ses.srv().kubectlAsync(['logs', '-f', '-n', NS, name, '-c', 'client', '--tail', '1']));
    await sleep(2500);
    assert.equal(follow.err(), '');
    await follow.stop();
    const nums = follow
      .out()
      .trim()
      .split('\n')
      .map((l) => Number(/^tick (\d+)$/.exec(l)?.[1] ?? Number.NaN));
    assert.ok(nums.length >= 3, `-f streamed new lines: ${follow.out()}`);
    for (let i = 1; i < nums.length; i++) assert.equal(nums[i], nums[i - 1]! + 1, `consecutive ticks: ${follow.out()}`);
  });

  test('kubectl port-forward carries a request', async () => {
    const name = String(at(webPods()[0], 'metadata', 'name'));
    const pf = collect(ses.srv().kubectlAsync(['port-forward', '-n', NS, `pod/${name}`, ':8080']));
    try {
      const port = await until(
        'port-forward to listen',
        () => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(pf.out())?.[1],
        15_000,
        100,
      );
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) });
        assert.equal(res.status, 200);
        assert.equal((await res.text()).trim(), `hello from ${name}`);
      }
      // a body well beyond SPDY's initial 64 KiB window arrives whole and unchanged
      ses.ok(['exec', '-n', NS, name, '-c', 'web', '--', 'sh', '-c', 'head -c 2000000 /dev/urandom > /tmp/www/big']);
      const ip = String(at(ses.pod(name), 'status', 'podIP'));
      const direct = Buffer.from(await (await fetch(`http://${ip}:8080/big`, { signal: AbortSignal.timeout(10_000) })).arrayBuffer());
      const forwarded = Buffer.from(
        await (await fetch(`http://127.0.0.1:${port}/big`, { signal: AbortSignal.timeout(20_000) })).arrayBuffer(),
      );
      assert.equal(direct.length, 2_000_000);
      assert.equal(forwarded.length, direct.length);
      assert.ok(forwarded.equals(direct), "the forwarded body equals the pod's file");
    } finally {
      await pf.stop();
    }
  });

  test('kubectl top pods and top nodes show non-zero figures', async () => {
    await until('busy Running', () => isRunning(ses.pod('busy')), 30_000);
    const figures = await until(
      'non-zero top figures for pod busy',
      () => {
        const r = ses.k(['top', 'pods', '-n', NS]);
        const row = r.code === 0 ? rowWhere(r.stdout, 0, 'busy') : undefined;
        if (!row) return undefined;
        const cpu = Number(/^(\d+)m$/.exec(row[1] ?? '')?.[1] ?? 0);
        const mem = Number(/^(\d+)Mi$/.exec(row[2] ?? '')?.[1] ?? 0);
        return cpu > 0 && mem >= 5 ? { cpu, mem } : undefined;
      },
      40_000,
      1000,
    );
    assert.ok(figures.mem < 64, `busy holds about 10 MB, top says ${figures.mem}Mi`);
    const nodes = ses.ok(['top', 'nodes']).stdout;
    const row = nodes.trim().split('\n')[1]?.trim().split(/\s+/) ?? [];
    assert.match(row[1] ?? '', /^[1-9]\d*m$/, nodes);
    assert.match(row[3] ?? '', /^[1-9]\d*Mi$/, nodes);
    const containers = ses.ok(['top', 'pods', '-n', NS, '--containers']).stdout;
    assert.ok(rowWhere(containers, 1, 'client'), `per-container rows: ${containers}`);
  });

  test('ConfigMap and Secret arrive as env and as files', async () => {
    await until('cfgpod Running', () => isRunning(ses.pod('cfgpod')), 30_000);
    const env = ses.ok(['exec', '-n', NS, 'cfgpod', '--', 'env']).stdout;
    assert.match(env, /^GREETING=hello-from-configmap$/m);
    assert.match(env, /^PASSWORD=s3cr3t-value$/m);
    assert.match(env, /^CM_greeting=hello-from-configmap$/m);
    assert.equal(ses.ok(['exec', '-n', NS, 'cfgpod', '--', 'cat', '/etc/cfg/greeting']).stdout, 'hello-from-configmap');
    assert.equal(ses.ok(['exec', '-n', NS, 'cfgpod', '--', 'cat', '/etc/cfg/app.conf']).stdout, 'mode=e2e\n');
    assert.equal(ses.ok(['exec', '-n', NS, 'cfgpod', '--', 'cat', '/etc/sec/password']).stdout, 's3cr3t-value');
    const ro = ses.k(['exec', '-n', NS, 'cfgpod', '--', 'sh', '-c', 'echo x > /etc/sec/other']);
    assert.notEqual(ro.code, 0, 'the secret volume is read-only');
  });

  test('restarting the agent leaves running pods running with the same container IDs', async () => {
    const snapshot = () => {
      const out = new Map<string, string>();
      for (const p of [...webPods(), ses.pod('cfgpod'), ses.pod('busy')]) {
        for (const c of (at(p, 'status', 'containerStatuses') as Obj[] | undefined) ?? []) {
          out.set(
            `${String(at(p, 'metadata', 'name'))}/${String(c['name'])}`,
            `${String(c['containerID'])} restarts=${String(c['restartCount'])} running=${at(c, 'state', 'running') !== undefined}`,
          );
        }
      }
      return out;
    };
    const before = snapshot();
    assert.ok(before.size >= 6);
    for (const v of before.values()) assert.match(v, /^containerd:\/\/[0-9a-f]{64} restarts=0 running=true$/);
    const ips = webPods().map((p) => String(at(p, 'status', 'podIP')));
    const agentDir = join(ses.srv().dataDir, 'agent');
    const shims = shimPids(agentDir).sort();
    await ses.restart(async () => {
      // the agent and its containerd are gone; the pods are not
      assert.deepEqual(shimPids(agentDir).sort(), shims);
      for (const ip of ips) assert.equal((await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(5000) })).status, 200);
    });
    await sleep(3000); // a few sync rounds of the adopted pods
    const after = snapshot();
    assert.deepEqual([...after.entries()].sort(), [...before.entries()].sort());
    assert.deepEqual(shimPids(agentDir).sort(), shims, 'no sandbox was re-created');
    const name = String(at(webPods()[0], 'metadata', 'name'));
    assert.equal(
      ses.ok(['exec', '-n', NS, name, '-c', 'client', '--', 'wget', '-qO-', 'http://127.0.0.1:8080/']).stdout.trim(),
      `hello from ${name}`,
    );
    assert.match(ses.ok(['logs', '-n', NS, name, '-c', 'client', '--tail', '1']).stdout, /^tick \d+\n$/);
  });
});
