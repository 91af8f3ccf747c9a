// The HorizontalPodAutoscaler end to end with the real kubectl: `tandem server` (a 1 s HPA sync
// period and a 3 s default scale-down window, set through TANDEM_HPA_*) and a `tandem sim` fleet
// whose pods report the CPU their annotation tandem.io/sim-cpu names (simulation). A Deployment
// using 200% of its CPU request is scaled up by an autoscaling/v2 HPA to its maximum; when the pods'
// CPU drops, it is scaled back down to its minimum; status, TARGETS and events say why.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { kubectlAvailable } from './harness.js';
import { at, SKIP_MESSAGE } from './kubectl-support.js';
import { eventually, startCluster, type Cluster } from './cluster-fleet.js';

let c: Cluster | undefined;
const cl = () => {
  if (!c) throw new Error('cluster not started');
  return c;
};
before(async () => {
  if (!kubectlAvailable()) return;
  c = await startCluster({ TANDEM_HPA_SYNC_PERIOD_MS: '1000', TANDEM_HPA_DOWNSCALE_STABILIZATION_MS: '3000' }, [
    ['--nodes', '3', '--os', 'linux', '--name-prefix', 'hpa-', '--lease-renew-ms', '1000'],
  ]);
});
after(async () => {
  await c?.stop();
});

const run = (fn: () => Promise<void> | void) => async (t: { skip(m: string): void }) => {
  if (!kubectlAvailable()) {
    t.skip(SKIP_MESSAGE);
    return;
  }
  await fn();
};

const DEPLOYMENT = JSON.stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'busy' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'busy' } },
    template: {
      metadata: { labels: { app: 'busy' }, annotations: { 'tandem.io/sim-cpu': '200m' } },
      spec: { containers: [{ name: 'main', image: 'busybox:1.36', resources: { requests: { cpu: '100m' } } }] },
    },
  },
});
const HPA = JSON.stringify({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'busy' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'busy' },
    minReplicas: 1,
    maxReplicas: 5,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
  },
});

const replicas = () => Number(at(cl().json(['get', 'deployment', 'busy']), 'spec', 'replicas'));
const events = () =>
  cl()
    .items(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=busy'])
    .map((e) => `${String(at(e, 'reason'))}: ${String(at(e, 'message'))}`);

test(
  'an HPA scales a Deployment up on simulated CPU and down again when it drops',
  { timeout: 120_000 },
  run(async () => {
    cl().ok(['apply', '-f', '-'], { input: DEPLOYMENT });
    cl().ok(['rollout', 'status', 'deployment/busy', '--timeout=30s'], { timeoutMs: 40_000 });
    const top = await eventually(() => {
      const r = cl().srv.kubectl(['top', 'pods', '-l', 'app=busy', '--no-headers']);
      return r.code === 0 && /200m/.test(r.stdout) && r.stdout;
    }, 15_000);
    assert.ok(top, 'kubectl top shows the simulated 200m');
    // the node's figure is the sum of its pods' annotations: 200m on the busy pod's node, 0 elsewhere
    const node = String(at(cl().items(['get', 'pods', '-l', 'app=busy'])[0], 'spec', 'nodeName'));
    const nodes = await eventually(() => {
      const r = cl().srv.kubectl(['top', 'nodes', '--no-headers']);
      const cpu = new Map(
        r.stdout
          .trim()
          .split('\n')
          .map((l) => l.trim().split(/\s+/) as [string, string]),
      );
      return r.code === 0 && cpu.size === 3 && cpu;
    }, 15_000);
    assert.ok(nodes, 'kubectl top nodes lists the three sim nodes');
    for (const [name, cpu] of nodes) assert.equal(cpu, name === node ? '200m' : '0m', `${name}: ${cpu}`);
    cl().ok(['apply', '-f', '-'], { input: HPA });
    const up = await eventually(() => replicas() === 5, 60_000, 1000);
    assert.ok(up, `not scaled to 5: ${replicas()}\n${events().join('\n')}`);
    const ev = events();
    assert.ok(
      ev.includes('SuccessfulRescale: New size: 4; reason: cpu resource utilization (percentage of request) above target'),
      ev.join('\n'),
    );
    assert.ok(
      ev.includes('SuccessfulRescale: New size: 5; reason: cpu resource utilization (percentage of request) above target'),
      ev.join('\n'),
    );
    const hpa = cl().json(['get', 'hpa', 'busy']);
    const conds = (at(hpa, 'status', 'conditions') as { type: string; status: string; reason: string }[]).map(
      (x) => `${x.type}=${x.status}/${x.reason}`,
    );
    assert.ok(conds.includes('ScalingActive=True/ValidMetricFound'), conds.join(' '));
    const table = await eventually(() => {
      const t = cl().ok(['get', 'hpa', 'busy']).stdout;
      return /busy\s+Deployment\/busy\s+cpu: 200%\/50%\s+1\s+5\s+5\s/.test(t) && t;
    }, 15_000);
    assert.ok(table, cl().ok(['get', 'hpa', 'busy']).stdout);

    // the load drops: every pod now uses 10m of its 100m
    cl().ok(['annotate', 'pods', '-l', 'app=busy', 'tandem.io/sim-cpu=10m', '--overwrite']);
    const down = await eventually(() => replicas() === 1, 60_000, 1000);
    assert.ok(down, `not scaled down to 1: ${replicas()}\n${events().join('\n')}`);
    assert.ok(
      events().some((e) => /^SuccessfulRescale: New size: 1; reason: All metrics below target$/.test(e)),
      events().join('\n'),
    );
    const after = cl().json(['get', 'hpa', 'busy']);
    assert.equal(at(after, 'status', 'desiredReplicas'), 1);
    assert.ok(at(after, 'status', 'lastScaleTime'));
  }),
);

test(
  'bad HPAs are 422s naming the field',
  run(() => {
    const bad = (spec: Record<string, unknown>) =>
      JSON.stringify({ ...JSON.parse(HPA), metadata: { name: 'bad' }, spec: { ...JSON.parse(HPA).spec, ...spec } });
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ minReplicas: 0 }, /spec\.minReplicas: Invalid value: 0: must be greater than or equal to 1/],
      [{ minReplicas: 6 }, /spec\.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`/],
      [
        { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 3600 }] } } },
        /spec\.behavior\.scaleUp\.policies\[0\]\.periodSeconds: Invalid value: 3600: must be less than or equal to 1800/,
      ],
      [
        { metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } } }] },
        /spec\.metrics\[0\]\.resource\.target\.averageUtilization: Invalid value: 0: must be greater than 0/,
      ],
    ];
    for (const [spec, re] of cases) {
      const r = cl().srv.kubectl(['apply', '-f', '-'], { input: bad(spec) });
      assert.notEqual(r.code, 0, JSON.stringify(spec));
      assert.match(r.stderr, re);
    }
  }),
);

test(
  'kubectl autoscale (autoscaling/v1) makes an HPA that reads the same at v1 and v2',
  run(() => {
    cl().ok(['create', 'deployment', 'auto', '--image=busybox:1.36', '--replicas=1']);
    cl().ok(['autoscale', 'deployment', 'auto', '--cpu-percent=60', '--min=2', '--max=4']);
    const v2 = cl().json(['get', 'horizontalpodautoscalers.v2.autoscaling', 'auto']);
    assert.equal(at(v2, 'apiVersion'), 'autoscaling/v2');
    assert.deepEqual(at(v2, 'spec', 'metrics'), [
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
    ]);
    assert.equal(at(v2, 'spec', 'minReplicas'), 2);
    const v1 = cl().json(['get', 'horizontalpodautoscalers.v1.autoscaling', 'auto']);
    assert.equal(at(v1, 'apiVersion'), 'autoscaling/v1');
    assert.equal(at(v1, 'spec', 'targetCPUUtilizationPercentage'), 60);
    assert.equal(at(v1, 'spec', 'maxReplicas'), 4);
    // a v2 change shows at v1: the metric moves with it
    cl().ok(['patch', 'horizontalpodautoscalers.v2.autoscaling', 'auto', '--type=merge', '-p', '{"spec":{"maxReplicas":6}}']);
    assert.equal(at(cl().json(['get', 'horizontalpodautoscalers.v1.autoscaling', 'auto']), 'spec', 'maxReplicas'), 6);
    // the preferred version stays v2
    assert.equal(at(cl().json(['get', 'hpa', 'auto']), 'apiVersion'), 'autoscaling/v2');
    cl().ok(['delete', 'horizontalpodautoscalers.v1.autoscaling', 'auto']);
    assert.notEqual(cl().srv.kubectl(['get', 'hpa', 'auto']).code, 0);
  }),
);
