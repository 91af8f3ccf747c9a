import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planServiceInstall } from './agent-service.js';
import { defaultDataDir } from './data-dir.js';
import { stopSignals } from './signals.js';

const ctx = { script: 'C:\\tandem\\bin\\tandem.js', cwd: 'C:\\Users\\op', defaultDataDir: 'C:\\ProgramData\\tandem' };

test('install-service: absolute paths, an explicit data dir and a log file in it', () => {
  const plan = planServiceInstall(['--wrapper', 'C:\\nssm\\nssm.exe', '--kubeconfig', 'kc.yaml', '--node-name=win-1'], ctx);
  assert.equal(plan.name, 'tandem-agent');
  assert.equal(plan.wrapper, 'C:\\nssm\\nssm.exe');
  assert.equal(plan.logFile, 'C:\\ProgramData\\tandem\\agent.log');
  assert.deepEqual(plan.parameters, [
    'C:\\tandem\\bin\\tandem.js',
    'agent',
    '--kubeconfig',
    'C:\\Users\\op\\kc.yaml',
    '--node-name',
    'win-1',
    '--data-dir',
    'C:\\ProgramData\\tandem',
    '--log-file',
    'C:\\ProgramData\\tandem\\agent.log',
  ]);
  const own = planServiceInstall(['--wrapper=nssm.exe', '--kubeconfig', 'D:\\kc', '--data-dir', 'D:\\t', '--service-name', 'agent-2'], ctx);
  assert.equal(own.wrapper, 'C:\\Users\\op\\nssm.exe');
  assert.equal(own.name, 'agent-2');
  assert.equal(own.logFile, 'D:\\t\\agent.log');
  // the runtime flags pass through; a repeatable flag keeps every value
  const rt = planServiceInstall(
    ['--wrapper', 'n.exe', '--kubeconfig', 'k', '--runtime', 'process', '--insecure-registry', 'a:5000', '--insecure-registry', 'b:5000'],
    ctx,
  );
  assert.deepEqual(rt.parameters.slice(4), [
    '--runtime',
    'process',
    '--data-dir',
    'C:\\ProgramData\\tandem',
    '--log-file',
    'C:\\ProgramData\\tandem\\agent.log',
    '--insecure-registry',
    'a:5000',
    '--insecure-registry',
    'b:5000',
  ]);
});

test('install-service: bad input is named', () => {
  assert.throws(() => planServiceInstall(['--kubeconfig', 'kc'], ctx), /node\.exe is not a service program.*--wrapper PATH/);
  assert.throws(() => planServiceInstall(['--wrapper', 'w.exe'], ctx), /--kubeconfig FILE is required/);
  assert.throws(() => planServiceInstall(['--wrapper', 'w.exe', '--kubeconfig'], ctx), /--kubeconfig needs a value/);
  assert.throws(
    () => planServiceInstall(['--wrapper', 'w', '--kubeconfig', 'k', '--bogus', '1'], ctx),
    /unknown flag for the agent service: --bogus/,
  );
  assert.throws(() => planServiceInstall(['--wrapper', 'w', '--kubeconfig', 'k', '--service-name', 'a b'], ctx), /--service-name must be/);
});

test('the default data dir is machine-wide on Windows, in the home on Linux', () => {
  assert.equal(defaultDataDir('win32', { ProgramData: 'C:\\ProgramData' }), 'C:\\ProgramData\\tandem');
  assert.equal(defaultDataDir('win32', {}), 'C:\\ProgramData\\tandem');
  assert.match(defaultDataDir('linux', {}), /\/\.tandem$/);
});

test('stop signals: Ctrl-Break and console close too on Windows', () => {
  assert.deepEqual(stopSignals('linux'), ['SIGINT', 'SIGTERM']);
  assert.deepEqual(stopSignals('win32'), ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP']);
});
