import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerConfig, SandboxConfig } from '../runtime/runtime.js';
import { createFakeContainerRuntime } from '../testing/fake-container-runtime.js';
import { createRuntimePodLookup } from './runtime-pod-lookup.js';

const labels = { 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.uid': 'u1' };
const sandbox: SandboxConfig = {
  name: 'web',
  namespace: 'default',
  uid: 'u1',
  attempt: 0,
  hostname: 'web',
  logDirectory: '/tmp/logs',
  portMappings: [],
  labels,
  annotations: {},
  runtimeHandler: '',
  linux: {},
};
const container = (name: string): ContainerConfig => ({
  name,
  attempt: 0,
  image: 'busybox',
  command: [],
  args: [],
  envs: [],
  mounts: [],
  logPath: `${name}/0.log`,
  labels: { ...labels, 'io.kubernetes.container.name': name },
  annotations: {},
  linux: {},
});

test('a container started after the last refresh is found: the lookup refreshes when it is missing', async () => {
  const rt = createFakeContainerRuntime({ images: ['busybox'] });
  const sb = await rt.runPodSandbox(sandbox);
  await rt.createContainer(sb, container('server'), sandbox);
  const lookup = createRuntimePodLookup(rt, '/data', 60_000);
  await lookup.refresh();
  const first = await lookup.lookup('default', 'web');
  assert.deepEqual([...(first?.containers.keys() ?? [])], ['server']);
  // the second container starts between two periodic refreshes
  await rt.createContainer(sb, container('client'), sandbox);
  assert.equal((await lookup.lookup('default', 'web'))?.containers.has('client'), false, 'without the container hint: the cached view');
  assert.equal((await lookup.lookup('default', 'web', 'client'))?.containers.has('client'), true, 'asking for it refreshes');
  assert.equal(
    (await lookup.lookup('default', 'web', 'ghost'))?.containers.has('ghost'),
    false,
    'a container that does not exist stays missing',
  );
  lookup.stop();
});

const podLabels = (name: string, uid: string) => ({
  'io.kubernetes.pod.namespace': 'default',
  'io.kubernetes.pod.name': name,
  'io.kubernetes.pod.uid': uid,
});
const sandboxOf = (name: string, uid: string, attempt = 0): SandboxConfig => ({
  ...sandbox,
  name,
  uid,
  attempt,
  labels: podLabels(name, uid),
});
const containerOf = (pod: string, uid: string, name: string, attempt: number): ContainerConfig => ({
  ...container(name),
  attempt,
  logPath: `${name}/${attempt}.log`,
  labels: { ...podLabels(pod, uid), 'io.kubernetes.container.name': name },
});

test('a finished pod (stopped sandbox, exited containers) is still found, with its containers', async () => {
  const rt = createFakeContainerRuntime({ images: ['busybox'] });
  const sb = await rt.runPodSandbox(sandboxOf('once', 'u-once'));
  const main = await rt.createContainer(sb, containerOf('once', 'u-once', 'main', 0), sandbox);
  await rt.startContainer(main);
  rt.exit(main, 0);
  await rt.stopPodSandbox(sb);
  assert.equal((await rt.podSandboxStatus(sb)).state, 'notready');
  const lookup = createRuntimePodLookup(rt, '/data', 60_000);
  const pod = await lookup.lookup('default', 'once', 'main');
  assert.ok(pod, 'a Completed pod is found');
  assert.equal(pod.uid, 'u-once');
  assert.equal(pod.sandboxId, sb);
  assert.equal(pod.containers.get('main'), main);
  assert.equal(pod.logDir, '/data/logs/pods/default_once_u-once');
  assert.equal(pod.podIP, undefined, 'a stopped sandbox has no pod IP to dial');
  assert.equal(await lookup.lookup('default', 'nothing'), undefined, 'a pod the runtime does not hold is not found');
  lookup.stop();
});

test('a pod whose sandbox was re-created: the newest attempt of each container, over all its sandboxes', async () => {
  const rt = createFakeContainerRuntime({ images: ['busybox'] });
  const first = await rt.runPodSandbox(sandboxOf('web', 'u1', 0));
  const a0 = await rt.createContainer(first, containerOf('web', 'u1', 'app', 0), sandbox);
  const side = await rt.createContainer(first, containerOf('web', 'u1', 'side', 0), sandbox);
  await rt.stopPodSandbox(first);
  const second = await rt.runPodSandbox(sandboxOf('web', 'u1', 1));
  rt.sandboxes.get(second)!.status.createdAt = rt.sandboxes.get(first)!.status.createdAt + 1_000_000;
  const a1 = await rt.createContainer(second, containerOf('web', 'u1', 'app', 1), sandbox);
  const lookup = createRuntimePodLookup(rt, '/data', 60_000);
  const pod = await lookup.lookup('default', 'web', 'app');
  assert.equal(pod?.sandboxId, second, 'the ready sandbox');
  assert.equal(pod?.containers.get('app'), a1);
  assert.notEqual(pod?.containers.get('app'), a0);
  assert.equal(pod?.containers.get('side'), side, 'a container only the old sandbox had is still known');
  lookup.stop();
});

test('a name taken by a new pod: its ready sandbox wins over the stopped one of the pod before', async () => {
  const rt = createFakeContainerRuntime({ images: ['busybox'] });
  const old = await rt.runPodSandbox(sandboxOf('job', 'u-old'));
  const oldMain = await rt.createContainer(old, containerOf('job', 'u-old', 'main', 0), sandbox);
  await rt.stopPodSandbox(old);
  const lookup = createRuntimePodLookup(rt, '/data', 60_000);
  assert.equal((await lookup.lookup('default', 'job', 'main'))?.containers.get('main'), oldMain);
  const fresh = await rt.runPodSandbox(sandboxOf('job', 'u-new'));
  const newMain = await rt.createContainer(fresh, containerOf('job', 'u-new', 'main', 0), sandbox);
  // the old sandbox is made to look newer: readiness decides, not the order
  rt.sandboxes.get(old)!.status.createdAt = rt.sandboxes.get(fresh)!.status.createdAt + 1_000_000;
  await lookup.refresh();
  const pod = await lookup.lookup('default', 'job', 'main');
  assert.equal(pod?.uid, 'u-new');
  assert.equal(pod?.containers.get('main'), newMain, "never the old pod's container");
  assert.equal(pod?.logDir, '/data/logs/pods/default_job_u-new');
  // both stopped: the newest sandbox's pod
  await rt.stopPodSandbox(fresh);
  await lookup.refresh();
  assert.equal((await lookup.lookup('default', 'job'))?.uid, 'u-old');
  rt.sandboxes.get(fresh)!.status.createdAt = rt.sandboxes.get(old)!.status.createdAt + 1_000_000;
  await lookup.refresh();
  assert.equal((await lookup.lookup('default', 'job'))?.uid, 'u-new');
  lookup.stop();
});
