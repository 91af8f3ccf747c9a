import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFakeContainerRuntime } from '../testing/fake-container-runtime.js';
import { createRuntimeRouter, mergeConditions } from './runtime-router.js';
import { RuntimeNotFoundError, type ContainerConfig, type SandboxConfig } from './runtime.js';

const sandbox = (name: string, runtimeHandler: string): SandboxConfig => ({
  name,
  namespace: 'ns',
  uid: `u-${name}`,
  attempt: 0,
  hostname: name,
  logDirectory: `/logs/${name}`,
  portMappings: [],
  labels: { 'io.kubernetes.pod.uid': `u-${name}` },
  annotations: {},
  runtimeHandler,
});
const container = (name: string): ContainerConfig => ({
  name,
  attempt: 0,
  image: 'busybox:1',
  command: ['sh'],
  args: [],
  envs: [],
  mounts: [],
  logPath: `${name}/0.log`,
  labels: { 'io.kubernetes.pod.uid': `u-${name}` },
  annotations: {},
});

test('a pod goes to the runtime of its handler, and its containers and calls follow it', async () => {
  const containerd = createFakeContainerRuntime({ images: ['busybox:1'], ipPrefix: '10.1.0.', idPrefix: 'ctrd-' });
  const processes = createFakeContainerRuntime({ images: ['busybox:1'], ipPrefix: '10.2.0.', idPrefix: 'proc-' });
  const router = createRuntimeRouter({ default: containerd, handlers: { process: processes } });
  assert.equal(router.forHandler('process'), processes);
  assert.equal(router.forHandler(''), containerd);
  assert.equal(router.forHandler('runc'), containerd, 'unclaimed handlers run on the default runtime');

  const a = await router.runPodSandbox(sandbox('a', 'runc'));
  const b = await router.runPodSandbox(sandbox('b', 'process'));
  assert.ok(containerd.sandboxes.has(a) && !processes.sandboxes.has(a));
  assert.ok(processes.sandboxes.has(b) && !containerd.sandboxes.has(b));
  assert.match((await router.podSandboxStatus(b)).ip ?? '', /^10\.2\.0\./);

  const cb = await router.createContainer(b, container('b'), sandbox('b', 'process'));
  assert.ok(processes.containers.has(cb));
  await router.startContainer(cb);
  assert.equal((await router.containerStatus(cb)).state, 'running');
  assert.equal((await router.execSync(cb, ['true'], 1)).exitCode, 0);
  assert.ok(processes.calls.includes(`execSync ${cb} true`));
  assert.deepEqual(
    (await router.listContainers({ sandboxId: b })).map((c) => c.id),
    [cb],
  );

  // lists cover every runtime
  assert.deepEqual((await router.listPodSandboxes()).map((s) => s.id).sort(), [a, b].sort());
  assert.deepEqual(
    (await router.listContainers()).map((c) => c.id),
    [cb],
  );

  await router.pullImage('nginx:1', undefined, sandbox('b', 'process'));
  assert.ok(processes.calls.includes('pullImage nginx:1') && !containerd.calls.includes('pullImage nginx:1'));
  assert.ok(await router.imageStatus('nginx:1', 'process'));
  assert.equal(await router.imageStatus('nginx:1', ''), undefined);

  await router.stopPodSandbox(b);
  await router.removePodSandbox(b);
  assert.equal(processes.sandboxes.size, 0);
  assert.equal(containerd.sandboxes.size, 1);
});

test('after a restart the router finds who holds a sandbox or a container by asking', async () => {
  const containerd = createFakeContainerRuntime({ images: ['busybox:1'], idPrefix: 'ctrd-' });
  const processes = createFakeContainerRuntime({ images: ['busybox:1'], idPrefix: 'proc-' });
  const first = createRuntimeRouter({ default: containerd, handlers: { process: processes } });
  const sb = await first.runPodSandbox(sandbox('p', 'process'));
  const c = await first.createContainer(sb, container('p'), sandbox('p', 'process'));
  const again = createRuntimeRouter({ default: containerd, handlers: { process: processes } });
  await again.stopContainer(c, 1);
  assert.ok(processes.calls.includes(`stopContainer ${c} 1`));
  assert.ok(!containerd.calls.some((x) => x.startsWith('stopContainer')));
  await assert.rejects(again.containerStatus('nope'), RuntimeNotFoundError);
});

test('the node advertises what the runtimes run; conditions hold only when every runtime says so', async () => {
  const containerd = createFakeContainerRuntime();
  const processes = createFakeContainerRuntime();
  const router = createRuntimeRouter({ default: containerd, handlers: { process: processes } });
  // the fake reports runc and ''; the process runtime claims one more
  assert.deepEqual(
    (await router.runtimeHandlers()).map((h) => h.name),
    ['runc', '', 'process'],
  );
  processes.setCondition('NetworkReady', false, 'NoHostNetwork', 'down');
  const conds = await router.status();
  assert.deepEqual(
    conds.map((c) => [c.type, c.status]),
    [
      ['RuntimeReady', true],
      ['NetworkReady', false],
    ],
  );
  assert.equal(conds.find((c) => c.type === 'NetworkReady')?.reason, 'NoHostNetwork');
  assert.deepEqual(mergeConditions([[{ type: 'X', status: true, reason: '', message: '' }]]), [
    { type: 'X', status: true, reason: '', message: '' },
  ]);

  const alone = createRuntimeRouter({ default: containerd });
  assert.equal(alone.name, containerd.name);
  assert.deepEqual(alone.runtimes, [containerd]);
  assert.deepEqual(
    (await alone.runtimeHandlers()).map((h) => h.name),
    ['runc', ''],
  );
});

test('optional methods go to the holder, and answer undefined where it lacks them', async () => {
  const containerd = createFakeContainerRuntime({ images: ['busybox:1'], idPrefix: 'ctrd-' });
  const processes = createFakeContainerRuntime({ images: ['busybox:1'], idPrefix: 'proc-' });
  processes.unenforcedLimits = async () => 'no job objects';
  processes.openStream = async () => ({ exit: Promise.resolve(0), close: () => undefined });
  const router = createRuntimeRouter({ default: containerd, handlers: { process: processes } });
  const a = await router.runPodSandbox(sandbox('a', ''));
  const b = await router.runPodSandbox(sandbox('b', 'process'));
  const ca = await router.createContainer(a, container('a'), sandbox('a', ''));
  const cb = await router.createContainer(b, container('b'), sandbox('b', 'process'));
  assert.equal(await router.unenforcedLimits?.(ca), undefined);
  assert.equal(await router.unenforcedLimits?.(cb), 'no job objects');
  assert.equal(await router.openStream?.(ca, 'exec', ['sh'], { stdin: false, stdout: true, stderr: true, tty: false }), undefined);
  assert.equal(await (await router.openStream?.(cb, 'exec', ['sh'], { stdin: false, stdout: true, stderr: true, tty: false }))?.exit, 0);
});
