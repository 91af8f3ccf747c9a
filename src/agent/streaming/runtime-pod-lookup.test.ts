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
