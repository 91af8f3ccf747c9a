import { test } from 'node:test';
import assert from 'node:assert/strict';
import { npipeEndpoint } from './containerd-pipe.js';
import { quoteWindowsArg, regParameterCommands, registeredService, scCreateArgs, windowsCommandLine, type ServiceSpec } from './service.js';

test('Windows command-line quoting follows the C runtime rules', () => {
  assert.equal(quoteWindowsArg('plain'), 'plain');
  assert.equal(quoteWindowsArg(''), '""');
  assert.equal(quoteWindowsArg('C:\\Program Files\\nodejs\\node.exe'), '"C:\\Program Files\\nodejs\\node.exe"');
  assert.equal(
    quoteWindowsArg('C:\\dir with space\\'),
    '"C:\\dir with space\\\\"',
    'a trailing backslash is doubled before the closing quote',
  );
  assert.equal(quoteWindowsArg('say "hi"'), '"say \\"hi\\""');
  assert.equal(quoteWindowsArg('a\\"b c'), '"a\\\\\\"b c"');
  assert.equal(quoteWindowsArg('C:\\no\\spaces'), 'C:\\no\\spaces');
  assert.equal(windowsCommandLine(['C:\\t\\tandem.js', 'agent', '--data-dir', 'C:\\a b']), 'C:\\t\\tandem.js agent --data-dir "C:\\a b"');
});

const spec: ServiceSpec = {
  name: 'tandem-agent',
  displayName: 'Tandem node agent',
  description: 'Runs the agent',
  wrapper: 'C:\\Program Files\\nssm\\nssm.exe',
  application: 'C:\\Program Files\\nodejs\\node.exe',
  parameters: ['C:\\tandem\\bin\\tandem.js', 'agent', '--kubeconfig', 'C:\\k\\kubeconfig'],
  directory: 'C:\\ProgramData\\tandem',
};

test('sc create: automatic start, the wrapper as the binary (quoted inside the value, as sc wants)', () => {
  assert.deepEqual(scCreateArgs(spec), [
    'create',
    'tandem-agent',
    'binPath=',
    '"C:\\Program Files\\nssm\\nssm.exe"',
    'start=',
    'auto',
    'DisplayName=',
    'Tandem node agent',
  ]);
});

test("the wrapper's Parameters key: what to run, with which arguments, where, and how long to wait after Ctrl-C", () => {
  const cmds = regParameterCommands(spec);
  const key = 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\tandem-agent\\Parameters';
  assert.deepEqual(cmds[0], ['add', key, '/v', 'Application', '/t', 'REG_SZ', '/d', 'C:\\Program Files\\nodejs\\node.exe', '/f']);
  assert.deepEqual(cmds[1], [
    'add',
    key,
    '/v',
    'AppParameters',
    '/t',
    'REG_SZ',
    '/d',
    'C:\\tandem\\bin\\tandem.js agent --kubeconfig C:\\k\\kubeconfig',
    '/f',
  ]);
  assert.deepEqual(cmds[2]?.slice(3, 8), ['AppDirectory', '/t', 'REG_SZ', '/d', 'C:\\ProgramData\\tandem']);
  assert.deepEqual(cmds[3]?.slice(3, 8), ['AppStopMethodConsole', '/t', 'REG_DWORD', '/d', '25000']);
});

test('the registration read back from reg query', () => {
  const svc = [
    'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\tandem-agent',
    '    DisplayName    REG_SZ    Tandem node agent',
    '    ImagePath    REG_SZ    "C:\\nssm\\nssm.exe"',
    '    Start    REG_DWORD    0x2',
    '',
    'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\tandem-agent\\Parameters',
  ].join('\r\n');
  const params = [
    'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\tandem-agent\\Parameters',
    '    Application    REG_SZ    C:\\node.exe',
  ].join('\r\n');
  assert.deepEqual(registeredService(svc, params), {
    imagePath: '"C:\\nssm\\nssm.exe"',
    start: 2,
    displayName: 'Tandem node agent',
    application: 'C:\\node.exe',
  });
  assert.equal(registeredService('', ''), undefined);
});

test('containerd endpoint of a named pipe', () => {
  assert.equal(npipeEndpoint('\\\\.\\pipe\\containerd-containerd'), 'npipe:////./pipe/containerd-containerd');
  assert.throws(() => npipeEndpoint('/run/containerd/containerd.sock'), /not a local named pipe path/);
});
