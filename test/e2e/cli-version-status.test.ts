// `tandem version`, `tandem status` and the API server's /version, run as a user runs them: the built
// CLI as a child process, against a real `tandem server` with `tandem sim` fleets (one of them killed,
// so its node goes NotReady), an unschedulable and a failed pod, the real kubectl beside it, and a
// private containerd started as `tandem up` starts it (when this host can run one).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectlAvailable, TANDEM, type RunResult } from './harness.js';
import { eventually, startCluster, type Cluster } from './cluster-fleet.js';
import { at, SKIP_MESSAGE } from './kubectl-support.js';
import { containerdSkipReason, startTestContainerd } from '../images/containerd-env.js';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const RENEW = ['--lease-renew-ms', '1000'];

const scratch = mkdtempSync(join(tmpdir(), 'tandem-cli-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function tandem(args: string[]): RunResult {
  const r = spawnSync(process.execPath, [TANDEM, ...args], { encoding: 'utf8', env: { ...process.env, HOME: scratch }, timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
const show = (r: RunResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    get(url, { ca }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (body += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    }).on('error', rej);
  });
}

let gitHead: string | undefined;
try {
  if (existsSync(join(REPO, '.git')) && !process.env['TANDEM_GIT_COMMIT'])
    gitHead = execFileSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  gitHead = undefined; // no git on this host: the commit is not compared
}

test('tandem version: the package, Node.js and OS this process has; containerd not found where none answers', () => {
  const dataDir = join(scratch, 'no-containerd');
  const text = tandem(['version', '--data-dir', dataDir]);
  assert.equal(text.code, 0, show(text));
  const lines = text.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 5, show(text));
  assert.match(
    lines[0]!,
    new RegExp(
      `^Tandem: +${PACKAGE_VERSION.replace(/\./g, '\\.')} \\(commit (\\w+|unknown)[^;]*; built \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\)$`,
    ),
  );
  if (gitHead) assert.ok(lines[0]!.includes(`commit ${gitHead}`), lines[0]);
  assert.equal(lines[1], `Kubernetes:  API 1.32 (the API server reports v1.32.0-tandem.${PACKAGE_VERSION})`);
  assert.equal(lines[2], `Node.js:     ${process.version}`);
  assert.match(lines[3]!, /^OS: +linux\/(amd64|arm64), kernel \S+ \(.+\)$/);
  const json = tandem(['version', '--data-dir', dataDir, '-o', 'json']);
  assert.equal(json.code, 0, show(json));
  const v = JSON.parse(json.stdout) as Record<string, unknown>;
  assert.equal(at(v, 'tandem', 'version'), PACKAGE_VERSION);
  if (gitHead) assert.equal(at(v, 'tandem', 'gitCommit'), gitHead);
  assert.deepEqual(at(v, 'kubernetes'), { major: '1', minor: '32', gitVersion: `v1.32.0-tandem.${PACKAGE_VERSION}` });
  assert.equal(at(v, 'node'), process.version);
  assert.equal(at(v, 'os', 'platform'), `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`);
  if (!existsSync('/run/containerd/containerd.sock')) {
    assert.equal(at(v, 'containerd', 'version'), null);
    const tried = at(v, 'containerd', 'tried') as string[];
    assert.deepEqual(
      tried.map((x) => x.split(': ')[0]),
      [`unix://${join(dataDir, 'agent', 'containerd', 'containerd.sock')}`, 'unix:///run/containerd/containerd.sock'],
    );
    assert.match(lines[4]!, /^containerd: +not found \(unix:\/\/.*: no socket; unix:\/\/\/run\/containerd\/containerd\.sock: no socket\)$/);
  }
  const bad = tandem(['version', '-o', 'yaml']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--output yaml: must be text or json/);
});

test('tandem version: the private containerd of a data dir, and one named by --containerd', async (t) => {
  const skip = containerdSkipReason();
  if (skip) {
    t.skip(skip);
    return;
  }
  const ctrd = await startTestContainerd();
  t.after(() => ctrd.stop());
  // the data dir of a `tandem up` whose agent runs this containerd (DATA/agent/containerd/containerd.sock)
  const dataDir = join(scratch, 'with-containerd');
  mkdirSync(join(dataDir, 'agent'), { recursive: true });
  symlinkSync(join(ctrd.dataDir, 'containerd'), join(dataDir, 'agent', 'containerd'));
  // what the containerd says of itself over its own client (the CLI asks through a fresh one)
  const want = (await ctrd.runtime.version()).runtimeVersion;
  assert.match(want, /^v?\d+\.\d+/);
  const r = tandem(['version', '--data-dir', dataDir, '-o', 'json']);
  assert.equal(r.code, 0, show(r));
  const endpoint = `unix://${join(dataDir, 'agent', 'containerd', 'containerd.sock')}`;
  assert.deepEqual(at(JSON.parse(r.stdout), 'containerd'), { version: want, endpoint });
  const named = tandem(['version', '--containerd', ctrd.managed.endpoint]);
  assert.equal(named.code, 0, show(named));
  assert.match(named.stdout, new RegExp(`^containerd: +${want.replace(/[.~]/g, '\\$&')} at ${ctrd.managed.endpoint}$`, 'm'));
});

let c: Cluster | undefined;
const cl = () => {
  if (!c) throw new Error('cluster not started');
  return c;
};
const run = (fn: () => Promise<void> | void) => async (t: { skip(m: string): void }) => {
  if (!kubectlAvailable()) {
    t.skip(SKIP_MESSAGE);
    return;
  }
  await fn();
};

before(async () => {
  if (!kubectlAvailable()) return;
  c = await startCluster({ TANDEM_NODE_GRACE_MS: '4000' }, [['--nodes', '2', '--os', 'linux', '--name-prefix', 'stat-lin-', ...RENEW]]);
});
after(() => c?.stop());

test(
  '/version: Kubernetes 1.32 fields with Tandem release and commit, which kubectl takes without a skew warning',
  run(async () => {
    const srv = cl().srv;
    const r = await httpsGet(`${srv.url}/version`, srv.caPem());
    assert.equal(r.status, 200);
    const v = JSON.parse(r.body) as Record<string, string>;
    assert.equal(v['major'], '1');
    assert.equal(v['minor'], '32');
    assert.equal(v['gitVersion'], `v1.32.0-tandem.${PACKAGE_VERSION}`);
    if (gitHead) {
      assert.equal(v['gitCommit'], gitHead);
      assert.match(v['gitTreeState']!, /^(clean|dirty)$/);
    }
    assert.match(v['buildDate']!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(v['goVersion'], `node${process.versions.node}`);
    assert.equal(v['platform'], `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`);
    // `tandem version` says the same gitVersion
    assert.equal(
      at(JSON.parse(tandem(['version', '-o', 'json', '--data-dir', scratch]).stdout), 'kubernetes', 'gitVersion'),
      v['gitVersion'],
    );
    const kv = cl().ok(['version', '-o', 'json']);
    assert.equal(at(JSON.parse(kv.stdout), 'serverVersion', 'gitVersion'), v['gitVersion']);
    const plain = cl().ok(['version']);
    assert.match(plain.stdout, new RegExp(`Server Version: v1\\.32\\.0-tandem\\.${PACKAGE_VERSION.replace(/\./g, '\\.')}`));
    assert.doesNotMatch(plain.stderr, /WARNING/);
  }),
);

test(
  'tandem status: control plane, nodes (simulated apart, a NotReady one named), pods by phase, what is wrong',
  run(async () => {
    const srv = cl().srv;
    const win = await cl().addSim(['--nodes', '1', '--os', 'windows', '--name-prefix', 'stat-win-', ...RENEW]);
    cl().ok(['run', 'ok', '--image=registry.local/app:1']);
    cl().ok([
      'run',
      'big',
      '--image=registry.local/app:1',
      '--overrides={"spec":{"containers":[{"name":"big","image":"registry.local/app:1","resources":{"requests":{"cpu":"500"}}}]}}',
    ]);
    cl().ok([
      'run',
      'fails',
      '--image=registry.local/app:1',
      '--restart=Never',
      '--annotations=tandem.io/sim-fail=true',
      '--annotations=tandem.io/sim-run-seconds=0.1',
    ]);
    await win.kill();
    const phases = () =>
      cl()
        .items(['get', 'pods'])
        .map((p) => `${String(at(p, 'metadata', 'name'))}=${String(at(p, 'status', 'phase'))}`)
        .sort();
    const settled = await eventually(() => {
      const ready = at(cl().json(['get', 'node', 'stat-win-0']), 'status', 'conditions') as { type: string; status: string }[] | undefined;
      return ready?.find((x) => x.type === 'Ready')?.status !== 'True' && phases().join() === 'big=Pending,fails=Failed,ok=Running';
    }, 30_000);
    assert.ok(settled, `the windows node never went NotReady, or pods never settled: ${phases().join()}`);

    const r = tandem(['status', '--data-dir', srv.dataDir]);
    assert.equal(r.code, 0, show(r));
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `control plane: up at ${srv.url} (v1.32.0-tandem.${PACKAGE_VERSION})`);
    assert.equal(lines[1], 'nodes:         simulated 3 (2 Ready, 1 NotReady)');
    assert.equal(lines[2], 'pods:          1 Running, 1 Pending, 1 Failed');
    assert.equal(lines[3], 'problems:');
    assert.ok(
      lines.some((l) => /^ {2}node stat-win-0 \(simulated\) NotReady: .+/.test(l)),
      r.stdout,
    );
    assert.ok(
      lines.some((l) => /^ {2}pod default\/big Pending: 0\/3 nodes are available: .*Insufficient cpu/.test(l)),
      r.stdout,
    );

    const j = tandem(['status', '--kubeconfig', srv.kubeconfig, '-o', 'json']);
    assert.equal(j.code, 0, show(j));
    const s = JSON.parse(j.stdout) as Record<string, unknown>;
    assert.equal(at(s, 'controlPlane', 'up'), true);
    assert.deepEqual(at(s, 'cluster', 'simulatedNodes'), { total: 3, ready: 2, notReady: 1 });
    assert.deepEqual(at(s, 'cluster', 'nodes'), { total: 0, ready: 0, notReady: 0 });
    assert.deepEqual(at(s, 'cluster', 'pods'), { Running: 1, Pending: 1, Failed: 1 });
  }),
);

test(
  'tandem status of a stopped Tandem: exit 1, why, and how to start it',
  run(async () => {
    const srv = cl().srv;
    await new Promise<void>((res) => {
      srv.proc.once('exit', () => res());
      srv.proc.kill('SIGTERM');
    });
    const r = tandem(['status', '--data-dir', srv.dataDir]);
    assert.equal(r.code, 1, show(r));
    assert.equal(r.stdout.split('\n')[0], `control plane: down: nothing listens at ${srv.url}`);
    assert.ok(
      r.stdout.includes(
        `next:          start it with \`npm start -- --data-dir ${srv.dataDir}\` in the Tandem checkout, or \`tandem up --data-dir ${srv.dataDir}\``,
      ),
      r.stdout,
    );
    const json = tandem(['status', '--data-dir', srv.dataDir, '-o', 'json']);
    assert.equal(json.code, 1);
    assert.deepEqual(at(JSON.parse(json.stdout), 'controlPlane'), { up: false, reason: `nothing listens at ${srv.url}` });
    const none = tandem(['status', '--data-dir', join(scratch, 'never-started')]);
    assert.equal(none.code, 1);
    assert.match(none.stdout, /^control plane: down: no Tandem has started in .*never-started \(no .*never-started\/kubeconfig\)$/m);
    const missing = tandem(['status', '--kubeconfig', join(scratch, 'nope.kubeconfig')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /control plane: down: there is no .*nope\.kubeconfig/);
  }),
);
