// End to end on Linux with real processes: the process runtime through the Runtime interface, over
// an image directory served by the test ImageSource.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, rmdir, writeFile, chmod, readlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProcessRuntime } from './process-runtime.js';
import { createDirImageSource } from './testing/dir-image-source.js';
import { ExecTimeoutError, type ContainerConfig, type Runtime, type SandboxConfig } from '../runtime.js';
import { createCriLogParser } from '../../streaming/cri-log.js';
import { alive } from './process-tree.js';

const linux = process.platform === 'linux';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function setup() {
  const dataDir = await mkdtemp(join(tmpdir(), 'proc-rt-'));
  const imageDir = join(dataDir, 'image');
  await mkdir(join(imageDir, 'bin'), { recursive: true });
  await writeFile(join(imageDir, 'bin', 'hello.sh'), '#!/bin/sh\necho "hello from $CONTAINER_SANDBOX_MOUNT_POINT $GREETING"\n');
  await chmod(join(imageDir, 'bin', 'hello.sh'), 0o755);
  await writeFile(join(imageDir, 'data.txt'), 'in the image\n');
  const images = createDirImageSource({
    'example.com/tool:1': { dir: imageDir, config: { cmd: ['/bin/sh', '-c', 'echo default; sleep 100'], env: ['GREETING=image', 'A=1'] } },
  });
  const open = () => createProcessRuntime({ dataDir, images, os: 'linux', hostIPs: ['10.9.8.7'] });
  return { dataDir, images, open };
}

const sandbox = (dataDir: string, uid: string, cgroupParent?: string, memory?: number): SandboxConfig => ({
  name: `pod-${uid}`,
  namespace: 'ns',
  uid,
  attempt: 0,
  hostname: 'h',
  logDirectory: join(dataDir, 'logs', uid),
  portMappings: [],
  labels: { 'io.kubernetes.pod.uid': uid },
  annotations: {},
  runtimeHandler: 'process',
  linux: { ...(cgroupParent ? { cgroupParent } : {}), ...(memory ? { resources: { memoryLimitInBytes: memory } } : {}) },
});

const container = (name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
  name,
  attempt: 0,
  image: 'example.com/tool:1',
  command,
  args: [],
  envs: [],
  mounts: [],
  logPath: `${name}/0.log`,
  labels: { 'io.kubernetes.container.name': name },
  annotations: {},
  ...extra,
});

async function waitState(rt: Runtime, id: string, state: string, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const st = await rt.containerStatus(id);
    if (st.state === state) return st;
    if (Date.now() > until) throw new Error(`container ${id} stayed ${st.state}, wanted ${state}`);
    await sleep(50);
  }
}

function logLines(path: string): { stream: string; text: string }[] {
  const p = createCriLogParser();
  return p.push(readFileSync(path)).map((e) => ({ stream: e.stream, text: e.msg.toString().trimEnd() }));
}

async function runOne(rt: Runtime, sb: string, sbCfg: SandboxConfig, cfg: ContainerConfig) {
  await rt.pullImage(cfg.image, undefined, sbCfg);
  const id = await rt.createContainer(sb, cfg, sbCfg);
  await rt.startContainer(id);
  return id;
}

test('a container runs, logs in CRI format, exits with its code, and is adopted by a new runtime', { skip: !linux }, async () => {
  const { dataDir, open } = await setup();
  const rt = open();
  try {
    assert.deepEqual(await rt.runtimeHandlers(), [{ name: 'process' }]);
    const sbCfg = sandbox(dataDir, 'u1');
    const sb = await rt.runPodSandbox(sbCfg);
    assert.equal((await rt.podSandboxStatus(sb)).ip, '10.9.8.7', 'the pod shares the host network');

    // image env + container env (container wins), the container directory exported, command resolved in it
    const hi = await runOne(
      rt,
      sb,
      sbCfg,
      container('hi', ['bin/hello.sh'], { envs: [{ key: 'GREETING', value: 'pod' }], logPath: 'hi/0.log' }),
    );
    const done = await waitState(rt, hi, 'exited');
    assert.equal(done.exitCode, 0);
    assert.equal(done.reason, 'Completed');
    assert.ok(done.startedAt > 0 && done.finishedAt >= done.startedAt);
    assert.equal(done.logPath, join(sbCfg.logDirectory, 'hi/0.log'));
    const root = join(dataDir, 'process', 'containers', hi, 'root');
    assert.deepEqual(logLines(done.logPath), [{ stream: 'stdout', text: `hello from ${root} pod` }]);
    const raw = readFileSync(done.logPath, 'utf8');
    assert.match(raw, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F hello/);

    const three = await runOne(rt, sb, sbCfg, container('three', ['/bin/sh', '-c', 'echo out; echo err >&2; exit 3']));
    const st3 = await waitState(rt, three, 'exited');
    assert.equal(st3.exitCode, 3);
    assert.equal(st3.reason, 'Error');
    assert.deepEqual(
      logLines(st3.logPath).sort((a, b) => a.stream.localeCompare(b.stream)),
      [
        { stream: 'stderr', text: 'err' },
        { stream: 'stdout', text: 'out' },
      ],
    );

    // no command: the image's cmd
    const long = await runOne(rt, sb, sbCfg, container('long', [], { labels: { 'io.kubernetes.container.name': 'long', keep: 'me' } }));
    await waitState(rt, long, 'running');
    const listed = await rt.listContainers({ labels: { keep: 'me' } });
    assert.deepEqual(
      listed.map((c) => [c.id, c.state]),
      [[long, 'running']],
    );
    assert.deepEqual((await rt.listContainers({ sandboxId: sb })).length, 3);

    // execSync in the container's directory and environment
    const ex = await rt.execSync(long, ['/bin/sh', '-c', 'cat data.txt; echo "$A $GREETING"; exit 4'], 5);
    assert.equal(ex.exitCode, 4);
    assert.equal(ex.stdout.toString(), 'in the image\n1 image\n');
    const began = Date.now();
    await assert.rejects(rt.execSync(long, ['/bin/sh', '-c', 'sleep 30'], 1), ExecTimeoutError);
    assert.ok(Date.now() - began < 5000, 'the timeout ends the command');

    // a new runtime over the same data dir adopts the running container
    const pid = JSON.parse(await readFile(join(dataDir, 'process', 'containers', long, 'state.json'), 'utf8')).pid as number;
    const rt2 = open();
    const adopted = await rt2.containerStatus(long);
    assert.equal(adopted.state, 'running');
    assert.equal(adopted.labels['keep'], 'me');
    assert.equal((await rt2.containerStatus(three)).exitCode, 3);
    assert.equal((await rt2.listPodSandboxes({ labels: { 'io.kubernetes.pod.uid': 'u1' } }))[0]?.id, sb);
    await rt2.reopenContainerLog(long);
    await rt2.stopContainer(long, 5);
    const stopped = await rt2.containerStatus(long);
    assert.equal(stopped.state, 'exited');
    assert.equal(stopped.exitCode, 143, 'SIGTERM: 128 + 15');
    assert.ok(!alive(pid));
    assert.deepEqual(
      logLines(stopped.logPath).map((l) => l.text),
      ['default'],
    );
    await rt2.removePodSandbox(sb);
    assert.equal(existsSync(join(dataDir, 'process', 'containers', long)), false);
    assert.deepEqual(await rt2.listContainers(), []);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('stop ends the whole process tree, also a child that ignores SIGTERM, after the grace period', { skip: !linux }, async () => {
  const { dataDir, open } = await setup();
  const rt = open();
  try {
    const sbCfg = sandbox(dataDir, 'u2');
    const sb = await rt.runPodSandbox(sbCfg);
    const script = 'sh -c \'trap "" TERM; sleep 300\' & sleep 300 & echo $! > grandchild.pid; wait';
    const id = await runOne(rt, sb, sbCfg, container('tree', ['/bin/sh', '-c', script]));
    await waitState(rt, id, 'running');
    const dir = join(dataDir, 'process', 'containers', id);
    const pid = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')).pid as number;
    let members: number[] = [];
    for (let i = 0; i < 100 && members.length < 4; i++) {
      await sleep(50);
      members = groupMembers(pid);
    }
    assert.ok(members.length >= 4, `the container's group holds its tree: ${members.join(',')}`);
    const began = Date.now();
    await rt.stopContainer(id, 1);
    const took = Date.now() - began;
    const st = await rt.containerStatus(id);
    assert.equal(st.state, 'exited');
    assert.ok(took < 8000, `stopped in ${took} ms`);
    await sleep(100);
    for (const p of members) assert.ok(!alive(p), `process ${p} of the container is gone`);
    assert.deepEqual(groupMembers(pid), []);
    await rt.removePodSandbox(sb);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

function groupMembers(pgid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat=']).toString();
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => Number(f[1]) === pgid && !(f[2] ?? '').startsWith('Z'))
    .map((f) => Number(f[0]));
}

const root = linux && typeof process.getuid === 'function' && process.getuid() === 0;

test('limits go into a cgroup per container; a process that leaves its group is still stopped', { skip: !root }, async () => {
  const { dataDir, open } = await setup();
  const rt = open();
  const parent = `/tandem-test/pod-${Date.now()}`;
  try {
    const sbCfg = sandbox(dataDir, 'u3', parent, 512 * 1024 * 1024);
    const sb = await rt.runPodSandbox(sbCfg);
    const cfg = container('limited', ['/bin/sh', '-c', 'setsid sleep 300 & sleep 300'], {
      linux: { resources: { memoryLimitInBytes: 64 * 1024 * 1024, cpuQuota: 50_000, cpuPeriod: 100_000, cpuShares: 512 } },
    });
    const id = await runOne(rt, sb, sbCfg, cfg);
    await waitState(rt, id, 'running');
    assert.equal(await rt.unenforcedLimits?.(id), undefined, 'root can write cgroups');
    const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
    const memDir = v2 ? join('/sys/fs/cgroup', parent, id) : join('/sys/fs/cgroup/memory', parent, id);
    const limit = readFileSync(join(memDir, v2 ? 'memory.max' : 'memory.limit_in_bytes'), 'utf8').trim();
    assert.equal(limit, String(64 * 1024 * 1024));
    const podLimit = readFileSync(join(memDir, '..', v2 ? 'memory.max' : 'memory.limit_in_bytes'), 'utf8').trim();
    assert.equal(podLimit, String(512 * 1024 * 1024));
    const cpuDir = v2 ? memDir : join('/sys/fs/cgroup/cpu', parent, id);
    if (v2) assert.equal(readFileSync(join(cpuDir, 'cpu.max'), 'utf8').trim(), '50000 100000');
    else assert.equal(readFileSync(join(cpuDir, 'cpu.cfs_quota_us'), 'utf8').trim(), '50000');
    // the process is in the cgroup from its start, and its tree with it
    const procs = () => readFileSync(join(memDir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
    let inside: number[] = [];
    for (let i = 0; i < 100 && inside.length < 3; i++) {
      await sleep(50);
      inside = procs();
    }
    assert.ok(inside.length >= 3, `sh, sleep and the setsid sleep are in the cgroup: ${inside.join(',')}`);
    const stats = await rt.listContainerStats({ sandboxId: sb });
    assert.equal(stats.length, 1);
    assert.ok((stats[0]?.memoryUsageBytes ?? 0) > 0, 'memory from the cgroup');

    await rt.stopContainer(id, 2);
    await sleep(100);
    for (const p of inside) assert.ok(!alive(p), `process ${p} is gone, also the one that left the process group`);
    await rt.removePodSandbox(sb);
    assert.equal(existsSync(memDir), false, 'the container cgroup is removed');
    assert.equal(existsSync(join(memDir, '..')), false, 'the pod cgroup is removed');
  } finally {
    for (const h of ['', 'memory', 'cpu', 'cpuacct', 'pids']) await rmdir(join('/sys/fs/cgroup', h, '/tandem-test')).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('limits that cannot be enforced are reported; volumes appear below the container directory', { skip: !linux }, async () => {
  const { dataDir, images } = await setup();
  const rt = createProcessRuntime({ dataDir, images, os: 'linux', cgroupMount: join(dataDir, 'no-cgroups') });
  try {
    const vol = join(dataDir, 'volume');
    await mkdir(vol);
    await writeFile(join(vol, 'key'), 'value');
    const sbCfg = sandbox(dataDir, 'u4', '/tandem-test/x');
    const sb = await rt.runPodSandbox(sbCfg);
    const id = await runOne(
      rt,
      sb,
      sbCfg,
      container('v', ['/bin/sh', '-c', 'cat "$CONTAINER_SANDBOX_MOUNT_POINT/etc/config/key"'], {
        mounts: [{ containerPath: '/etc/config', hostPath: vol, readonly: true }],
        linux: { resources: { memoryLimitInBytes: 1 << 26 } },
      }),
    );
    assert.match((await rt.unenforcedLimits?.(id)) ?? '', /no cgroup file system at .*not enforced/);
    const st = await waitState(rt, id, 'exited');
    assert.deepEqual(
      logLines(st.logPath).map((l) => l.text),
      ['value'],
    );
    assert.equal(await readlink(join(dataDir, 'process', 'containers', id, 'root', 'etc', 'config')), vol);
    // a missing command is a start error, as with containerd
    const bad = await rt.createContainer(sb, container('bad', ['no-such-command']), sbCfg);
    await assert.rejects(rt.startContainer(bad), /executable file "no-such-command" not found/);
    const sbad = await rt.containerStatus(bad);
    assert.equal(sbad.state, 'exited');
    assert.equal(sbad.reason, 'StartError');
    await rt.removePodSandbox(sb);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
