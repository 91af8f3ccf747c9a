// The Linux sandbox and container security fields the agent sends for hostNetwork, hostPID, hostIPC,
// shareProcessNamespace and privileged pods, checked as wire objects and through the codec, read back
// with a separate declaration of the CRI's field numbers (kubernetes/cri-api api.proto).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Container, Pod, PodSpec } from '../../../api/gen/types.js';
import { containerConfig, sandboxConfig } from '../../pods/runtime-config.js';
import { criProtoPath } from './cri-client.js';
import { toWireContainerConfig, toWireSandboxConfig } from './cri-convert.js';
import { decodeMessage, encodeMessage } from './proto-codec.js';
import { parseProto } from './proto-parse.js';

const CRI_NUMBERS = parseProto(`
syntax = "proto3";
package check;
enum Mode { POD = 0; CONTAINER = 1; NODE = 2; TARGET = 3; }
message Ns { Mode network = 1; Mode pid = 2; Mode ipc = 3; }
message SandboxSecurity { Ns namespace_options = 1; bool privileged = 6; }
message LinuxSandbox { string cgroup_parent = 1; SandboxSecurity security_context = 2; }
message PodSandboxConfig { string hostname = 2; LinuxSandbox linux = 8; }
message RunPodSandboxRequest { PodSandboxConfig config = 1; }
message ContainerSecurity { bool privileged = 2; Ns namespace_options = 3; }
message LinuxContainer { ContainerSecurity security_context = 2; }
message ContainerConfig { LinuxContainer linux = 15; }
message CreateContainerRequest { string pod_sandbox_id = 1; ContainerConfig config = 2; PodSandboxConfig sandbox_config = 3; }
`);
const cri = parseProto(readFileSync(criProtoPath(), 'utf8'));
const message = (f: ReturnType<typeof parseProto>, name: string) => {
  const m = f.messages.get(name);
  assert.ok(m, name);
  return m;
};
const obj = (v: unknown): Record<string, unknown> => {
  assert.ok(v && typeof v === 'object' && !Array.isArray(v), `object expected, got ${JSON.stringify(v)}`);
  return Object.fromEntries(Object.entries(v));
};

const podOf = (spec: Partial<PodSpec>): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'agent', namespace: 'kube-system', uid: 'u-1' },
  spec: { containers: [{ name: 'main', image: 'busybox' }], ...spec },
});
const sandboxOf = (pod: Pod) =>
  sandboxConfig({
    pod,
    attempt: 0,
    dataDir: '/data',
    dns: { host: { servers: ['192.0.2.53'], searches: [], options: [] }, clusterDns: ['10.96.0.10'], clusterDomain: 'cluster.local' },
    os: 'linux',
    resourceParent: '/tandem/besteffort/podu-1',
    runtimeHandler: '',
  });
const containerOf = (pod: Pod, c: Container) =>
  containerConfig({
    pod,
    container: c,
    attempt: 0,
    image: 'busybox',
    envs: [],
    command: [],
    args: [],
    mounts: [],
    qosClass: 'BestEffort',
    os: 'linux',
    memoryCapacity: 8 * 1024 ** 3,
    cpuCapacity: 2,
  });
/** RunPodSandbox's config and CreateContainer's linux security context, encoded with cri.proto and read back by field number. */
function onTheWire(pod: Pod, c: Container) {
  const sb = sandboxOf(pod);
  const run = decodeMessage(
    message(CRI_NUMBERS, 'check.RunPodSandboxRequest'),
    encodeMessage(message(cri, 'runtime.v1.RunPodSandboxRequest'), { config: toWireSandboxConfig(sb), runtime_handler: '' }),
  );
  const create = decodeMessage(
    message(CRI_NUMBERS, 'check.CreateContainerRequest'),
    encodeMessage(message(cri, 'runtime.v1.CreateContainerRequest'), {
      pod_sandbox_id: 's',
      config: toWireContainerConfig(containerOf(pod, c), sb),
      sandbox_config: toWireSandboxConfig(sb),
    }),
  );
  const config = obj(run['config']);
  return {
    hostname: config['hostname'],
    sandbox: obj(obj(config['linux'])['security_context']),
    container: obj(obj(obj(create['config'])['linux'])['security_context']),
    sandboxOfCreate: obj(obj(obj(create['sandbox_config'])['linux'])['security_context']),
  };
}

test('an ordinary pod: its own network and IPC, a PID namespace per container, not privileged, its name as hostname', () => {
  const pod = podOf({});
  const w = onTheWire(pod, pod.spec!.containers[0]!);
  assert.equal(w.hostname, 'agent');
  assert.deepEqual(w.sandbox, { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' }, privileged: false });
  assert.deepEqual(w.container, { privileged: false, namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } });
  assert.deepEqual(toWireSandboxConfig(sandboxOf(pod)).linux?.security_context, {
    namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' },
  });
});

test("hostNetwork, hostPID and hostIPC: the node's namespaces for the sandbox and its containers, and no hostname", () => {
  const pod = podOf({ hostNetwork: true, hostPID: true, hostIPC: true });
  const w = onTheWire(pod, pod.spec!.containers[0]!);
  const node = { network: 'NODE', pid: 'NODE', ipc: 'NODE' };
  assert.equal(w.hostname, '', 'runc cannot set a hostname without a private UTS namespace');
  assert.deepEqual(w.sandbox['namespace_options'], node);
  assert.deepEqual(w.container['namespace_options'], node);
  assert.deepEqual(w.sandboxOfCreate['namespace_options'], node);
  const sb = sandboxOf(pod);
  assert.equal(sb.hostNetwork, true);
  assert.equal(sb.dnsServers?.[0], '192.0.2.53', "ClusterFirst on the host network resolves with the node's servers");
  // each field on its own
  assert.deepEqual(onTheWire(podOf({ hostNetwork: true }), pod.spec!.containers[0]!).sandbox['namespace_options'], {
    network: 'NODE',
    pid: 'CONTAINER',
    ipc: 'POD',
  });
  assert.deepEqual(onTheWire(podOf({ hostPID: true }), pod.spec!.containers[0]!).container['namespace_options'], {
    network: 'POD',
    pid: 'NODE',
    ipc: 'POD',
  });
  assert.deepEqual(onTheWire(podOf({ hostIPC: true }), pod.spec!.containers[0]!).container['namespace_options'], {
    network: 'POD',
    pid: 'CONTAINER',
    ipc: 'NODE',
  });
  assert.equal(onTheWire(podOf({ hostPID: true }), pod.spec!.containers[0]!).hostname, 'agent', 'only hostNetwork drops the hostname');
});

test('shareProcessNamespace: one PID namespace for the pod; hostPID wins over it', () => {
  const c = { name: 'main', image: 'busybox' };
  assert.deepEqual(onTheWire(podOf({ shareProcessNamespace: true }), c).sandbox['namespace_options'], {
    network: 'POD',
    pid: 'POD',
    ipc: 'POD',
  });
  assert.equal(obj(onTheWire(podOf({ shareProcessNamespace: true, hostPID: true }), c).sandbox['namespace_options'])['pid'], 'NODE');
});

test('a privileged container makes its sandbox privileged, whichever kind of container it is', () => {
  const plain: Container = { name: 'main', image: 'busybox' };
  const priv: Container = { name: 'setup', image: 'busybox', securityContext: { privileged: true } };
  const withInit = podOf({ initContainers: [priv], containers: [plain] });
  const w = onTheWire(withInit, plain);
  assert.equal(w.sandbox['privileged'], true, 'the sandbox of a pod with a privileged init container');
  assert.equal(w.sandboxOfCreate['privileged'], true, 'CreateContainer carries the same sandbox config');
  assert.equal(w.container['privileged'], false, 'its other containers stay unprivileged');
  assert.equal(onTheWire(withInit, priv).container['privileged'], true);
  const main = podOf({ containers: [{ ...plain, securityContext: { privileged: true } }] });
  assert.equal(onTheWire(main, main.spec!.containers[0]!).sandbox['privileged'], true);
  const ephemeral = podOf({ ephemeralContainers: [{ name: 'debug', image: 'busybox', securityContext: { privileged: true } }] });
  assert.equal(onTheWire(ephemeral, plain).sandbox['privileged'], true);
  const explicitFalse = podOf({ containers: [{ ...plain, securityContext: { privileged: false } }] });
  assert.equal(onTheWire(explicitFalse, plain).sandbox['privileged'], false);
});

test('a sandbox config without a security context (tests, older callers): namespaces from hostNetwork as before', () => {
  const sb = { ...sandboxOf(podOf({})), hostNetwork: true, linux: { cgroupParent: '/x' } };
  assert.deepEqual(toWireSandboxConfig(sb).linux?.security_context, {
    namespace_options: { network: 'NODE', pid: 'CONTAINER', ipc: 'POD' },
  });
});
