import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandNotFoundError, launchFor, mergeArgv, mergeEnv, quoteForCmd, resolveCommand, workingDirectory } from './command.js';
import { decodeToolOutput, descendants, parseProcessTable, taskkillArgs } from './process-tree.js';

test('argv merges as Docker and the CRI do', () => {
  const image = { entrypoint: ['/entry'], cmd: ['--default'] };
  assert.deepEqual(mergeArgv([], [], image), ['/entry', '--default']);
  assert.deepEqual(mergeArgv([], ['--mine'], image), ['/entry', '--mine']);
  assert.deepEqual(mergeArgv(['/bin/x'], [], image), ['/bin/x'], 'a command drops the image cmd');
  assert.deepEqual(mergeArgv(['/bin/x'], ['a'], image), ['/bin/x', 'a']);
});

test('env: the container wins, case-insensitively on Windows', () => {
  assert.deepEqual(mergeEnv('linux', ['Path=a', 'X=1'], [{ key: 'PATH', value: 'b' }]), { Path: 'a', X: '1', PATH: 'b' });
  assert.deepEqual(mergeEnv('windows', ['Path=a', 'X=1=2'], [{ key: 'PATH', value: 'b' }]), { X: '1=2', PATH: 'b' });
});

test('Windows: argv[0] is found in the container directory first, with PATHEXT, then on the host PATH', () => {
  const files = new Set([
    'C:\\c\\root\\tool.cmd',
    'C:\\c\\root\\bin\\app.exe',
    'C:\\Windows\\System32\\ping.EXE',
    'C:\\c\\root\\w\\run.bat',
  ]);
  const isFile = (p: string) => [...files].some((f) => f.toLowerCase() === p.toLowerCase());
  const base = {
    os: 'windows' as const,
    root: 'C:\\c\\root',
    cwd: 'C:\\c\\root\\w',
    isFile,
    hostPath: 'C:\\Windows\\System32;C:\\Windows',
  };
  assert.equal(resolveCommand('tool', base), 'C:\\c\\root\\tool.cmd');
  assert.equal(resolveCommand('app', { ...base, containerPath: 'C:\\bin;C:\\Windows' }), 'C:\\c\\root\\bin\\app.exe');
  assert.equal(resolveCommand('ping', base), 'C:\\Windows\\System32\\ping.exe');
  assert.equal(resolveCommand('ping.exe', base), 'C:\\Windows\\System32\\ping.exe', 'a name with an extension is tried as is');
  assert.equal(resolveCommand('C:\\bin\\app.exe', base), 'C:\\c\\root\\bin\\app.exe', 'an absolute path inside the directory first');
  assert.equal(resolveCommand('.\\run', base), 'C:\\c\\root\\w\\run.bat', 'a relative path from the working directory');
  assert.throws(() => resolveCommand('tool', { ...base, pathExt: '.EXE' }), CommandNotFoundError, 'PATHEXT decides the extensions');
  assert.throws(() => resolveCommand('nothing', base), /executable file "nothing" not found in the container directory or on PATH/);
});

test('Linux: argv[0] in the directory, in the image PATH inside it, then on the host', () => {
  const files = new Set(['/c/root/run', '/c/root/usr/bin/tool', '/bin/sh']);
  const base = { os: 'linux' as const, root: '/c/root', cwd: '/c/root', isFile: (p: string) => files.has(p), hostPath: '/usr/bin:/bin' };
  assert.equal(resolveCommand('run', base), '/c/root/run');
  assert.equal(resolveCommand('tool', { ...base, containerPath: '/usr/bin' }), '/c/root/usr/bin/tool');
  assert.equal(resolveCommand('/bin/sh', base), '/bin/sh');
  assert.equal(resolveCommand('sh', base), '/bin/sh');
  assert.throws(() => resolveCommand('../../etc/x', { ...base, cwd: '/c/root' }), /not found/);
});

test('working directory: relative inside the directory, absolute as given, the image one inside', () => {
  const isDir = (p: string) => p === 'C:\\r\\app';
  assert.equal(workingDirectory('windows', 'C:\\r', 'sub', '', isDir), 'C:\\r\\sub');
  assert.equal(workingDirectory('windows', 'C:\\r', 'D:\\data', '', isDir), 'D:\\data');
  assert.equal(workingDirectory('windows', 'C:\\r', undefined, 'C:\\app', isDir), 'C:\\r\\app');
  assert.equal(workingDirectory('windows', 'C:\\r', undefined, 'C:\\missing', isDir), 'C:\\r');
  assert.throws(() => workingDirectory('linux', '/r', undefined, '/../../etc', () => true), /leaves the container directory/);
});

test('Windows batch files run through cmd.exe with quoted arguments', () => {
  assert.deepEqual(launchFor('windows', ['C:\\r\\a b.cmd', 'x', 'y&z', ''], 'C:\\Windows\\system32\\cmd.exe'), {
    file: 'C:\\Windows\\system32\\cmd.exe',
    args: ['/d', '/s', '/c', '""C:\\r\\a b.cmd" x "y&z" """'],
    windowsVerbatimArguments: true,
  });
  assert.deepEqual(launchFor('windows', ['C:\\r\\a.exe', 'x'], 'cmd.exe'), {
    file: 'C:\\r\\a.exe',
    args: ['x'],
    windowsVerbatimArguments: false,
  });
  assert.equal(quoteForCmd('say "hi"'), '"say ""hi"""');
});

test('taskkill arguments: polite, forced, whole tree', () => {
  assert.deepEqual(taskkillArgs([42], false), ['/T', '/PID', '42']);
  assert.deepEqual(taskkillArgs([42], true), ['/T', '/F', '/PID', '42']);
  assert.deepEqual(taskkillArgs([5, 6], true, false), ['/F', '/PID', '5', '/PID', '6']);
});

test('the descendants of a process, from wmic output in UTF-16LE, also below a dead parent', () => {
  const table =
    'ParentProcessId  ProcessId  \r\n0                4          \r\n100              200        \r\n200              300        \r\n300              400        \r\n999              500        \r\n';
  const parsed = parseProcessTable(decodeToolOutput(Buffer.from(`\uFEFF${table}`, 'utf16le')));
  assert.deepEqual(parsed, [
    [0, 4],
    [100, 200],
    [200, 300],
    [300, 400],
    [999, 500],
  ]);
  assert.deepEqual(descendants(100, parsed), [200, 300, 400]);
  assert.deepEqual(
    descendants(
      200,
      parsed.filter(([, p]) => p !== 200),
    ),
    [300, 400],
    'a grandchild of a dead child is still found',
  );
  assert.deepEqual(parseProcessTable(decodeToolOutput(Buffer.from('8 9\n'))), [[8, 9]]);
});
