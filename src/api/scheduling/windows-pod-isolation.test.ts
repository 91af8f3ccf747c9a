import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  entryFor,
  isolationPin,
  podIsolationOnHost,
  windowsBuildsOf,
  windowsHostOf,
  type ImagePlatforms,
  type WindowsHost,
} from './windows-pod-isolation.js';

const win = (osVersion: string, architecture = 'amd64') => ({ os: 'windows', architecture, osVersion, digest: `sha256:${osVersion}` });
const img = (image: string, ...versions: string[]): ImagePlatforms => ({ image, platforms: versions.map((v) => win(v)) });
const host = (build: number, hyperv: boolean, revision?: number): WindowsHost => ({
  name: `w${build}`,
  build: { major: 10, minor: 0, build, ...(revision !== undefined ? { revision } : {}) },
  architecture: 'amd64',
  hyperv,
});

test('process isolation on the own build, the highest revision of it', () => {
  const v = podIsolationOnHost([img('app:1', '10.0.17763.100', '10.0.20348.1', '10.0.20348.7')], host(20348, true));
  assert.equal(v.isolation, 'process');
  assert.equal(v.entries[0]?.osVersion, '10.0.20348.7');
  assert.match(v.reason, /process isolation: app:1 is built for the node's own build 10\.0\.20348/);
});

test('a WS2022 image runs process-isolated on WS2025, but an own-build entry is preferred', () => {
  assert.equal(podIsolationOnHost([img('a', '10.0.20348.1')], host(26100, false)).isolation, 'process');
  const both = podIsolationOnHost([img('a', '10.0.20348.1', '10.0.26100.3')], host(26100, false));
  assert.equal(both.entries[0]?.osVersion, '10.0.26100.3');
});

test('an older image goes to Hyper-V with its own (newest older) build, not the host one', () => {
  const v = podIsolationOnHost([img('old', '10.0.14393.5', '10.0.17763.9')], host(20348, true));
  assert.equal(v.isolation, 'hyperv');
  assert.equal(v.entries[0]?.osVersion, '10.0.17763.9');
  assert.match(v.reason, /Hyper-V isolation: old is built for Windows 10\.0\.17763 and the node runs 10\.0\.20348/);
});

test('an older image on a node without Hyper-V cannot run, and the reason says what is missing', () => {
  const v = podIsolationOnHost([img('old', '10.0.17763.9')], host(20348, false));
  assert.equal(v.isolation, undefined);
  assert.match(
    v.reason,
    /older than the node's 10\.0\.20348: it needs Hyper-V isolation, and the node has no runhcs-wcow-hypervisor handler/,
  );
});

test('an image newer than the node never runs', () => {
  const v = podIsolationOnHost([img('new', '10.0.26100.1')], host(20348, true));
  assert.equal(v.isolation, undefined);
  assert.match(v.reason, /image new is built for Windows 10\.0\.26100, newer than the node's 10\.0\.20348/);
});

test('an image without Windows entries, or without one for the node architecture', () => {
  const linux: ImagePlatforms = {
    image: 'nginx',
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
  };
  assert.match(
    podIsolationOnHost([linux], host(20348, true)).reason,
    /image nginx has no Windows entry \(it offers linux\/amd64, linux\/arm64\)/,
  );
  const arm: ImagePlatforms = { image: 'x', platforms: [win('10.0.20348.1', 'arm64')] };
  assert.match(podIsolationOnHost([arm], host(20348, true)).reason, /has no Windows entry for amd64/);
});

test('one isolation for the whole pod: one old image moves every container to Hyper-V', () => {
  const v = podIsolationOnHost([img('a', '10.0.20348.1'), img('b', '10.0.17763.1')], host(20348, true));
  assert.equal(v.isolation, 'hyperv');
  assert.deepEqual(
    v.entries.map((e) => e?.osVersion),
    ['10.0.20348.1', '10.0.17763.1'],
  );
});

test('pins are checked against the same rules', () => {
  const pinHv = { isolation: 'hyperv' as const, by: 'RuntimeClass "hv" (handler runhcs-wcow-hypervisor)' };
  const pinP = { isolation: 'process' as const, by: 'RuntimeClass "p" (handler runhcs-wcow-process)' };
  const same = podIsolationOnHost([img('a', '10.0.17763.1', '10.0.20348.1')], host(20348, true), pinHv);
  assert.equal(same.isolation, 'hyperv');
  assert.equal(same.entries[0]?.osVersion, '10.0.20348.1', 'under Hyper-V the newest build not newer than the host');
  assert.match(
    podIsolationOnHost([img('a', '10.0.20348.1')], host(20348, false), pinHv).reason,
    /asks for Hyper-V isolation, and the node has no runhcs-wcow-hypervisor/,
  );
  const p = podIsolationOnHost([img('a', '10.0.17763.1')], host(20348, true), pinP);
  assert.equal(p.isolation, undefined);
  assert.match(p.reason, /asks for process isolation, and image a \(Windows 10\.0\.17763\) runs process-isolated only on its own build/);
});

test('WS2016 needs the same revision for process isolation', () => {
  assert.equal(podIsolationOnHost([img('a', '10.0.14393.100')], host(14393, false, 200)).isolation, undefined);
  assert.equal(
    podIsolationOnHost([img('a', '10.0.14393.100', '10.0.14393.200')], host(14393, false, 200)).entries[0]?.osVersion,
    '10.0.14393.200',
  );
});

test('entryFor and windowsBuildsOf', () => {
  const p = img('a', '10.0.26100.1', '10.0.17763.4', '10.0.17763.2').platforms;
  assert.equal(entryFor(p, host(20348, true), 'hyperv')?.osVersion, '10.0.17763.4');
  assert.equal(entryFor(p, host(20348, false), 'hyperv'), undefined);
  assert.equal(entryFor(p, host(20348, true), 'process'), undefined);
  assert.deepEqual(windowsBuildsOf(p), ['10.0.17763', '10.0.26100']);
});

test('windowsHostOf reads the build (with revision from kernelVersion), the architecture and Hyper-V', () => {
  const h = windowsHostOf({
    metadata: { name: 'w', labels: { 'node.kubernetes.io/windows-build': '10.0.20348', 'kubernetes.io/arch': 'amd64' } },
    status: { nodeInfo: { kernelVersion: '10.0.20348.2700' } as never, runtimeHandlers: [{ name: 'runhcs-wcow-hypervisor' }] },
  });
  assert.deepEqual(h, { name: 'w', build: { major: 10, minor: 0, build: 20348, revision: 2700 }, architecture: 'amd64', hyperv: true });
  assert.equal(windowsHostOf({ metadata: { name: 'l', labels: {} }, status: {} }), undefined);
  const noHv = windowsHostOf({
    metadata: { name: 'w', labels: { 'node.kubernetes.io/windows-build': '10.0.17763' } },
    status: { runtimeHandlers: [{ name: '' }] },
  });
  assert.equal(noHv?.hyperv, false);
});

test('isolationPin: RuntimeClass handlers, the legacy annotation, ours, and disagreement', () => {
  const pod = (annotations: Record<string, string> = {}) => ({ metadata: { annotations }, spec: { containers: [] } });
  assert.equal(isolationPin(pod()), undefined);
  assert.deepEqual(isolationPin(pod({ 'experimental.windows.kubernetes.io/isolation-type': 'hyperv' })), {
    isolation: 'hyperv',
    by: 'annotation experimental.windows.kubernetes.io/isolation-type: hyperv',
  });
  assert.equal((isolationPin(pod(), { name: 'p', handler: 'runhcs-wcow-process' }) as { isolation: string }).isolation, 'process');
  assert.equal(isolationPin(pod(), { name: 'x', handler: 'runc' }), undefined);
  assert.match(
    String(
      isolationPin(pod({ 'experimental.windows.kubernetes.io/isolation-type': 'hyperv' }), { name: 'p', handler: 'runhcs-wcow-process' }),
    ),
    /two isolations: process by RuntimeClass "p" .* and hyperv by annotation/,
  );
  assert.match(String(isolationPin(pod({ 'tandem.dev/isolation': 'vm' }))), /must be process or hyperv, not "vm"/);
});
