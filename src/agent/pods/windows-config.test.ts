import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from '../../api/gen/types.js';
import { containerConfig, sandboxConfig, type HostOs } from './runtime-config.js';
import { windowsContainerSecurity, windowsResources, windowsSandboxSecurity } from './windows-config.js';

const dns = { host: { servers: ['192.0.2.53'], searches: [], options: [] }, clusterDns: ['10.96.0.10'], clusterDomain: 'cluster.local' };

const windowsPod = (over: Partial<Container> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'iis', namespace: 'web', uid: 'u-win' },
  spec: {
    runtimeClassName: 'hyperv',
    securityContext: { windowsOptions: { runAsUserName: 'ContainerUser', gmsaCredentialSpec: '{"CmsPlugins":["ActiveDirectory"]}' } },
    containers: [
      {
        name: 'site',
        image: 'mcr.microsoft.com/windows/servercore/iis:ltsc2022',
        resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '250m' } },
        ...over,
      },
    ],
  },
});

const sandboxOf = (pod: Pod, os: HostOs) =>
  sandboxConfig({
    pod,
    attempt: 0,
    dataDir: '/data',
    dns,
    os,
    resourceParent: os === 'linux' ? '/tandem/burstable/podu-win' : undefined,
    runtimeHandler: 'runhcs-wcow-hypervisor',
  });

const containerOf = (pod: Pod, os: HostOs) => {
  const c = pod.spec?.containers[0];
  assert.ok(c);
  return containerConfig({
    pod,
    container: c,
    attempt: 1,
    image: c.image ?? '',
    envs: [],
    command: [],
    args: [],
    mounts: [],
    qosClass: 'Burstable',
    os,
    memoryCapacity: 16 * 1024 ** 3,
    cpuCapacity: 4,
  });
};

test('a Windows pod: the sandbox carries a windows section and no linux one', () => {
  const sb = sandboxOf(windowsPod(), 'windows');
  assert.equal(sb.linux, undefined);
  assert.equal(sb.runtimeHandler, 'runhcs-wcow-hypervisor');
  assert.deepEqual(sb.windows, {
    securityContext: { runAsUsername: 'ContainerUser', credentialSpec: '{"CmsPlugins":["ActiveDirectory"]}' },
  });
});

test("a Windows container: job object limits and its own identity over the pod's", () => {
  const cfg = containerOf(windowsPod({ securityContext: { windowsOptions: { runAsUserName: 'ContainerAdministrator' } } }), 'windows');
  assert.equal(cfg.linux, undefined);
  assert.deepEqual(cfg.windows?.resources, { cpuMaximum: 1250, memoryLimitInBytes: 256 * 1024 ** 2 });
  assert.deepEqual(cfg.windows?.securityContext, {
    runAsUsername: 'ContainerAdministrator',
    credentialSpec: '{"CmsPlugins":["ActiveDirectory"]}',
  });
  assert.equal(cfg.annotations['io.kubernetes.container.restartCount'], '1');
});

test('the same pod on a Linux host gets the linux sections only', () => {
  const pod = windowsPod();
  const sb = sandboxOf(pod, 'linux');
  assert.equal(sb.windows, undefined);
  assert.equal(sb.linux?.cgroupParent, '/tandem/burstable/podu-win');
  assert.deepEqual(sb.linux?.resources, { cpuShares: 256, cpuPeriod: 100_000, cpuQuota: 50_000, memoryLimitInBytes: 256 * 1024 ** 2 });
  const cfg = containerOf(pod, 'linux');
  assert.equal(cfg.windows, undefined);
  assert.equal(cfg.linux?.resources?.cpuQuota, 50000);
  assert.deepEqual(cfg.linux?.securityContext, {});
});

test('HostProcess: a container that asks makes the whole sandbox a HostProcess one', () => {
  const spec = {
    containers: [
      { name: 'a' },
      { name: 'agent', securityContext: { windowsOptions: { hostProcess: true, runAsUserName: 'NT AUTHORITY\\SYSTEM' } } },
    ],
    hostNetwork: true,
  };
  assert.deepEqual(windowsSandboxSecurity(spec), { hostProcess: true });
  assert.deepEqual(windowsSandboxSecurity({ containers: [{ name: 'a' }], securityContext: { windowsOptions: { hostProcess: true } } }), {
    hostProcess: true,
  });
  assert.deepEqual(windowsSandboxSecurity({ containers: [{ name: 'a' }] }), {});
  const [, agent] = spec.containers;
  assert.ok(agent);
  assert.deepEqual(windowsContainerSecurity(agent, undefined), { runAsUsername: 'NT AUTHORITY\\SYSTEM', hostProcess: true });
});

test('cpu maximum: a share of all processors in hundredths of a percent, at least 1, at most all', () => {
  const c = (cpu: string): Container => ({ name: 'c', resources: { limits: { cpu } } });
  assert.equal(windowsResources(c('1'), 4).cpuMaximum, 2500);
  assert.equal(windowsResources(c('8'), 4).cpuMaximum, 10000);
  assert.equal(windowsResources(c('1m'), 64).cpuMaximum, 1);
  assert.deepEqual(windowsResources({ name: 'c', resources: { requests: { cpu: '2', memory: '1Gi' } } }, 4), {});
});
