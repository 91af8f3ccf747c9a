// E2E (issue 16, items 4 and 9) on `tandem up` with a real, private containerd, driven by the real
// kubectl: the logs of pods that finished (`kubectl run --restart=Never`, a Failed pod, a Job's pod)
// and `--previous` of restarted containers, read after the pod completed and gone with the pod; and
// pods in the node's namespaces (hostNetwork, hostPID, hostIPC) and a privileged pod, which see the
// host's interfaces, processes, IPC and devices. Needs root, containerd, runc, the CNI plugins and
// iproute2; skipped with a message otherwise.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { at } from './kubectl-support.js';
import { createNodeSession, nodeE2eSkip, show, sleep, type Obj, until } from './node-session.js';

const NS = 'finished-host';
const ses = createNodeSession(NS);

const phase = (name: string) => String(at(ses.pod(name), 'status', 'phase'));
const running = (name: string) => phase(name) === 'Running';
const exec = (pod: string, script: string) => ses.ok(['exec', '-n', NS, pod, '--', 'sh', '-c', script]).stdout;
/** The namespaces of a process on the host (`net:[4026531833]`, ...). */
const hostNs = (kind: string) => readlinkSync(`/proc/self/ns/${kind}`);
/** Interface names in /proc/net/dev. */
const interfaces = (text: string) =>
  text
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0]?.trim() ?? '')
    .filter(Boolean)
    .sort();

function manifests(image: string): Obj[] {
  const pod = (name: string, spec: Obj): Obj => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: { terminationGracePeriodSeconds: 1, ...spec },
  });
  const sh = (script: string, extra: Obj = {}): Obj[] => [{ name: 'main', image, command: ['sh', '-c', script], ...extra }];
  // counts its runs in an emptyDir, which outlives the container: run 1 fails, run 2 succeeds (or stays up)
  const counted = (then: string) =>
    sh(`n=$(cat /data/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /data/n; echo "run $n"; ${then}`, {
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    });
  const sleeper = (name: string, spec: Obj = {}) => pod(name, { containers: sh('exec sleep 3600'), ...spec });
  return [
    pod('fails', { restartPolicy: 'Never', containers: sh('echo bye >&2; exit 3') }),
    pod('retry', {
      restartPolicy: 'OnFailure',
      containers: counted('[ $n -ge 2 ]'),
      volumes: [{ name: 'data', emptyDir: {} }],
    }),
    pod('restarts', {
      restartPolicy: 'Always',
      containers: counted('if [ $n -ge 2 ]; then exec sleep 3600; fi; exit 1'),
      volumes: [{ name: 'data', emptyDir: {} }],
    }),
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'hello-job', namespace: NS },
      spec: {
        backoffLimit: 0,
        template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 1, containers: sh('echo from-the-job') } },
      },
    },
    sleeper('plain'),
    sleeper('hostnet', { hostNetwork: true }),
    sleeper('hostpid', { hostPID: true }),
    sleeper('hostipc', { hostIPC: true }),
    pod('priv', { containers: sh('exec sleep 3600', { securityContext: { privileged: true } }) }),
  ];
}

describe('node: logs of finished pods, and pods in the host namespaces, on real containerd', { skip: nodeE2eSkip() }, () => {
  const shmFile = `/dev/shm/tandem-e2e-${process.pid}`;
  before(async () => {
    await ses.start();
    ses.apply(manifests(ses.images().images.busybox));
    writeFileSync(shmFile, 'from the host');
  });

  after(async () => {
    rmSync(shmFile, { force: true });
    ses.k(['delete', 'job', 'hello-job', '-n', NS, '--wait=false']);
    await ses.stop();
  });

  test('kubectl run --restart=Never: the logs of the Completed pod', async () => {
    ses.ok(['run', 'once', '-n', NS, `--image=${ses.images().images.busybox}`, '--restart=Never', '--', 'sh', '-c', 'echo hello; exit 0']);
    await until('once Succeeded', () => phase('once') === 'Succeeded', 60_000);
    const r = ses.k(['logs', '-n', NS, 'once']);
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, 'hello\n');
    assert.match(ses.ok(['logs', '-n', NS, 'once', '--timestamps']).stdout, /^\d{4}-\d\d-\d\dT[\d:.]+Z hello\n$/);
    assert.equal(ses.ok(['logs', '-n', NS, 'once', '-f']).stdout, 'hello\n', '-f of a finished container ends');
  });

  test('a Failed pod and a Job whose pod completed: their logs', async () => {
    await until('fails Failed', () => phase('fails') === 'Failed', 60_000);
    assert.equal(ses.ok(['logs', '-n', NS, 'fails']).stdout, 'bye\n');
    await until(
      'the Job complete',
      () =>
        ((at(ses.getJson(['get', 'job', 'hello-job']), 'status', 'conditions') as Obj[] | undefined) ?? []).some(
          (c) => c['type'] === 'Complete',
        ),
      60_000,
    );
    assert.equal(ses.ok(['logs', '-n', NS, 'job/hello-job']).stdout, 'from-the-job\n');
  });

  test('--previous: the run before the last, of a Completed pod and of a running one', async () => {
    await until('retry Succeeded', () => phase('retry') === 'Succeeded', 90_000);
    // the node's view of its pods is refreshed every 0.5 s: by now it holds the stopped sandbox, not the running pod
    await sleep(2000);
    const p = ses.pod('retry');
    assert.equal(at(p, 'status', 'containerStatuses', 0, 'restartCount'), 1);
    assert.equal(ses.ok(['logs', '-n', NS, 'retry']).stdout, 'run 2\n');
    assert.equal(ses.ok(['logs', '-n', NS, 'retry', '--previous']).stdout, 'run 1\n');
    await until(
      'restarts running its second run',
      () => running('restarts') && ses.k(['logs', '-n', NS, 'restarts']).stdout === 'run 2\n',
      90_000,
    );
    assert.equal(ses.ok(['logs', '-n', NS, 'restarts', '--previous']).stdout, 'run 1\n');
    const none = ses.k(['logs', '-n', NS, 'once', '--previous']);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /previous terminated container "once" in pod "once" not found/);
  });

  test('a deleted pod takes its logs with it', async () => {
    const logsRoot = join(ses.srv().dataDir, 'agent', 'logs', 'pods');
    const dirsOf = (name: string) => readdirSync(logsRoot).filter((d) => d.startsWith(`${NS}_${name}_`));
    assert.equal(dirsOf('once').length, 1, `the log directory of once in ${readdirSync(logsRoot).join(', ')}`);
    ses.ok(['delete', 'pod', 'once', '-n', NS, '--wait=true'], { timeoutMs: 60_000 });
    await until('the log directory removed', () => dirsOf('once').length === 0, 20_000);
    assert.equal(ses.k(['logs', '-n', NS, 'once']).code, 1);
  });

  test("hostNetwork: the host's network namespace, interfaces, name and address", async () => {
    await until('hostnet and plain Running', () => running('hostnet') && running('plain'), 60_000);
    const p = ses.pod('hostnet');
    assert.equal(at(p, 'status', 'podIP'), at(p, 'status', 'hostIP'), 'the pod IP is the host IP');
    assert.equal(exec('hostnet', 'readlink /proc/self/ns/net').trim(), hostNs('net'));
    assert.equal(exec('hostnet', 'hostname').trim(), hostname(), "the node's hostname");
    // veths (and other tests' bridges) come and go: every interface the host has before and after the look is there
    const hostIfs = () => interfaces(readFileSync('/proc/net/dev', 'utf8')).filter((n) => !n.startsWith('veth'));
    const before = hostIfs();
    const inPod = interfaces(exec('hostnet', 'cat /proc/net/dev'));
    const stable = hostIfs().filter((n) => before.includes(n));
    assert.ok(stable.length >= 2, `host interfaces: ${stable.join(' ')}`);
    for (const n of stable) assert.ok(inPod.includes(n), `host interface ${n} in the pod's ${inPod.join(' ')}`);
    assert.notEqual(exec('plain', 'readlink /proc/self/ns/net').trim(), hostNs('net'));
    assert.deepEqual(interfaces(exec('plain', 'cat /proc/net/dev')), ['eth0', 'lo'], 'an ordinary pod has its own');
  });

  test("hostPID: the host's processes, PID 1 being the host's init", async () => {
    await until('hostpid Running', () => running('hostpid'), 60_000);
    const init = readFileSync('/proc/1/cmdline', 'utf8').replace(/\0/g, ' ').trim();
    assert.equal(exec('hostpid', "tr '\\0' ' ' < /proc/1/cmdline").trim(), init);
    assert.equal(exec('hostpid', 'readlink /proc/self/ns/pid').trim(), hostNs('pid'));
    const mine = readFileSync('/proc/self/cmdline', 'utf8').replace(/\0/g, ' ').trim();
    assert.equal(exec('hostpid', `tr '\\0' ' ' < /proc/${process.pid}/cmdline`).trim(), mine, "the test's own process is visible");
    assert.notEqual(exec('plain', "tr '\\0' ' ' < /proc/1/cmdline").trim(), init);
    assert.notEqual(exec('plain', 'readlink /proc/self/ns/pid').trim(), hostNs('pid'));
  });

  test("hostIPC: the host's IPC namespace and /dev/shm", async () => {
    await until('hostipc Running', () => running('hostipc'), 60_000);
    assert.equal(exec('hostipc', 'readlink /proc/self/ns/ipc').trim(), hostNs('ipc'));
    assert.equal(exec('hostipc', `cat ${shmFile}`), 'from the host');
    assert.notEqual(exec('plain', 'readlink /proc/self/ns/ipc').trim(), hostNs('ipc'));
    assert.notEqual(ses.k(['exec', '-n', NS, 'plain', '--', 'cat', shmFile]).code, 0);
  });

  test("privileged: the host's devices", async () => {
    await until('priv Running', () => running('priv'), 60_000);
    const devices = (pod: string) => exec(pod, 'ls /dev').split(/\s+/).filter(Boolean);
    const host = readdirSync('/dev').filter((n) => {
      try {
        const s = statSync(join('/dev', n));
        return s.isBlockDevice() || s.isCharacterDevice();
      } catch {
        return false;
      }
    });
    const priv = devices('priv');
    const plain = devices('plain');
    // /dev/console is the container's own terminal (or absent), never the host's
    const hostOnly = host.filter((n) => !plain.includes(n) && n !== 'console');
    assert.ok(hostOnly.length > 0, `the host has devices an ordinary pod does not see: ${host.join(' ')}`);
    for (const n of hostOnly) assert.ok(priv.includes(n), `host device ${n} in the privileged pod's /dev: ${priv.join(' ')}`);
    console.log(`# /dev entries: privileged pod ${priv.length}, ordinary pod ${plain.length}, host devices ${host.length}`);
    if (existsSync('/dev/kmsg')) {
      const kmsg = ses.k(['exec', '-n', NS, 'priv', '--', 'head', '-n', '1', '/dev/kmsg']);
      assert.equal(kmsg.code, 0, `the kernel log is readable: ${show(kmsg)}`);
      assert.match(kmsg.stdout, /^\d+,\d+,\d+/, 'a kernel log record');
    }
  });
});
