// `tandem sim` flags: the parser, the help printed from the same table, and which kubeconfig is used.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSimArgs, parseTaints, type SimArgs } from './args.js';
import { SIM_FLAGS, simHelp } from './flags/flags.js';
import { resolveSimKubeconfig } from './kubeconfig-path.js';

const TANDEM = resolve(fileURLToPath(import.meta.url), '../../../../../bin/tandem.js');

function args(argv: string[]): SimArgs {
  const a = parseSimArgs(argv);
  assert.notEqual(a, 'help');
  return a as SimArgs;
}

test('command-line flags', () => {
  const a = args([
    '--kubeconfig',
    '/k',
    '--nodes',
    '5',
    '--os',
    'windows',
    '--windows-build=10.0.17763',
    '--name-prefix',
    'w-',
    '--hyperv',
    '--zones',
    '3',
    '--labels',
    'a=1,b=2',
    '--taints',
    'os=windows:NoSchedule,dedicated:NoExecute',
    '--complete-after-ms',
    '200',
  ]);
  assert.deepEqual(a, {
    kubeconfig: '/k',
    nodes: 5,
    os: 'windows',
    windowsBuild: '10.0.17763',
    namePrefix: 'w-',
    hyperV: true,
    zones: 3,
    labels: { a: '1', b: '2' },
    taints: [
      { key: 'os', value: 'windows', effect: 'NoSchedule' },
      { key: 'dedicated', effect: 'NoExecute' },
    ],
    stages: { completeAfterMs: 200 },
  });
  assert.deepEqual(args([]), { nodes: 1, os: 'linux' });
  assert.equal(args(['--data-dir', '/d']).dataDir, '/d');
  assert.throws(() => parseSimArgs(['--os', 'mac']), /--os/);
  assert.throws(() => parseSimArgs(['--nodes', 'x']), /--nodes/);
  assert.equal(args(['--runtime', 'process']).runtime, 'process');
  assert.throws(() => parseSimArgs(['--runtime', 'docker']), /--runtime: must be containerd or process, got "docker"/);
  assert.throws(() => parseTaints('k=v:Sometimes'), /--taints/);
});

test('--help and -h win wherever they stand, also over mistakes', () => {
  assert.equal(parseSimArgs(['--help']), 'help');
  assert.equal(parseSimArgs(['-h']), 'help');
  assert.equal(parseSimArgs(['--nodes', '3', '--help']), 'help');
  assert.equal(parseSimArgs(['--bogus', '-h']), 'help');
  assert.equal(parseSimArgs(['--name-prefix', '--help']), 'help');
  assert.equal(parseSimArgs(['--HELP']), 'help');
});

test('unknown flags are reported as unknown, also as the last argument or with =', () => {
  assert.throws(() => parseSimArgs(['--bogus']), { message: 'unknown flag --bogus (see tandem sim --help)' });
  assert.throws(() => parseSimArgs(['--nodes', '2', '--bogus']), { message: 'unknown flag --bogus (see tandem sim --help)' });
  assert.throws(() => parseSimArgs(['--bogus', '1']), /unknown flag --bogus/);
  assert.throws(() => parseSimArgs(['--bogus=1']), /unknown flag --bogus/);
  assert.throws(() => parseSimArgs(['-x']), /unknown flag -x/);
  assert.throws(() => parseSimArgs(['nodes']), /unexpected argument "nodes"/);
});

test('only flags that take a value consume the next argument', () => {
  assert.throws(() => parseSimArgs(['--nodes']), { message: '--nodes: missing value <n>' });
  assert.throws(() => parseSimArgs(['--os', 'windows', '--name-prefix']), { message: '--name-prefix: missing value <prefix>' });
  // a forgotten value is not filled with the next flag
  assert.throws(() => parseSimArgs(['--kubeconfig', '--nodes', '3']), {
    message: '--kubeconfig: missing value <file> (the next argument is the flag --nodes)',
  });
  // a switch takes no value from the next argument: the next flag is parsed as a flag
  assert.deepEqual(args(['--hyperv', '--nodes', '2', '--os', 'windows']), { nodes: 2, os: 'windows', hyperV: true });
  assert.throws(() => parseSimArgs(['--hyperv', 'yes']), /unexpected argument "yes"/);
  assert.equal(args(['--os', 'windows', '--hyperv=false']).hyperV, false);
  assert.equal(args(['--os', 'windows', '--hyperv=true']).hyperV, true);
  assert.throws(() => parseSimArgs(['--hyperv=maybe']), /--hyperv: takes no value, or =true or =false/);
  // the last flag wins, as before
  assert.equal(args(['--nodes', '2', '--nodes=4']).nodes, 4);
});

test('the help lists every flag with its value, meaning and default', () => {
  const text = simHelp();
  assert.match(text, /^Usage: tandem sim \[flags\]/);
  for (const f of SIM_FLAGS) {
    assert.ok(text.includes(`--${f.name}${f.value ? ` <${f.value}>` : ''}`), f.name);
    if (f.default) assert.ok(text.replace(/\n\s+/g, ' ').includes(`(default: ${f.default})`), `default of ${f.name}`);
  }
  assert.match(text, /-h, --help\s+print this help/);
  assert.match(text, /--nodes <n>\s+number of simulated nodes \(default: 1\)/);
  for (const l of text.split('\n')) assert.ok(l.length <= 100, `line longer than 100: ${l}`);
  // every flag in the table is parsed (none falls through the switch)
  for (const f of SIM_FLAGS.filter((x) => x.name !== 'help')) {
    const v = { os: 'linux', runtime: 'containerd', labels: 'a=b', taints: 'k:NoSchedule', 'pod-cidr-base': '10.0.0.0/8' }[f.name] ?? '1';
    assert.doesNotThrow(() => parseSimArgs(f.value ? [`--${f.name}`, v] : [`--${f.name}`]), f.name);
  }
});

test('tandem sim --help, -h and tandem help sim print the help and exit 0; mistakes exit 1', () => {
  const run = (...a: string[]) => spawnSync(process.execPath, [TANDEM, ...a], { encoding: 'utf8', timeout: 20_000 });
  for (const argv of [
    ['sim', '--help'],
    ['sim', '-h'],
    ['help', 'sim'],
  ]) {
    const r = run(...argv);
    assert.equal(r.status, 0, `${argv.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, `${simHelp()}\n`, argv.join(' '));
  }
  let r = run('sim', '--nodes', '1', '--foo');
  assert.equal(r.status, 1);
  assert.equal(r.stderr, 'tandem: unknown flag --foo (see tandem sim --help)\n');
  const home = mkdtempSync(join(tmpdir(), 'sim-kc-'));
  try {
    r = spawnSync(process.execPath, [TANDEM, 'sim'], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, KUBECONFIG: '', TANDEM_HOME: home },
    });
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      new RegExp(`no kubeconfig: --kubeconfig is not given, \\$KUBECONFIG is not set, and ${join(home, 'kubeconfig')}`),
    );
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('kubeconfig: the flag, --data-dir, $KUBECONFIG (a path list), then the default data dir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-kc-'));
  try {
    const home = join(dir, 'home');
    const other = join(dir, 'other');
    const env1 = join(dir, 'env1');
    mkdirSync(home);
    mkdirSync(other);
    writeFileSync(join(home, 'kubeconfig'), 'x');
    writeFileSync(join(other, 'kubeconfig'), 'x');
    writeFileSync(env1, 'x');
    const base = { defaultDataDir: home, listDelimiter: ':' };
    assert.equal(resolveSimKubeconfig({ ...base, flag: '/given', env: env1 }), '/given');
    assert.equal(resolveSimKubeconfig({ ...base, dataDir: other, env: env1 }), join(other, 'kubeconfig'));
    assert.equal(resolveSimKubeconfig({ ...base, env: env1 }), env1);
    assert.equal(resolveSimKubeconfig({ ...base, env: `${join(dir, 'missing')}:${env1}` }), env1);
    assert.equal(resolveSimKubeconfig({ ...base, env: '' }), join(home, 'kubeconfig'));
    assert.equal(resolveSimKubeconfig(base), join(home, 'kubeconfig'));
    // $KUBECONFIG set but naming nothing: no silent fall-back to another cluster
    assert.throws(() => resolveSimKubeconfig({ ...base, env: `${join(dir, 'a')}:${join(dir, 'b')}` }), {
      message: `no kubeconfig: $KUBECONFIG names ${join(dir, 'a')}, ${join(dir, 'b')}, and none of these exists`,
    });
    assert.throws(() => resolveSimKubeconfig({ ...base, dataDir: dir }), /--data-dir .*: there is no .*kubeconfig/);
    assert.throws(() => resolveSimKubeconfig({ defaultDataDir: join(dir, 'none') }), {
      message:
        `no kubeconfig: --kubeconfig is not given, $KUBECONFIG is not set, and ${join(dir, 'none', 'kubeconfig')} does not exist ` +
        '(start a server with tandem up, or pass --kubeconfig FILE or --data-dir DIR)',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--server adds up: repeated and comma-separated (HA API servers)', () => {
  assert.deepEqual(args(['--server', 'https://10.0.0.1:6443,https://10.0.0.2:6443', '--server=https://10.0.0.3:6443']).servers, [
    'https://10.0.0.1:6443',
    'https://10.0.0.2:6443',
    'https://10.0.0.3:6443',
  ]);
  assert.equal(args([]).servers, undefined);
});
