// The two outputs of `tandem plan upgrade`: the table (kubectl-style columns, one row per workload
// and outcome, the summary line) and the JSON document (parsed back: every key, in a fixed order).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageFactsLookup } from '../../client/registry/image-facts.js';
import { formatPlan, summaryLine } from './plan-format.js';
import { planUpgrade, type UpgradePlan } from './plan-upgrade.js';
import { fleetNodes, HYPERV_RC, indexOf, owner, PROCESS_RC, replicaSet, winPod } from './testing/fleet.js';

function plan(fromImageIndex = false): UpgradePlan {
  const facts = new Map<string, ImageFactsLookup>([
    ['reg.example/web:1', indexOf('reg.example/web:1', ['10.0.17763'])],
    ['reg.example/multi:1', indexOf('reg.example/multi:1', ['10.0.17763', '10.0.26100'])],
    [
      'reg.example/gone:1',
      { state: 'failed', registry: 'reg.example', reason: 'RegistryUnauthorized', message: 'authentication required' },
    ],
  ]);
  return planUpgrade({
    nodes: fleetNodes(),
    pods: [
      winPod('web-1', 'w17-a', { images: ['reg.example/web:1'], owner: { kind: 'ReplicaSet', name: 'web-7d9' } }),
      winPod('web-2', 'w17-b', { images: ['reg.example/web:1'], owner: { kind: 'ReplicaSet', name: 'web-7d9' } }),
      winPod('multi-1', 'w17-c', { images: ['reg.example/multi:1'], owner: { kind: 'ReplicaSet', name: 'multi-5f' }, ns: 'shop' }),
      winPod('api-1', 'w17-a', {
        images: ['reg.example/web:1'],
        owner: { kind: 'ReplicaSet', name: 'api-66' },
        spec: { nodeSelector: { pool: 'blue' } },
      }),
      winPod('nightly-1', 'w17-c', { images: ['reg.example/gone:1'], owner: { kind: 'Job', name: 'nightly' } }),
      winPod('native', 'w17-a', { spec: { runtimeClassName: 'process' } }),
    ],
    owners: [
      replicaSet('web-7d9', 'web'),
      replicaSet('multi-5f', 'multi', undefined, 'shop'),
      replicaSet('api-66', 'api'),
      owner('Job', 'nightly'),
    ],
    runtimeClasses: [HYPERV_RC, PROCESS_RC],
    facts,
    selector: 'pool=blue',
    toBuild: '10.0.26100',
    fromImageIndex,
  });
}

/** Splits a kubectl-style table by the header's column starts. */
function parseTable(text: string): { header: string[]; rows: Array<Record<string, string>>; rest: string[] } {
  const lines = text.split('\n');
  const headerLine = lines[0] ?? '';
  const header = headerLine.split(/\s+/).filter(Boolean);
  const starts = header.map((h) => headerLine.indexOf(h));
  const rows: Array<Record<string, string>> = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const line = lines[i] ?? '';
    rows.push(Object.fromEntries(header.map((h, k) => [h, line.slice(starts[k], starts[k + 1]).trim()])));
  }
  return { header, rows, rest: lines.slice(i + 1).filter(Boolean) };
}

test('table: the columns, one row per workload, the summary line and the unreadable images', () => {
  const t = parseTable(formatPlan(plan(), 'table'));
  assert.deepEqual(t.header, ['NAMESPACE', 'WORKLOAD', 'PODS', 'NOW', 'AFTER', 'NODES', 'WHY']);
  const byName = new Map(t.rows.map((r) => [r['WORKLOAD'], r]));
  assert.deepEqual(
    t.rows.map((r) => `${r['NAMESPACE']} ${r['WORKLOAD']}`),
    ['default Deployment/api', 'default Deployment/web', 'default Job/nightly', 'shop Deployment/multi'],
  );
  const web = byName.get('Deployment/web');
  assert.equal(web?.['PODS'], '2');
  assert.equal(web?.['NOW'], 'process/10.0.17763');
  assert.equal(web?.['AFTER'], 'hyperv/10.0.17763');
  assert.equal(web?.['NODES'], 'w20-a,w26-a');
  assert.match(web?.['WHY'] ?? '', /^Hyper-V isolation: /);
  const api = byName.get('Deployment/api');
  assert.equal(api?.['AFTER'], 'cannot run');
  assert.equal(api?.['NODES'], '<none>');
  assert.match(api?.['WHY'] ?? '', /no runhcs-wcow-hypervisor handler \(w17-a, w17-b, w17-c\); fix: enable Hyper-V isolation/);
  assert.match(
    byName.get('Deployment/multi')?.['WHY'] ?? '',
    /; to keep process isolation: the index of reg\.example\/multi:1 also offers/,
  );
  assert.equal(byName.get('Job/nightly')?.['AFTER'], 'unknown');
  assert.match(byName.get('Job/nightly')?.['WHY'] ?? '', /authentication required \(RegistryUnauthorized\)/);
  assert.deepEqual(t.rest, [
    '3 nodes to 10.0.26100: 2 workloads (3 pods) move to Hyper-V (+750m CPU, +1536Mi memory overhead), ' +
      '1 (1 pod) cannot run: default/Deployment/api, 1 (1 pod) unknown: image facts could not be read, ' +
      '1 pod unaffected (Linux, HostProcess or native process)',
    'Hyper-V overhead: 250m CPU, 512Mi memory per pod (RuntimeClass runhcs-wcow-hypervisor), for 3 pods',
    'images whose platforms could not be read:',
    '  reg.example/gone:1: authentication required (RegistryUnauthorized)',
  ]);
});

test('summary: process kept with --from-image-index; nothing to plan', () => {
  assert.match(
    summaryLine(plan(true)),
    /^3 nodes to 10\.0\.26100: 1 workload \(1 pod\) keeps process isolation, 1 \(2 pods\) moves to Hyper-V \(\+500m CPU, \+1Gi memory overhead\), /,
  );
  const empty = planUpgrade({
    nodes: fleetNodes(),
    pods: [winPod('native', 'w17-a', { spec: { runtimeClassName: 'process' } })],
    owners: [],
    runtimeClasses: [PROCESS_RC],
    facts: new Map(),
    selector: 'kubernetes.io/hostname=w17-a',
    toBuild: '10.0.26100',
  });
  assert.equal(
    summaryLine(empty),
    '1 node to 10.0.26100: no Windows workload runs on them (1 pod unaffected (Linux, HostProcess or native process))',
  );
  assert.equal(formatPlan(empty, 'table').split('\n')[0], summaryLine(empty));
});

test('json: a stable document with the same facts', () => {
  const text = formatPlan(plan(), 'json');
  const doc = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc), ['toBuild', 'selector', 'fromImageIndex', 'nodes', 'workloads', 'images', 'overhead', 'summary']);
  assert.equal(doc['toBuild'], '10.0.26100');
  assert.equal(doc['selector'], 'pool=blue');
  assert.deepEqual((doc['nodes'] as unknown[])[0], { name: 'w17-a', build: '10.0.17763', architecture: 'amd64', hyperv: false });
  const workloads = doc['workloads'] as Array<Record<string, unknown>>;
  const web = workloads.find((w) => w['name'] === 'web');
  assert.deepEqual(web, {
    namespace: 'default',
    kind: 'Deployment',
    name: 'web',
    outcome: 'hyperv',
    pods: ['web-1', 'web-2'],
    nodes: ['w20-a', 'w26-a'],
    now: [{ isolation: 'process', builds: ['10.0.17763'] }],
    after: { isolation: 'hyperv', builds: ['10.0.17763'] },
    reason: web?.['reason'],
    fixes: [],
    images: ['reg.example/web:1'],
    movingToHyperV: 2,
    overhead: { cpu: '500m', memory: '1Gi' },
  });
  const api = workloads.find((w) => w['name'] === 'api');
  assert.equal(api?.['outcome'], 'unschedulable');
  assert.equal(api?.['after'], null);
  assert.equal(api?.['overhead'], null);
  assert.deepEqual(
    workloads.map((w) => w['outcome']),
    ['unschedulable', 'hyperv', 'unknown', 'hyperv'],
  );
  const images = doc['images'] as Array<Record<string, unknown>>;
  assert.deepEqual(
    images.find((i) => i['image'] === 'reg.example/gone:1'),
    {
      image: 'reg.example/gone:1',
      registry: 'reg.example',
      digest: null,
      windowsBuilds: [],
      error: { reason: 'RegistryUnauthorized', message: 'authentication required' },
    },
  );
  assert.deepEqual(images.find((i) => i['image'] === 'reg.example/multi:1')?.['windowsBuilds'], ['10.0.17763', '10.0.26100']);
  assert.deepEqual(doc['overhead'], {
    runtimeClass: 'runhcs-wcow-hypervisor',
    perPod: { cpu: '250m', memory: '512Mi' },
    pods: 3,
    cpu: '750m',
    memory: '1536Mi',
  });
  const summary = doc['summary'] as Record<string, unknown>;
  assert.deepEqual(summary['hyperv'], { workloads: 2, pods: 3 });
  assert.deepEqual(summary['process'], { workloads: 0, pods: 0 });
  assert.deepEqual(summary['unschedulable'], { workloads: 1, pods: 1 });
  assert.deepEqual(summary['unknown'], { workloads: 1, pods: 1 });
  assert.equal(summary['unaffectedPods'], 1);
  assert.equal(summary['text'], summaryLine(plan()));
  // the same facts give the same bytes
  assert.equal(formatPlan(plan(), 'json'), text);
});
