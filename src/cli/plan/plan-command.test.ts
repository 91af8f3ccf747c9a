// `tandem plan upgrade` against a real API server (memory store, no controllers): it reads the
// nodes, the pods bound to the selected ones, their ReplicaSet and Deployment, the RuntimeClasses
// and the pods' pull secrets, hands the credentials to the image facts source (a fake here: the
// registry client has its own tests), and fails with clear messages and exit code 1 on bad input
// and an unreachable API server (the built CLI is run for those).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node, Pod, ReplicaSet, RuntimeClass } from '../../api/gen/types.js';
import { replicaSetKind } from '../../api/kinds/apps/replicaset.js';
import { nodeKind } from '../../api/kinds/core/node.js';
import { podKind } from '../../api/kinds/core/pod/pod.js';
import { secretKind } from '../../api/kinds/core/secret.js';
import { runtimeClassKind } from '../../api/kinds/node/runtime-class.js';
import { nullLogger } from '../../base/log.js';
import { writeKubeconfig } from '../../client/kubeconfig.js';
import type { RegistryAuth } from '../../client/registry/auth.js';
import { ImageFactsError, type ImageFacts, type ImageFactsSource } from '../../client/registry/image-facts.js';
import { runServer } from '../server-command.js';
import { runPlanUpgrade, type PlanUpgradeFlags } from './plan-command.js';
import { PlanInputError } from './plan-scope.js';
import { indexOf, linuxNode, winNode, winPod } from './testing/fleet.js';

const BIN = fileURLToPath(new URL('../../../../bin/tandem.js', import.meta.url));

/** Answers from a table; records the credentials each image was asked with; `hang:` images never answer. */
function fakeFacts(): ImageFactsSource & { asked: Map<string, RegistryAuth | undefined> } {
  const asked = new Map<string, RegistryAuth | undefined>();
  const known: Record<string, string[]> = { 'reg.example/web:1': ['10.0.17763'], 'private.example/app:2': ['10.0.17763', '10.0.26100'] };
  return {
    asked,
    peek: () => ({ state: 'pending', registry: '' }),
    onSettled: () => () => undefined,
    get(image, auth) {
      if (auth) asked.set(image, auth);
      if (image.startsWith('hang.example/')) return new Promise<ImageFacts>(() => undefined);
      if (image.startsWith('private.example/') && auth?.username !== 'robot')
        return Promise.reject(new ImageFactsError('authentication required', 'RegistryUnauthorized', 'private.example'));
      const builds = known[image];
      const f = builds && indexOf(image, builds);
      if (f?.state === 'known') return Promise.resolve(f.facts);
      return Promise.reject(new ImageFactsError(`${image}: manifest unknown`, 'ImageNotFound', 'reg.example'));
    },
  };
}

const flags = (over: Partial<PlanUpgradeFlags>): PlanUpgradeFlags => ({
  nodes: 'pool=blue',
  toBuild: '10.0.26100',
  output: 'json',
  fromImageIndex: false,
  insecureRegistry: [],
  ...over,
});

function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

test('plan upgrade reads the cluster and the pull secrets, and prints the plan', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-plan-'));
  const srv = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: [] });
  t.after(async () => {
    await srv.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const c = srv.client;
  const nodes: Node[] = [
    winNode('w17-a', '10.0.17763', { labels: { pool: 'blue' } }),
    winNode('w17-b', '10.0.17763', { labels: { pool: 'blue' } }),
    winNode('w20-a', '10.0.20348', { hyperv: true }),
    winNode('w26-a', '10.0.26100', { hyperv: true }),
    linuxNode('lin-1'),
  ];
  for (const n of nodes) await c.resource(nodeKind).create(n);
  const stored = await c.resource(nodeKind).get('w20-a');
  assert.deepEqual(
    stored.status?.runtimeHandlers?.map((h) => h.name),
    ['runhcs-wcow-process', '', 'runhcs-wcow-hypervisor'],
    'a Node keeps its status at create',
  );
  // the bootstrap RuntimeClass of Hyper-V, with an overhead
  const hv = await c.resource(runtimeClassKind).get('runhcs-wcow-hypervisor');
  await c.resource(runtimeClassKind).update({ ...hv, overhead: { podFixed: { cpu: '500m', memory: '1Gi' } } } as RuntimeClass);

  const rs = await c.resource(replicaSetKind).create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-7d9',
      namespace: 'default',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: '0d5e5c4e-0000-4000-8000-000000000001', controller: true },
      ],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { os: { name: 'windows' }, containers: [{ name: 'c', image: 'reg.example/web:1' }] },
      },
    },
  } as ReplicaSet);
  await c.resource(secretKind).create({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'regcred', namespace: 'default' },
    type: 'kubernetes.io/dockerconfigjson',
    data: {
      '.dockerconfigjson': Buffer.from(
        JSON.stringify({ auths: { 'private.example': { username: 'robot', password: 's3cret' } } }),
      ).toString('base64'),
    },
  });
  const owned = { kind: 'ReplicaSet', name: 'web-7d9' };
  const pods: Pod[] = [
    winPod('web-7d9-a', 'w17-a', { images: ['reg.example/web:1'], owner: owned }),
    winPod('web-7d9-b', 'w17-b', { images: ['reg.example/web:1'], owner: owned }),
    winPod('private', 'w17-a', { images: ['private.example/app:2'], spec: { imagePullSecrets: [{ name: 'regcred' }] } }),
    winPod('no-secret', 'w17-b', { images: ['private.example/app:2'] }),
    winPod('slow', 'w17-b', { images: ['hang.example/app:1'] }),
    winPod('on-other-node', 'w20-a', { images: ['reg.example/web:1'] }),
  ];
  for (const p of pods) {
    const refs = p.metadata.ownerReferences?.map((r) => ({ ...r, uid: rs.metadata.uid ?? '' }));
    const { status: _s, ...body } = p;
    await c.resource(podKind).create({ ...body, metadata: { ...body.metadata, ...(refs ? { ownerReferences: refs } : {}) } } as Pod);
    const made = await c
      .resource(podKind)
      .namespace('default')
      .get(p.metadata.name ?? '');
    await c.resource(podKind).updateStatus({ ...made, status: { ...made.status, phase: 'Running' } });
  }

  const facts = fakeFacts();
  const text = await runPlanUpgrade(flags({ kubeconfig: srv.kubeconfig }), { facts, imageTimeoutMs: 300 });
  const doc = JSON.parse(text) as {
    nodes: Array<{ name: string }>;
    workloads: Array<{ kind: string; name: string; outcome: string; pods: string[]; nodes: string[]; reason: string }>;
    overhead: Record<string, unknown>;
  };
  assert.deepEqual(
    doc.nodes.map((n) => n.name),
    ['w17-a', 'w17-b'],
  );
  const row = (name: string) => doc.workloads.find((w) => w.name === name);
  assert.deepEqual(row('web'), {
    ...row('web'),
    kind: 'Deployment',
    outcome: 'hyperv',
    pods: ['web-7d9-a', 'web-7d9-b'],
    nodes: ['w20-a', 'w26-a'],
  });
  // the pull secret's credentials reached the registry for that pod's image, and only through it
  assert.equal(facts.asked.get('private.example/app:2')?.username, 'robot');
  assert.equal(row('private')?.outcome, 'hyperv');
  // a pod without the secret is judged by what the registry tells it: a pull it could not make
  assert.equal(row('no-secret')?.outcome, 'unknown');
  assert.match(row('no-secret')?.reason ?? '', /^image private\.example\/app:2: authentication required \(RegistryUnauthorized\)$/);
  assert.equal(row('slow')?.outcome, 'unknown');
  assert.match(row('slow')?.reason ?? '', /image hang\.example\/app:1: no answer within 0\.3 s \(RegistryUnavailable\)/);
  assert.equal(row('on-other-node'), undefined);
  assert.deepEqual(doc.overhead, {
    runtimeClass: 'runhcs-wcow-hypervisor',
    perPod: { cpu: '500m', memory: '1Gi' },
    pods: 3,
    cpu: '1500m',
    memory: '3Gi',
  });

  // listing all pods at once (many nodes) reads the same pods
  const viaAll = await runPlanUpgrade(flags({ kubeconfig: srv.kubeconfig }), { facts, imageTimeoutMs: 300, perNodeListsUpTo: 0 });
  assert.equal(viaAll, text);

  // the default kubeconfig: $KUBECONFIG
  const viaEnv = await runPlanUpgrade(flags({ output: 'table' }), { facts, env: { KUBECONFIG: srv.kubeconfig }, imageTimeoutMs: 300 });
  assert.match(viaEnv, /^NAMESPACE +WORKLOAD +PODS +NOW +AFTER +NODES +WHY\n/);
  assert.match(
    viaEnv,
    /\n2 nodes to 10\.0\.26100: 2 workloads \(3 pods\) move to Hyper-V \(\+1500m CPU, \+3Gi memory overhead\), 2 \(2 pods\) unknown/,
  );

  // a selection that cannot be planned
  await assert.rejects(
    runPlanUpgrade(flags({ kubeconfig: srv.kubeconfig, nodes: 'pool=purple' }), { facts }),
    (e: unknown) => e instanceof PlanInputError && e.message === `--nodes "pool=purple" matches none of the cluster's 5 node(s)`,
  );
  await assert.rejects(
    runPlanUpgrade(flags({ kubeconfig: srv.kubeconfig, nodes: 'kubernetes.io/os=linux' }), { facts }),
    /selects node\(s\) that are not Windows nodes: lin-1 \(linux\)/,
  );

  // the built CLI: exit code 0 and the plan on stdout; exit code 1 and one line on stderr for bad input
  const ok = await runCli([
    'plan',
    'upgrade',
    '--kubeconfig',
    srv.kubeconfig,
    '--nodes',
    'kubernetes.io/hostname=w26-a',
    '--to-build',
    '10.0.26100',
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, '1 node to 10.0.26100: no Windows workload runs on them\n');
  const bad = await runCli(['plan', 'upgrade', '--kubeconfig', srv.kubeconfig, '--nodes', 'pool in (blue', '--to-build', '10.0.26100']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^tandem: --nodes "pool in \(blue" is not a label selector: /);
});

test('plan upgrade: bad flags and an unreachable API server fail with exit code 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-plan-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = join(dir, 'kubeconfig');
  // a port nothing listens on
  await writeKubeconfig(kubeconfig, { server: 'https://127.0.0.1:9', caPem: 'not a real CA', token: 't' });
  await assert.rejects(
    runPlanUpgrade(flags({ kubeconfig }), { facts: fakeFacts() }),
    /^PlanInputError: cannot list nodes from the API server https:\/\/127\.0\.0\.1:9: .*ECONNREFUSED/,
  );
  await assert.rejects(
    runPlanUpgrade(flags({ kubeconfig, output: 'yaml' })),
    /^PlanInputError: -o "yaml": the output format must be table or json$/,
  );
  await assert.rejects(runPlanUpgrade(flags({ kubeconfig: join(dir, 'missing') })), /cannot read kubeconfig .*missing/);

  const cases: Array<[string[], RegExp]> = [
    [['--nodes', 'pool=blue', '--to-build', 'latest'], /^tandem: --to-build "latest" is not a Windows version that runs containers/],
    [['--to-build', '10.0.26100'], /^tandem: --nodes is required/],
    [['--nodes', 'pool=blue'], /^tandem: --to-build is required/],
    [['--nodes', 'pool=blue', '--to-build', '10.0.26100'], /^tandem: cannot list nodes from the API server https:\/\/127\.0\.0\.1:9: /],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(['plan', 'upgrade', '--kubeconfig', kubeconfig, ...args]);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  }
  const help = await runCli(['plan', 'upgrade', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--from-image-index/);
  assert.match(help.stdout, /unschedulable +cannot run anywhere/);
});
