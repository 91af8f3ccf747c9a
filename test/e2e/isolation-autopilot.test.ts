// Issue 11 acceptance, end to end with the real kubectl: `tandem server`, simulated Windows nodes of
// builds 10.0.17763 and 10.0.20348 (some with Hyper-V), Debian's docker-registry holding indexes with
// Windows entries of several builds (tiny stand-in layers built here; the nodes are simulated, so
// nothing pulls them), and a second registry that wants credentials. Deployments land where their
// images run, with the isolation the rules require; what cannot run says why in plain words; the
// upgrade planner's answer is checked against what the scheduler does once the nodes run the new
// build; a node that loses Hyper-V stops receiving Hyper-V pods.
//
// The expected placements are written out by hand from Microsoft's compatibility table
// (notes/windows.md §1.3), not computed with Tandem's own rule module.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildImage, buildIndex } from '../../src/agent/images/oci.js';
import { pushImage, pushIndex, startRegistry, TEST_CREDENTIALS, TEST_HTPASSWD, windowsStandIn, type Registry } from '../images/registry.js';
import { kubectlAvailable, TANDEM } from './harness.js';
import { at, SKIP_MESSAGE } from './kubectl-support.js';
import { deployment, eventually, startCluster, type Cluster } from './cluster-fleet.js';

const T = (ms: number) => ({ timeout: ms });
const RENEW = ['--lease-renew-ms', '1000'];
const W19 = '10.0.17763.6054';
const W22 = '10.0.20348.2655';
const W25 = '10.0.26100.1742';
const { username: USER, password: PASSWORD } = TEST_CREDENTIALS;

const POOLS = {
  w19: ['--os', 'windows', '--windows-build', '10.0.17763', '--nodes', '2', '--name-prefix', 'w19-', '--labels', 'pool=w19', ...RENEW],
  w22hv: [
    '--os',
    'windows',
    '--windows-build',
    '10.0.20348',
    '--nodes',
    '2',
    '--name-prefix',
    'w22hv-',
    '--labels',
    'pool=w22hv',
    '--hyperv',
    ...RENEW,
  ],
  w22: ['--os', 'windows', '--windows-build', '10.0.20348', '--nodes', '1', '--name-prefix', 'w22-', '--labels', 'pool=w22', ...RENEW],
};

let c: Cluster | undefined;
let reg: Registry | undefined;
let priv: Registry | undefined;
let dir = '';
const cl = () => {
  if (!c) throw new Error('cluster not started');
  return c;
};
const img = (name: string) => `${reg?.host ?? ''}/${name}`;

const windowsImage = (name: string, osVersion: string) =>
  buildImage({
    name,
    os: 'windows',
    osVersion,
    entries: [{ type: 'file', path: 'Files/app.txt', data: Buffer.from(`${name} ${osVersion}\n`) }],
  });

before(async () => {
  if (!kubectlAvailable()) return;
  dir = mkdtempSync(join(tmpdir(), 'tandem-autopilot-'));
  reg = await startRegistry({ dir: join(dir, 'open') });
  priv = await startRegistry({ dir: join(dir, 'private'), htpasswd: TEST_HTPASSWD });
  const idx = (name: string, ...versions: string[]) => windowsStandIn(name, versions);
  await pushIndex(reg.url, 'apps/app2019', '1', idx('app2019', W19));
  await pushIndex(reg.url, 'apps/app2022', '1', idx('app2022', W22));
  await pushIndex(reg.url, 'apps/multi', '1', idx('multi', W19, W22));
  await pushIndex(reg.url, 'apps/app2025', '1', idx('app2025', W25));
  await pushIndex(reg.url, 'apps/linux-only', '1', buildIndex([buildImage({ name: 'l', entries: [] })]));
  // a plain manifest (no index): the facts come from its config
  await pushImage(reg.url, 'apps/plain2022', '1', windowsImage('plain2022', W22));
  await pushIndex(priv.url, 'team/private', '1', idx('private', W22), TEST_CREDENTIALS);
  c = await startCluster({}, [POOLS.w19, POOLS.w22hv, POOLS.w22]);
  // the Hyper-V class costs capacity: the planner reports it
  cl().ok([
    'patch',
    'runtimeclass',
    'runhcs-wcow-hypervisor',
    '--type=merge',
    '-p',
    '{"overhead":{"podFixed":{"cpu":"250m","memory":"512Mi"}}}',
  ]);
});
after(async () => {
  await c?.stop();
  await reg?.stop();
  await priv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const run = (fn: () => Promise<void> | void) => async (t: { skip(m: string): void }) => {
  if (!kubectlAvailable()) {
    t.skip(SKIP_MESSAGE);
    return;
  }
  await fn();
};

const WINDOWS = { nodeSelector: { 'kubernetes.io/os': 'windows' } };

interface Placed {
  name: string;
  node: string;
  pool: string;
  isolation: string;
  conditionReason: string;
  scheduled: { status: string; reason: string; message: string } | undefined;
}

function placed(selector: string): Placed[] {
  const nodes = new Map(
    cl()
      .items(['get', 'nodes'])
      .map((n) => [String(at(n, 'metadata', 'name')), String(at(n, 'metadata', 'labels', 'pool'))]),
  );
  return cl()
    .items(['get', 'pods', '-l', selector])
    .filter((p) => at(p, 'metadata', 'deletionTimestamp') === undefined)
    .map((p) => {
      const conds =
        (at(p, 'status', 'conditions') as { type: string; status: string; reason?: string; message?: string }[] | undefined) ?? [];
      const iso = conds.find((x) => x.type === 'tandem.dev/Isolation');
      const sch = conds.find((x) => x.type === 'PodScheduled');
      const node = String(at(p, 'spec', 'nodeName') ?? '');
      return {
        name: String(at(p, 'metadata', 'name')),
        node,
        pool: nodes.get(node) ?? '',
        isolation: String(at(p, 'metadata', 'annotations', 'tandem.dev/isolation') ?? ''),
        conditionReason: iso?.status === 'True' ? (iso.reason ?? '') : '',
        scheduled: sch ? { status: sch.status, reason: sch.reason ?? '', message: sch.message ?? '' } : undefined,
      };
    });
}

const REASON: Record<string, string> = { process: 'ProcessIsolation', hyperv: 'HyperVIsolation' };

/** Waits until `n` pods of `app` are bound with their isolation condition; each (pool, isolation) must be one `allowed` lists. */
async function landsAs(app: string, n: number, allowed: Record<string, 'process' | 'hyperv'>): Promise<Placed[]> {
  const ps = await eventually(() => {
    const got = placed(`app=${app}`);
    return got.length === n && got.every((p) => p.node && p.conditionReason) ? got : undefined;
  }, 30_000);
  assert.ok(ps, `${app}: ${n} pods bound with an isolation condition: ${JSON.stringify(placed(`app=${app}`))}`);
  for (const p of ps) {
    const want = allowed[p.pool];
    assert.ok(want, `${app}: pod ${p.name} landed on ${p.node} (pool ${p.pool}), where its image cannot run`);
    assert.equal(p.isolation, want, `${app}: pod ${p.name} on ${p.pool}: isolation annotation`);
    assert.equal(p.conditionReason, REASON[want], `${app}: pod ${p.name} on ${p.pool}: condition reason`);
  }
  return ps;
}

/** Waits until every pod of `app` is Pending with PodScheduled=False and a message matching all `patterns`. */
async function pendingWith(app: string, n: number, reason: string, ...patterns: RegExp[]): Promise<string> {
  const ok = await eventually(() => {
    const got = placed(`app=${app}`);
    return (
      got.length === n &&
      got.every(
        (p) =>
          !p.node &&
          p.scheduled?.status === 'False' &&
          p.scheduled.reason === reason &&
          patterns.every((re) => re.test(p.scheduled?.message ?? '')),
      )
    );
  }, 30_000);
  const got = placed(`app=${app}`);
  assert.ok(ok, `${app}: ${n} pods Pending (${reason}) with ${patterns.join(' ')}: ${JSON.stringify(got)}`);
  console.log(`${app}: ${got[0]?.scheduled?.message ?? ''}`);
  return got[0]?.scheduled?.message ?? '';
}

const eventsOf = (pod: string) =>
  cl()
    .items(['get', 'events', '--field-selector', `involvedObject.name=${pod}`])
    .map((e) => ({ reason: String(at(e, 'reason')), message: String(at(e, 'message')) }));

test(
  'each image lands where it runs, process isolation preferred, Hyper-V where the image is older',
  T(120_000),
  run(async () => {
    cl().ok(['apply', '-f', '-'], { input: deployment('app2019', 3, img('apps/app2019:1'), WINDOWS) });
    cl().ok(['apply', '-f', '-'], { input: deployment('app2022', 3, img('apps/app2022:1'), WINDOWS) });
    cl().ok(['apply', '-f', '-'], { input: deployment('multi', 3, img('apps/multi:1'), WINDOWS) });
    cl().ok(['apply', '-f', '-'], { input: deployment('plain2022', 1, img('apps/plain2022:1'), WINDOWS) });
    // 17763 runs process-isolated only on 17763; on the 20348 nodes only in Hyper-V; never on w22 (no Hyper-V)
    const old = await landsAs('app2019', 3, { w19: 'process', w22hv: 'hyperv' });
    assert.ok(
      old.every((p) => p.pool === 'w19'),
      `process isolation is preferred while the 17763 nodes have room: ${JSON.stringify(old)}`,
    );
    await landsAs('app2022', 3, { w22hv: 'process', w22: 'process' });
    await landsAs('multi', 3, { w19: 'process', w22hv: 'process', w22: 'process' });
    await landsAs('plain2022', 1, { w22hv: 'process', w22: 'process' });
    // Hyper-V where it is the only way: an old image kept off the 17763 nodes
    cl().ok(['apply', '-f', '-'], {
      input: deployment('old-on-hv', 2, img('apps/app2019:1'), { nodeSelector: { 'kubernetes.io/os': 'windows', pool: 'w22hv' } }),
    });
    const hv = await landsAs('old-on-hv', 2, { w22hv: 'hyperv' });
    const d = cl().ok(['describe', 'pod', hv[0]?.name ?? '']).stdout;
    assert.match(d, /tandem\.dev\/Isolation\s+True/, `describe shows the isolation condition:\n${d}`);
    assert.match(d, /HyperVIsolation\s+.*10\.0\.17763.*10\.0\.20348/, `describe shows the event with the reason in words:\n${d}`);
  }),
);

test(
  'an image newer than every node stays Pending and says what would fix it',
  T(60_000),
  run(async () => {
    cl().ok(['apply', '-f', '-'], { input: deployment('app2025', 1, img('apps/app2025:1'), WINDOWS) });
    const msg = await pendingWith(
      'app2025',
      1,
      'Unschedulable',
      /^0\/5 nodes are available: /,
      /10\.0\.26100/,
      /10\.0\.17763/,
      /10\.0\.20348/,
      /add a node running 10\.0\.26100/,
    );
    const pod = placed('app=app2025')[0]?.name ?? '';
    assert.ok(
      eventsOf(pod).some((e) => e.reason === 'FailedScheduling' && /10\.0\.26100/.test(e.message)),
      'a FailedScheduling event with the plain reason',
    );
    assert.match(cl().ok(['describe', 'pod', pod]).stdout, /add a node running 10\.0\.26100/, `describe shows it: ${msg}`);
  }),
);

test(
  'pins are honoured and checked: RuntimeClass handlers and the legacy annotation',
  T(90_000),
  run(async () => {
    cl().ok(['apply', '-f', '-'], {
      input: deployment('pin-process', 2, img('apps/multi:1'), { ...WINDOWS, runtimeClassName: 'runhcs-wcow-process' }),
    });
    await landsAs('pin-process', 2, { w19: 'process', w22hv: 'process', w22: 'process' });
    cl().ok(['apply', '-f', '-'], {
      input: deployment('pin-hv', 2, img('apps/app2022:1'), { ...WINDOWS, runtimeClassName: 'runhcs-wcow-hypervisor' }),
    });
    await landsAs('pin-hv', 2, { w22hv: 'hyperv' });
    const legacy = JSON.parse(deployment('legacy-hv', 1, img('apps/app2022:1'), WINDOWS)) as Record<string, unknown>;
    (at(legacy, 'spec', 'template', 'metadata') as Record<string, unknown>)['annotations'] = {
      'experimental.windows.kubernetes.io/isolation-type': 'hyperv',
    };
    cl().ok(['apply', '-f', '-'], { input: JSON.stringify(legacy) });
    await landsAs('legacy-hv', 1, { w22hv: 'hyperv' });
    // a pin that no node can satisfy: process isolation for a 17763 image, kept off the 17763 nodes
    cl().ok(['apply', '-f', '-'], {
      input: deployment('pin-impossible', 1, img('apps/app2019:1'), {
        runtimeClassName: 'runhcs-wcow-process',
        nodeSelector: { pool: 'w22hv' },
      }),
    });
    await pendingWith('pin-impossible', 1, 'Unschedulable', /^0\/5 nodes are available: /, /process isolation/);
  }),
);

test(
  'a private image works with its pull secret and says so without it',
  T(60_000),
  run(async () => {
    const image = `${priv?.host ?? ''}/team/private:1`;
    cl().ok([
      'create',
      'secret',
      'docker-registry',
      'regcred',
      `--docker-server=${priv?.host ?? ''}`,
      `--docker-username=${USER}`,
      `--docker-password=${PASSWORD}`,
    ]);
    cl().ok(['apply', '-f', '-'], { input: deployment('private-ok', 1, image, { ...WINDOWS, imagePullSecrets: [{ name: 'regcred' }] }) });
    await landsAs('private-ok', 1, { w22hv: 'process', w22: 'process' });
    cl().ok(['apply', '-f', '-'], { input: deployment('private-nosecret', 1, image, WINDOWS) });
    const msg = await pendingWith(
      'private-nosecret',
      1,
      'Unschedulable',
      new RegExp(`registry ${(priv?.host ?? '').replace(/\./g, '\\.')}`),
      /credentials|401|unauthori/i,
    );
    const pod = placed('app=private-nosecret')[0]?.name ?? '';
    assert.ok(
      eventsOf(pod).some((e) => e.reason === 'FailedScheduling' && e.message === msg),
      `an event with the same words: ${msg}`,
    );
  }),
);

test(
  'bad images: unparsable reference, unknown image, no Windows entry: a clear condition, never a silent Pending',
  T(60_000),
  run(async () => {
    cl().ok(['apply', '-f', '-'], { input: deployment('bad-ref', 1, `${reg?.host ?? ''}/Apps/UPPER:1`, WINDOWS) });
    await pendingWith('bad-ref', 1, 'Unschedulable', /Apps\/UPPER:1/, /invalid|not a valid|does not parse/i);
    cl().ok(['apply', '-f', '-'], { input: deployment('missing', 1, img('apps/missing:1'), WINDOWS) });
    await pendingWith(
      'missing',
      1,
      'Unschedulable',
      new RegExp(`registry ${(reg?.host ?? '').replace(/\./g, '\\.')}`),
      /not found|unknown/i,
    );
    cl().ok(['apply', '-f', '-'], { input: deployment('linux-only', 1, img('apps/linux-only:1'), WINDOWS) });
    await pendingWith('linux-only', 1, 'Unschedulable', /has no Windows entry/, /linux\/amd64/);
    // an unreachable registry (a port nothing listens on)
    cl().ok(['apply', '-f', '-'], { input: deployment('unreachable', 1, '127.0.0.1:9/apps/x:1', WINDOWS) });
    await pendingWith('unreachable', 1, 'Unschedulable', /registry 127\.0\.0\.1:9/);
  }),
);

interface PlanWorkload {
  namespace: string;
  kind: string;
  name: string;
  outcome: string;
  nodes: string[];
  pods: string[];
}

test(
  'the upgrade planner says what the scheduler then does on the new build',
  T(180_000),
  run(async () => {
    const planUpgrade = (...extra: string[]) => {
      const args = [
        'plan',
        'upgrade',
        '--kubeconfig',
        cl().srv.kubeconfig,
        '--nodes',
        'pool=w19',
        '--to-build',
        '10.0.26100',
        '--from-image-index',
      ];
      const r = spawnSync(process.execPath, [TANDEM, ...args, ...extra], { encoding: 'utf8', timeout: 60_000 });
      assert.equal(r.status, 0, `tandem ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    const doc = JSON.parse(planUpgrade('-o', 'json')) as { workloads: PlanWorkload[] };
    // the table, for the log: what a user reads
    console.log(planUpgrade());
    const byName = new Map(doc.workloads.map((w) => [w.name, w]));
    // on the w19 nodes today: app2019 (only a 17763 entry), multi's pods (17763 and 20348 entries)
    assert.equal(byName.get('app2019')?.outcome, 'hyperv', JSON.stringify(doc));
    assert.deepEqual([...(byName.get('app2019')?.nodes ?? [])].sort(), ['w22hv-0', 'w22hv-1']);

    // now the nodes really run the new build: re-register the pool, then let the scheduler place the pods again
    const w19 = cl().sims[0];
    await w19?.stop();
    await cl().addSim(POOLS.w19.map((a) => (a === '10.0.17763' ? '10.0.26100' : a)));
    const build = await eventually(
      () =>
        cl()
          .items(['get', 'nodes', '-l', 'pool=w19'])
          .every((n) => at(n, 'metadata', 'labels', 'node.kubernetes.io/windows-build') === '10.0.26100'),
      20_000,
    );
    assert.ok(build, 'the w19 pool re-registered at 10.0.26100');
    for (const w of doc.workloads) {
      cl().ok(['delete', 'pod', '-n', w.namespace, ...w.pods, '--wait=false']);
    }
    for (const w of doc.workloads) {
      if (w.kind !== 'Deployment') continue;
      const n = w.pods.length;
      const ps = await eventually(() => {
        const got = placed(`app=${w.name}`).filter((p) => !w.pods.includes(p.name));
        return got.length >= n && got.every((p) => (w.outcome === 'unschedulable' ? !p.node : p.node && p.conditionReason))
          ? got
          : undefined;
      }, 30_000);
      assert.ok(ps, `${w.name}: new pods placed as planned (${w.outcome}): ${JSON.stringify(placed(`app=${w.name}`))}`);
      for (const p of ps) {
        if (w.outcome === 'process') assert.equal(p.isolation, 'process', `${w.name}/${p.name}`);
        if (w.outcome === 'hyperv') {
          assert.equal(p.isolation, 'hyperv', `${w.name}/${p.name}`);
          assert.ok(w.nodes.includes(p.node), `${w.name}/${p.name} on ${p.node}, planned ${w.nodes.join(',')}`);
        }
      }
    }
    // and the 26100 image that waited now runs, process-isolated, on the upgraded nodes
    await landsAs('app2025', 1, { w19: 'process' });
  }),
);

test(
  'a node that loses Hyper-V stops receiving Hyper-V pods',
  T(90_000),
  run(async () => {
    const hvSim = cl().sims[1];
    await hvSim?.stop();
    await cl().addSim(POOLS.w22hv.filter((a) => a !== '--hyperv'));
    const gone = await eventually(
      () =>
        cl()
          .items(['get', 'nodes', '-l', 'pool=w22hv'])
          .every(
            (n) =>
              !((at(n, 'status', 'runtimeHandlers') as { name: string }[] | undefined) ?? []).some(
                (h) => h.name === 'runhcs-wcow-hypervisor',
              ),
          ),
      20_000,
    );
    assert.ok(gone, 'the w22hv pool re-registered without the Hyper-V handler');
    cl().ok(['scale', 'deployment/old-on-hv', '--replicas=3']);
    const pending = await eventually(() => {
      const fresh = placed('app=old-on-hv').filter((p) => !p.node);
      return fresh.length === 1 && fresh[0]?.scheduled?.status === 'False' ? fresh : undefined;
    }, 30_000);
    assert.ok(pending, `the third old-on-hv pod waits: ${JSON.stringify(placed('app=old-on-hv'))}`);
    assert.match(pending[0]?.scheduled?.message ?? '', /Hyper-V/);
  }),
);
