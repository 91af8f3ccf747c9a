import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRegQuery, regNumber, regString } from './registry.js';
import { fullWindowsVersion, majorMinorBuildOf, bootIdFrom, windowsInternalIp, windowsArch } from './host-info.js';

// as Windows Server 2022 prints it (CRLF, a blank first line, subkeys after the values)
const serverOutput = [
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion',
  '    SystemRoot    REG_SZ    C:\\Windows',
  '    CurrentBuild    REG_SZ    20348',
  '    CurrentBuildNumber    REG_SZ    20348',
  '    CurrentMajorVersionNumber    REG_DWORD    0xa',
  '    CurrentMinorVersionNumber    REG_DWORD    0x0',
  '    UBR    REG_DWORD    0x9a5',
  '    ProductName    REG_SZ    Windows Server 2022 Datacenter',
  '    EditionID    REG_SZ    ServerDatacenter',
  '    DigitalProductId    REG_BINARY    A4000000030000',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Accessibility',
  '    Configuration    REG_SZ    other key',
  '',
].join('\r\n');

// as Wine 8.0 prints it: no UBR, an empty value keeps its trailing column separator
const wineOutput = [
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion',
  '    CSDVersion    REG_SZ    ',
  '    CurrentBuild    REG_SZ    18362',
  '    CurrentBuildNumber    REG_SZ    18362',
  '    CurrentMajorVersionNumber    REG_DWORD    0xa',
  '    CurrentMinorVersionNumber    REG_DWORD    0x0',
  '    CurrentVersion    REG_SZ    10.0',
  '    ProductName    REG_SZ    Microsoft Windows 10',
  '    RegisteredOwner    REG_SZ    ',
  '',
  'HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\AeDebug',
  '',
].join('\r\n');

test('reg query output: values of the first key only, by case-insensitive name', () => {
  const v = parseRegQuery(serverOutput);
  assert.equal(regString(v, 'productname'), 'Windows Server 2022 Datacenter');
  assert.equal(regString(v, 'SystemRoot'), 'C:\\Windows');
  assert.equal(regNumber(v, 'UBR'), 2469);
  assert.equal(regNumber(v, 'CurrentBuildNumber'), 20348);
  assert.equal(v.get('digitalproductid')?.type, 'REG_BINARY');
  assert.equal(regString(v, 'Configuration'), undefined, 'a subkey value is not read');
  assert.equal(regNumber(v, 'ProductName'), undefined, 'text is no number');

  const w = parseRegQuery(wineOutput);
  assert.equal(regString(w, 'CSDVersion'), undefined);
  assert.equal(w.get('csdversion')?.type, 'REG_SZ');
  assert.equal(regString(w, 'ProductName'), 'Microsoft Windows 10');
  assert.equal(parseRegQuery('ERROR: The system was unable to find the specified registry key or value.').size, 0);
});

test('versions: the full version with the revision for kernelVersion, major.minor.build for the label', () => {
  assert.equal(fullWindowsVersion(parseRegQuery(serverOutput), '10.0.20348'), '10.0.20348.2469');
  assert.equal(fullWindowsVersion(parseRegQuery(wineOutput), '10.0.18362'), '10.0.18362');
  // no registry at all: the release is the answer
  assert.equal(fullWindowsVersion(new Map(), '10.0.17763'), '10.0.17763');
  assert.equal(fullWindowsVersion(new Map(), 'unknown'), 'unknown');
  assert.equal(majorMinorBuildOf('10.0.20348.2469'), '10.0.20348');
  assert.equal(majorMinorBuildOf('10.0'), undefined);
  assert.equal(windowsArch('x64'), 'amd64');
  assert.equal(windowsArch('arm64'), 'arm64');
});

test('boot id: the same within a boot whatever the moment of asking, another after a reboot', () => {
  const boot = Date.UTC(2026, 0, 1, 8, 0, 0);
  const a = bootIdFrom('guid', boot + 3_600_000, 3600);
  assert.equal(bootIdFrom('guid', boot + 7_200_000 + 700, 7200), a);
  assert.notEqual(bootIdFrom('guid', boot + 3_600_000, 600), a);
  assert.notEqual(bootIdFrom('other', boot + 3_600_000, 3600), a);
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

test('InternalIP: a physical adapter before a Hyper-V virtual one, loopback last', () => {
  const nic = (address: string, internal = false) => ({ address, internal, family: 'IPv4' as const, netmask: '', mac: '', cidr: null });
  assert.equal(windowsInternalIp({ 'vEthernet (nat)': [nic('172.20.0.1')], Ethernet: [nic('10.0.0.5')] }), '10.0.0.5');
  assert.equal(
    windowsInternalIp({ 'vEthernet (Ethernet)': [nic('10.0.0.6')], 'Loopback Pseudo-Interface 1': [nic('127.0.0.1', true)] }),
    '10.0.0.6',
  );
  assert.equal(windowsInternalIp({}), '127.0.0.1');
});
