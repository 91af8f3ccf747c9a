import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { containerdSkipReason, startTestContainerd, type TestContainerd } from '../../../../test/images/containerd-env.js';
import { prepareTestImages, type TestImages } from '../../../../test/images/prepare.js';
import { freePort } from '../../../../test/images/registry.js';
import { existingPodCgroups, parsePodCidr } from '../../platform/linux/index.js';
import { ExecTimeoutError, RuntimeNotFoundError, type ContainerConfig, type ContainerStatus, type SandboxConfig } from '../runtime.js';
import { grpcTarget, criProtoPath } from './cri-client.js';
import { handlersFromConfig } from './cri-runtime.js';
import { measureRawCriStartup } from './measure-startup.js';

test('endpoints map to socket and pipe paths', () => {
  assert.equal(grpcTarget('unix:///run/x.sock'), '/run/x.sock');
  assert.equal(grpcTarget('/run/x.sock'), '/run/x.sock');
  assert.equal(grpcTarget('npipe:////./pipe/containerd-containerd'), '\\\\.\\pipe\\containerd-containerd');
  assert.equal(grpcTarget('npipe:////./pipe/containerd-containerd'), String.raw`\\.\pipe\containerd-containerd`);
});

test('cri.proto is found from the compiled module', async () => {
  const text = await readFile(criProtoPath(), 'utf8');
  assert.match(text, /package runtime\.v1;/);
  assert.match(text, /message KeyValue \{\n {2}string key = 1;\n {2}string value = 2;/);
});

test('runtime handlers from containerd config JSON', () => {
  assert.deepEqual(
    handlersFromConfig(JSON.stringify({ containerd: { runtimes: { runc: {}, kata: {} } } })).map((h) => h.name),
    ['', 'kata', 'runc'],
  );
  assert.deepEqual(handlersFromConfig('not json'), [{ name: '' }]);
});

const skip = containerdSkipReason();
if (skip) console.log(`# ${skip}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitExited(env: TestContainerd, id: string): Promise<ContainerStatus> {
  const end = Date.now() + 20_000;
  for (;;) {
    const s = await env.runtime.containerStatus(id);
    if (s.state === 'exited') return s;
    if (Date.now() > end) throw new Error(`container ${id} did not exit: ${JSON.stringify(s)}`);
    await sleep(100);
  }
}

function ipInCidr(ip: string, cidr: string): boolean {
  const { subnet } = parsePodCidr(cidr);
  return ip.split('.').slice(0, 3).join('.') === subnet.split('.').slice(0, 3).join('.');
}

test('CRI runtime against a private containerd', { skip, timeout: 90_000 }, async (t) => {
  let ti: TestImages | undefined;
  let env: TestContainerd | undefined;
  try {
    ti = await prepareTestImages();
    env = await startTestContainerd({ sandboxImage: ti.images.pause });
    const e = env;
    const images = ti.images;
    const rt = e.runtime;
    await rt.pullImage(images.busybox);

    const uid = randomUUID();
    const hostPort = await freePort();
    const cgroupParent = e.platform.podResourceParent(uid, 'Burstable') ?? '';
    const sandbox: SandboxConfig = {
      name: 'web',
      namespace: 'default',
      uid,
      attempt: 0,
      hostname: 'web',
      logDirectory: join(e.dataDir, 'pods', `default_web_${uid}`),
      portMappings: [{ protocol: 'TCP', containerPort: 8080, hostPort }],
      labels: { app: 'web', 'tandem.io/test': uid },
      annotations: { note: 'x' },
      linux: { cgroupParent },
      runtimeHandler: '',
      dnsServers: ['192.0.2.53'],
      dnsSearches: ['default.svc.cluster.local'],
    };
    const base = { mounts: [], labels: {}, annotations: {}, args: [], envs: [], linux: {} };
    const ctr = (name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
      ...base,
      name,
      attempt: 0,
      image: images.busybox,
      command,
      logPath: `${name}/0.log`,
      ...extra,
    });

    const sid = await rt.runPodSandbox(sandbox);
    const ss = await rt.podSandboxStatus(sid);
    assert.equal(ss.state, 'ready');
    assert.equal(ss.uid, uid);
    assert.ok(ss.ip && ipInCidr(ss.ip, e.podCidr), `pod IP ${ss.ip} in ${e.podCidr}`);
    assert.equal(ss.labels['app'], 'web');
    const podIp = ss.ip;

    const web = await rt.createContainer(
      sid,
      ctr('web', ['httpd'], {
        args: ['-f', '-p', '8080', '-h', '/var/www'],
        envs: [
          { key: 'FOO', value: 'bar baz' },
          { key: 'UNI', value: 'ü€' },
        ],
        linux: { resources: { cpuPeriod: 100000, cpuQuota: 50000, memoryLimitInBytes: 64 * 1024 * 1024 } },
      }),
      sandbox,
    );
    await rt.startContainer(web);
    const client = await rt.createContainer(
      sid,
      ctr('client', ['sh', '-c', 'echo hello-log; echo to-stderr >&2; exec sleep 3600']),
      sandbox,
    );
    await rt.startContainer(client);

    await t.test('status and listing', async () => {
      const s = await rt.containerStatus(web);
      assert.equal(s.state, 'running');
      assert.equal(s.name, 'web');
      assert.ok(s.startedAt > 0 && s.createdAt > 0);
      assert.match(s.imageRef, /(^|@)sha256:[0-9a-f]{64}$/);
      assert.equal(s.logPath, join(sandbox.logDirectory, 'web/0.log'));
      const list = await rt.listContainers({ sandboxId: sid });
      assert.deepEqual(list.map((c) => c.name).sort(), ['client', 'web']);
      assert.ok(list.every((c) => c.sandboxId === sid));
      assert.deepEqual(
        (await rt.listPodSandboxes({ labels: { 'tandem.io/test': uid } })).map((p) => p.id),
        [sid],
      );
      assert.deepEqual(await rt.listPodSandboxes({ labels: { 'tandem.io/test': 'other' } }), []);
      await assert.rejects(rt.containerStatus('0123456789abcdef'), RuntimeNotFoundError);
      await assert.rejects(rt.podSandboxStatus('0123456789abcdef'), RuntimeNotFoundError);
    });

    await t.test('host reaches the pod IP and the host port', async () => {
      let body = '';
      for (let i = 0; i < 50 && !body; i++) {
        try {
          body = await (await fetch(`http://${podIp}:8080/`)).text();
        } catch {
          await sleep(100);
        }
      }
      assert.match(body, /tandem busybox httpd/);
      const hp = await fetch(`http://127.0.0.1:${hostPort}/`).then(
        (r) => r.text(),
        (err: unknown) => `error ${String(err)}`,
      );
      assert.match(hp, /tandem busybox httpd/, 'hostPort through portmap');
    });

    await t.test('execSync: localhost shared, exit codes, env, timeout', async () => {
      const w = await rt.execSync(client, ['wget', '-qO-', 'http://127.0.0.1:8080/'], 10);
      assert.equal(w.exitCode, 0);
      assert.match(w.stdout.toString(), /tandem busybox httpd/);
      const r = await rt.execSync(web, ['sh', '-c', 'echo "out:$FOO:$UNI:$(hostname)"; echo err >&2; exit 3'], 10);
      assert.equal(r.exitCode, 3);
      assert.equal(r.stdout.toString(), 'out:bar baz:ü€:web\n');
      assert.equal(r.stderr.toString(), 'err\n');
      const dns = await rt.execSync(web, ['cat', '/etc/resolv.conf'], 10);
      assert.match(dns.stdout.toString(), /nameserver 192\.0\.2\.53/);
      const t0 = Date.now();
      await assert.rejects(rt.execSync(web, ['sleep', '10'], 1), ExecTimeoutError);
      assert.ok(Date.now() - t0 < 8000);
    });

    await t.test('stats after CPU work; live resource update', async () => {
      await rt.listContainerStats({ sandboxId: sid });
      await rt.execSync(web, ['sh', '-c', 'i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done'], 30);
      const stats = await rt.listContainerStats({ sandboxId: sid });
      const ws = stats.find((s) => s.id === web);
      assert.ok(ws, 'stats for web');
      assert.ok(ws.cpuUsageCoreNanoSeconds > 0, 'cumulative CPU');
      assert.ok(ws.memoryWorkingSetBytes > 0, 'working set');
      assert.equal(ws.name, 'web');
      const pods = await rt.listPodSandboxStats({ sandboxId: sid });
      assert.ok((pods[0]?.cpuUsageCoreNanoSeconds ?? 0) > 0, 'pod stats from the pod cgroup');
      await rt.updateContainerResources(web, { linux: { memoryLimitInBytes: 32 * 1024 * 1024, cpuPeriod: 100000, cpuQuota: 20000 } });
      const lim = await rt.execSync(web, ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'], 10);
      if (lim.exitCode === 0) assert.equal(lim.stdout.toString().trim(), String(32 * 1024 * 1024));
    });

    await t.test('streaming URLs', async () => {
      assert.match(
        await rt.exec(web, ['sh'], { stdin: true, stdout: true, stderr: true, tty: false }),
        /^http:\/\/127\.0\.0\.1:\d+\/exec\/\S+$/,
      );
      assert.match(
        await rt.attach(client, { stdin: false, stdout: true, stderr: true, tty: false }),
        /^http:\/\/127\.0\.0\.1:\d+\/attach\/\S+$/,
      );
      assert.match(await rt.portForward(sid, [8080]), /^http:\/\/127\.0\.0\.1:\d+\/portforward\/\S+$/);
    });

    await t.test('log file lines in CRI format; reopen', async () => {
      const file = join(sandbox.logDirectory, 'client/0.log');
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      assert.ok(
        lines.some((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z stdout F hello-log$/.test(l)),
        lines.join('\n'),
      );
      assert.ok(lines.some((l) => / stderr F to-stderr$/.test(l)));
      await rt.reopenContainerLog(client);
    });

    await t.test('exit code and OOM kill', async () => {
      const fail = await rt.createContainer(sid, ctr('fail', ['sh', '-c', 'exit 42']), sandbox);
      await rt.startContainer(fail);
      const f = await waitExited(e, fail);
      assert.equal(f.exitCode, 42);
      assert.equal(f.reason, 'Error');
      assert.ok(f.finishedAt > 0); // containerd may stamp a very short-lived process's start after its exit
      // containerd says OOMKilled only when the cgroup's OOM event reaches it before the task's exit
      // event; with cgroup v1 here it sometimes does not (1 run in 6 seen), and the CRI then says Error.
      // Every attempt must be killed (137); one of three attempts must be reported as OOMKilled.
      const reasons: string[] = [];
      for (let attempt = 0; attempt < 3 && !reasons.includes('OOMKilled'); attempt++) {
        const oom = await rt.createContainer(
          sid,
          ctr('oom', ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'], {
            attempt,
            logPath: `oom/${attempt}.log`,
            linux: { resources: { memoryLimitInBytes: 16 * 1024 * 1024 } },
          }),
          sandbox,
        );
        await rt.startContainer(oom);
        const o = await waitExited(e, oom);
        assert.equal(o.exitCode, 137);
        reasons.push(o.reason ?? '');
        await rt.removeContainer(oom);
      }
      assert.ok(reasons.includes('OOMKilled'), `reasons of the OOM-killed attempts: ${reasons.join(', ')}`);
      if (reasons.length > 1) console.log(`# containerd reported ${reasons.join(', ')} for the OOM-killed attempts`);
      await rt.removeContainer(fail);
      await assert.rejects(rt.containerStatus(fail), RuntimeNotFoundError);
    });

    await t.test('a containerd restart leaves the pod running (agent restart adoption)', async () => {
      const before = await rt.containerStatus(web);
      const oldPid = e.managed.pid;
      await e.restart();
      assert.notEqual(e.managed.pid, oldPid);
      assert.equal((await rt.podSandboxStatus(sid)).state, 'ready');
      const after = await rt.containerStatus(web);
      assert.equal(after.state, 'running');
      assert.equal(after.startedAt, before.startedAt, 'same container, not restarted');
      assert.match(await (await fetch(`http://${podIp}:8080/`)).text(), /tandem busybox httpd/);
    });

    await t.test('stop container, stop and remove sandbox, cgroup cleanup', async () => {
      await rt.stopContainer(web, 2);
      const s = await rt.containerStatus(web);
      assert.equal(s.state, 'exited');
      assert.ok((await existingPodCgroups(cgroupParent)).length > 0, 'pod cgroup exists while the pod lives');
      await rt.stopPodSandbox(sid);
      assert.equal((await rt.podSandboxStatus(sid)).state, 'notready');
      await rt.removePodSandbox(sid);
      assert.deepEqual(
        (await rt.listPodSandboxes()).filter((p) => p.id === sid),
        [],
      );
      await e.platform.cleanupPod(uid, cgroupParent);
      assert.deepEqual(await existingPodCgroups(cgroupParent), []);
    });

    await t.test('raw CRI start-up timing (printed, not asserted)', async () => {
      const r = await measureRawCriStartup(rt, images, 8, {
        cgroupRoot: `/${e.cgroupRoot}/bench`,
        cleanup: (u, parent) => e.platform.cleanupPod(u, parent),
      });
      assert.equal(r.n, 8);
      console.log(
        `# raw CRI RunPodSandbox+CreateContainer+StartContainer, ${r.n} pods sequential: p50 ${r.p50} ms, p99 ${r.p99} ms ` +
          `(min ${r.min}, max ${r.max}; sandbox p50 ${r.sandboxP50}, create p50 ${r.createP50}, start p50 ${r.startP50}; teardown ${r.teardownMs} ms)`,
      );
      const benchDir = join('/sys/fs/cgroup/memory', e.cgroupRoot, 'bench');
      const left = existsSync(benchDir) ? (await readdir(benchDir)).filter((n) => n.startsWith('pod')) : [];
      assert.deepEqual(left, [], 'no pod cgroups left by the measurement');
    });
  } finally {
    await env?.stop();
    await ti?.registry.stop();
  }
});
