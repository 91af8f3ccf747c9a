import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWindowsVersion, windowsIsolation, type WindowsVersion } from './windows-isolation.js';

const v = (build: number, revision?: number): WindowsVersion => ({
  major: 10,
  minor: 0,
  build,
  ...(revision !== undefined ? { revision } : {}),
});

// Every pair of Windows Server 2016, 2019, 2022 and 2025 builds, written out by hand from Microsoft's
// compatibility table (notes/windows.md §1.3), not computed: image build → host build → without
// Hyper-V / with Hyper-V. P = process isolation, H = Hyper-V, - = cannot run.
const TABLE: Record<number, Record<number, [string, string]>> = {
  14393: { 14393: ['P', 'P'], 17763: ['-', 'H'], 20348: ['-', 'H'], 26100: ['-', 'H'] },
  17763: { 14393: ['-', '-'], 17763: ['P', 'P'], 20348: ['-', 'H'], 26100: ['-', 'H'] },
  20348: { 14393: ['-', '-'], 17763: ['-', '-'], 20348: ['P', 'P'], 26100: ['P', 'P'] },
  26100: { 14393: ['-', '-'], 17763: ['-', '-'], 20348: ['-', '-'], 26100: ['P', 'P'] },
};
const code = (iso: string | undefined) => (iso === 'process' ? 'P' : iso === 'hyperv' ? 'H' : '-');

test('every pair of builds 14393, 17763, 20348, 26100, with and without Hyper-V', () => {
  let cases = 0;
  for (const [image, hosts] of Object.entries(TABLE)) {
    for (const [host, [without, withHv]] of Object.entries(hosts)) {
      for (const [hv, want] of [
        [false, without],
        [true, withHv],
      ] as const) {
        const got = windowsIsolation(v(Number(image)), v(Number(host)), hv);
        assert.equal(code(got.isolation), want, `image ${image} on host ${host}, Hyper-V ${hv}: ${got.reason}`);
        assert.ok(got.reason.length > 20, 'a reason in words');
        if (want === 'P' && hv) assert.deepEqual(got.possible, ['process', 'hyperv'], 'Hyper-V stays possible beside process');
        if (want === '-') assert.deepEqual(got.possible, []);
        cases++;
      }
    }
  }
  assert.equal(cases, 32);
});

test('reasons name the builds and the fix', () => {
  assert.match(windowsIsolation(v(26100), v(20348), true).reason, /newer than the host's 10\.0\.20348/);
  assert.match(windowsIsolation(v(17763), v(20348), false).reason, /no Hyper-V isolation \(runhcs-wcow-hypervisor\)/);
  assert.match(windowsIsolation(v(20348), v(26100), false).reason, /Windows Server 2022 .* Windows Server 2025/);
});

test('revisions: must match on Windows Server 2016 for process isolation, need not from 2019 on', () => {
  assert.equal(windowsIsolation(v(14393, 103), v(14393, 2273), false).isolation, undefined);
  assert.equal(windowsIsolation(v(14393, 103), v(14393, 2273), true).isolation, 'hyperv');
  assert.equal(windowsIsolation(v(14393, 2273), v(14393, 2273), false).isolation, 'process');
  assert.equal(windowsIsolation(v(17763, 1), v(17763, 6054), false).isolation, 'process');
});

test('parsing versions', () => {
  assert.deepEqual(parseWindowsVersion('10.0.20348.2700'), { major: 10, minor: 0, build: 20348, revision: 2700 });
  assert.deepEqual(parseWindowsVersion('10.0.17763'), { major: 10, minor: 0, build: 17763 });
  assert.deepEqual(parseWindowsVersion('26100'), { major: 10, minor: 0, build: 26100 });
  for (const bad of ['', 'ltsc2022', '10.0', '10.0.x', '10.0.1.2.3']) assert.equal(parseWindowsVersion(bad), undefined, bad);
});
