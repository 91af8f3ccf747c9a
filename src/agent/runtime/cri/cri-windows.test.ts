// The Windows sections of the CRI requests built for a Windows pod, checked field by field: first
// as wire objects, then through the codec with the project's cri.proto, read back with a separate
// declaration that states the CRI's field numbers for these messages (kubernetes/cri-api api.proto).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Pod } from '../../../api/gen/types.js';
import { containerConfig, sandboxConfig } from '../../pods/runtime-config.js';
import { criProtoPath } from './cri-client.js';
import { fromWireWindowsContainerStats, toWireContainerConfig, toWireSandboxConfig, toWireWindowsResources } from './cri-convert.js';
import type { WireWindowsContainerStats } from './cri-wire.js';
import { decodeMessage, encodeMessage } from './proto-codec.js';
import { parseProto, type MessageDescriptor, type ProtoFile } from './proto-parse.js';

const CRI_NUMBERS = parseProto(`
syntax = "proto3";
package check;
message WindowsSecurity { string run_as_username = 1; string credential_spec = 2; bool host_process = 3; }
message WindowsResources { int64 cpu_shares = 1; int64 cpu_count = 2; int64 cpu_maximum = 3; int64 memory_limit_in_bytes = 4; int64 rootfs_size_in_bytes = 5; }
message WindowsPodSandboxConfig { WindowsSecurity security_context = 1; }
message PodSandboxConfig { bytes linux = 8; WindowsPodSandboxConfig windows = 9; }
message RunPodSandboxRequest { PodSandboxConfig config = 1; string runtime_handler = 2; }
message WindowsContainerConfig { WindowsResources resources = 1; WindowsSecurity security_context = 2; }
message ContainerConfig { bytes linux = 15; WindowsContainerConfig windows = 16; }
message CreateContainerRequest { string pod_sandbox_id = 1; ContainerConfig config = 2; PodSandboxConfig sandbox_config = 3; }
message UpdateContainerResourcesRequest { string container_id = 1; bytes linux = 2; WindowsResources windows = 3; }
message U64 { uint64 value = 1; }
message Cpu { int64 timestamp = 1; U64 usage_core_nano_seconds = 2; U64 usage_nano_cores = 3; }
message Mem { int64 timestamp = 1; U64 working_set_bytes = 2; U64 available_bytes = 3; U64 page_faults = 4; U64 commit_memory_bytes = 5; }
message Proc { int64 timestamp = 1; U64 process_count = 2; }
message Meta { string name = 1; uint32 attempt = 2; }
message Attrs { string id = 1; Meta metadata = 2; }
message WinContainerStats { Attrs attributes = 1; Cpu cpu = 2; Mem memory = 3; }
message WinPodStats { Cpu cpu = 1; Mem memory = 2; bytes network = 3; Proc process = 4; repeated WinContainerStats containers = 5; }
message PodStats { Attrs attributes = 1; bytes linux = 2; WinPodStats windows = 3; }
message ListPodSandboxStatsResponse { repeated PodStats stats = 1; }
`);

const cri = parseProto(readFileSync(criProtoPath(), 'utf8'));
const msg = (f: ProtoFile, name: string): MessageDescriptor => {
  const m = f.messages.get(name);
  assert.ok(m, name);
  return m;
};
const obj = (v: unknown): Record<string, unknown> => {
  assert.ok(v && typeof v === 'object' && !Array.isArray(v), `object expected, got ${JSON.stringify(v)}`);
  return Object.fromEntries(Object.entries(v));
};

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'iis', namespace: 'web', uid: 'u-win' },
  spec: {
    securityContext: { windowsOptions: { runAsUserName: 'ContainerUser', gmsaCredentialSpec: '{"ActiveDirectoryConfig":{}}' } },
    containers: [{ name: 'site', image: 'iis:ltsc2022', resources: { limits: { cpu: '2', memory: '1Gi' } } }],
  },
};
const sandbox = sandboxConfig({
  pod,
  attempt: 0,
  dataDir: 'C:\\tandem',
  dns: { host: { servers: [], searches: [], options: [] }, clusterDns: [], clusterDomain: 'cluster.local' },
  os: 'windows',
  resourceParent: undefined,
  runtimeHandler: 'runhcs-wcow-process',
});
const container = containerConfig({
  pod,
  container: pod.spec?.containers[0] ?? { name: 'missing' },
  attempt: 0,
  image: 'iis:ltsc2022',
  envs: [],
  command: [],
  args: [],
  mounts: [],
  qosClass: 'Guaranteed',
  os: 'windows',
  memoryCapacity: 8 * 1024 ** 3,
  cpuCapacity: 8,
});

test('wire objects of a Windows pod: windows sections only, field by field', () => {
  const sb = toWireSandboxConfig(sandbox);
  assert.equal(sb.linux, undefined);
  assert.deepEqual(sb.windows, {
    security_context: { run_as_username: 'ContainerUser', credential_spec: '{"ActiveDirectoryConfig":{}}', host_process: false },
  });
  const c = toWireContainerConfig(container, sandbox);
  assert.equal(c.linux, undefined);
  assert.deepEqual(c.windows, {
    resources: { cpu_maximum: 2500, memory_limit_in_bytes: 1024 ** 3 },
    security_context: { run_as_username: 'ContainerUser', credential_spec: '{"ActiveDirectoryConfig":{}}', host_process: false },
  });
});

test('RunPodSandbox and CreateContainer carry windows under the CRI field numbers', () => {
  const run = encodeMessage(msg(cri, 'runtime.v1.RunPodSandboxRequest'), {
    config: toWireSandboxConfig(sandbox),
    runtime_handler: sandbox.runtimeHandler,
  });
  const r = decodeMessage(msg(CRI_NUMBERS, 'check.RunPodSandboxRequest'), run);
  assert.equal(r['runtime_handler'], 'runhcs-wcow-process');
  const cfg = obj(r['config']);
  assert.equal(Buffer.isBuffer(cfg['linux']) && cfg['linux'].length, 0, 'no linux section (field 8)');
  assert.deepEqual(obj(obj(cfg['windows'])['security_context']), {
    run_as_username: 'ContainerUser',
    credential_spec: '{"ActiveDirectoryConfig":{}}',
    host_process: false,
  });

  const create = encodeMessage(msg(cri, 'runtime.v1.CreateContainerRequest'), {
    pod_sandbox_id: 's1',
    config: toWireContainerConfig(container, sandbox),
    sandbox_config: toWireSandboxConfig(sandbox),
  });
  // ContainerConfig.windows is field 16: tag (16 << 3 | 2) = 0x82 0x01
  assert.ok(create.toString('hex').includes('8201'), 'tag of field 16');
  const c = decodeMessage(msg(CRI_NUMBERS, 'check.CreateContainerRequest'), create);
  const w = obj(obj(c['config'])['windows']);
  assert.deepEqual(obj(w['resources']), {
    cpu_shares: 0,
    cpu_count: 0,
    cpu_maximum: 2500,
    memory_limit_in_bytes: 1024 ** 3,
    rootfs_size_in_bytes: 0,
  });
  assert.deepEqual(obj(w['security_context']), {
    run_as_username: 'ContainerUser',
    credential_spec: '{"ActiveDirectoryConfig":{}}',
    host_process: false,
  });
  assert.equal(obj(obj(obj(c['sandbox_config'])['windows'])['security_context'])['run_as_username'], 'ContainerUser');
});

test('UpdateContainerResources sends windows resources as field 3, and a HostProcess flag round-trips', () => {
  const req = msg(cri, 'runtime.v1.UpdateContainerResourcesRequest');
  const bytes = encodeMessage(req, {
    container_id: 'c1',
    windows: toWireWindowsResources({ cpuMaximum: 5000, cpuCount: 2, memoryLimitInBytes: 512 }),
  });
  const back = decodeMessage(msg(CRI_NUMBERS, 'check.UpdateContainerResourcesRequest'), bytes);
  assert.deepEqual(obj(back['windows']), {
    cpu_shares: 0,
    cpu_count: 2,
    cpu_maximum: 5000,
    memory_limit_in_bytes: 512,
    rootfs_size_in_bytes: 0,
  });
  assert.equal(Buffer.isBuffer(back['linux']) && back['linux'].length, 0);

  const hp = toWireSandboxConfig({ ...sandbox, windows: { securityContext: { hostProcess: true } } });
  const decoded = decodeMessage(msg(cri, 'runtime.v1.PodSandboxConfig'), encodeMessage(msg(cri, 'runtime.v1.PodSandboxConfig'), hp));
  assert.equal(obj(obj(decoded['windows'])['security_context'])['host_process'], true);
});

test('a HostProcess pod with a gMSA spec name sets host_process on the sandbox and every container', () => {
  const hp: Pod = {
    ...pod,
    spec: {
      hostNetwork: true,
      securityContext: { windowsOptions: { hostProcess: true, runAsUserName: 'NT AUTHORITY\\SYSTEM' } },
      containers: [{ name: 'agent', image: 'tools:1' }],
    },
  };
  const sb = sandboxConfig({
    pod: hp,
    attempt: 0,
    dataDir: 'C:\\tandem',
    dns: { host: { servers: [], searches: [], options: [] }, clusterDns: [], clusterDomain: 'cluster.local' },
    os: 'windows',
    resourceParent: undefined,
    runtimeHandler: '',
  });
  const c = containerConfig({
    pod: hp,
    container: hp.spec?.containers[0] ?? { name: 'missing' },
    attempt: 0,
    image: 'tools:1',
    envs: [],
    command: [],
    args: [],
    mounts: [],
    qosClass: 'BestEffort',
    os: 'windows',
    memoryCapacity: 8 * 1024 ** 3,
    cpuCapacity: 8,
  });
  const run = decodeMessage(
    msg(CRI_NUMBERS, 'check.RunPodSandboxRequest'),
    encodeMessage(msg(cri, 'runtime.v1.RunPodSandboxRequest'), { config: toWireSandboxConfig(sb), runtime_handler: '' }),
  );
  assert.deepEqual(obj(obj(obj(run['config'])['windows'])['security_context']), {
    run_as_username: 'NT AUTHORITY\\SYSTEM',
    credential_spec: '',
    host_process: true,
  });
  const create = decodeMessage(
    msg(CRI_NUMBERS, 'check.CreateContainerRequest'),
    encodeMessage(msg(cri, 'runtime.v1.CreateContainerRequest'), { pod_sandbox_id: 's', config: toWireContainerConfig(c, sb) }),
  );
  const sc = obj(obj(obj(create['config'])['windows'])['security_context']);
  assert.equal(sc['host_process'], true);
  assert.equal(sc['run_as_username'], 'NT AUTHORITY\\SYSTEM');
});

test('Windows pod stats (PodSandboxStats.windows = 3) decode and map as the kubelet reads them', () => {
  const u = (value: number) => ({ value });
  const bytes = encodeMessage(msg(CRI_NUMBERS, 'check.ListPodSandboxStatsResponse'), {
    stats: [
      {
        attributes: { id: 'sb1', metadata: { name: 'iis', attempt: 0 } },
        windows: {
          cpu: { timestamp: 7, usage_core_nano_seconds: u(5e9), usage_nano_cores: u(2e8) },
          memory: {
            timestamp: 7,
            working_set_bytes: u(300e6),
            available_bytes: u(700e6),
            page_faults: u(9),
            commit_memory_bytes: u(400e6),
          },
          process: { timestamp: 7, process_count: u(4) },
          containers: [
            {
              attributes: { id: 'c1', metadata: { name: 'site', attempt: 1 } },
              cpu: { timestamp: 7, usage_core_nano_seconds: u(4e9), usage_nano_cores: u(1e8) },
              memory: {
                timestamp: 7,
                working_set_bytes: u(250e6),
                available_bytes: u(0),
                page_faults: u(1),
                commit_memory_bytes: u(350e6),
              },
            },
          ],
        },
      },
    ],
  });
  const r = decodeMessage(msg(cri, 'runtime.v1.ListPodSandboxStatsResponse'), bytes);
  const stats = r['stats'];
  assert.ok(Array.isArray(stats) && stats.length === 1);
  const w = obj(obj(stats[0])['windows']);
  assert.equal(obj(obj(w['process'])['process_count'])['value'], 4);
  const containers = w['containers'];
  assert.ok(Array.isArray(containers));
  const c = fromWireWindowsContainerStats(containers[0] as WireWindowsContainerStats, 'sb1');
  assert.deepEqual(c, {
    id: 'c1',
    name: 'site',
    sandboxId: 'sb1',
    cpuUsageCoreNanoSeconds: 4e9,
    cpuUsageNanoCores: 1e8,
    memoryWorkingSetBytes: 250e6,
    memoryUsageBytes: 350e6,
    memoryRssBytes: 0,
    timestamp: 7,
  });
});
