// The scale phase's sizes and budgets from the environment (bench/scale.ts), so the same phase runs
// at 1/10 size for a quick try (BENCH_SCALE_NODES=500 BENCH_SCALE_PODS=3000 BENCH_SCALE_PODS_MAX=15000).

export interface ScaleConfig {
  /** sim nodes (BENCH_SCALE_NODES, default 5,000: the L5 envelope) */
  nodes: number;
  /** replicas of the first step (BENCH_SCALE_PODS, default 30,000) */
  pods: number;
  /** total replicas after the second step (BENCH_SCALE_PODS_MAX, default 150,000; 0 = no second step) */
  podsMax: number;
  /** replicas per Deployment, one Deployment per namespace (BENCH_SCALE_PER_NS, default 3,000: L5's pods per namespace) */
  perNs: number;
  /** the second step is skipped when the first took longer than this (BENCH_SCALE_BUDGET_S, default 180 s) */
  budgetS: number;
  /** a step gives up after this long (BENCH_SCALE_TIMEOUT_S, default 900 s) */
  timeoutS: number;
  /** ... or after this long without a new Ready pod (BENCH_SCALE_STALL_S, default 90 s) */
  stallS: number;
  /** the idle window after all Ready in which server CPU is measured (BENCH_SCALE_IDLE_S, default 60 s) */
  idleS: number;
  /** side-load requests per second of each kind (BENCH_SCALE_SIDE_RATE, default 5; LIST at 2/5 of it) */
  sideRate: number;
  /** profile the scale server (BENCH_PROF_SCALE=1, or BENCH_PROF=1) */
  profile: boolean;
}

function int(name: string, dflt: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}: expected an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

export function scaleConfig(): ScaleConfig {
  const c: ScaleConfig = {
    nodes: int('BENCH_SCALE_NODES', 5000, 1),
    pods: int('BENCH_SCALE_PODS', 30_000, 1),
    podsMax: int('BENCH_SCALE_PODS_MAX', 150_000, 0),
    perNs: int('BENCH_SCALE_PER_NS', 3000, 1),
    budgetS: int('BENCH_SCALE_BUDGET_S', 180, 0),
    timeoutS: int('BENCH_SCALE_TIMEOUT_S', 900, 10),
    stallS: int('BENCH_SCALE_STALL_S', 90, 5),
    idleS: int('BENCH_SCALE_IDLE_S', 60, 1),
    sideRate: int('BENCH_SCALE_SIDE_RATE', 5, 1),
    profile: process.env['BENCH_PROF_SCALE'] !== undefined || process.env['BENCH_PROF'] !== undefined,
  };
  if (c.podsMax !== 0 && c.podsMax <= c.pods)
    throw new Error(`BENCH_SCALE_PODS_MAX (${c.podsMax}) must be above BENCH_SCALE_PODS (${c.pods}), or 0 for no second step`);
  if (c.perNs > 3000) process.stderr.write(`[bench] scale: BENCH_SCALE_PER_NS=${c.perNs} is above L5's 3,000 pods per namespace\n`);
  return c;
}

/** The Deployments of a step: one per namespace `scale-<i>`, `perNs` replicas each (the last may be smaller). */
export function stepDeployments(fromPods: number, toPods: number, perNs: number): { ns: string; replicas: number }[] {
  const out: { ns: string; replicas: number }[] = [];
  let i = Math.ceil(fromPods / perNs);
  for (let left = toPods - fromPods; left > 0; left -= perNs) out.push({ ns: `scale-${i++}`, replicas: Math.min(perNs, left) });
  return out;
}

/**
 * A bench Deployment: `replicas` pods with small requests (the sim runs them), nginx unless another
 * image is given, optionally pinned to an OS by nodeSelector.
 */
export function deploymentJson(name: string, replicas: number, o: { image?: string; os?: 'linux' | 'windows' } = {}): string {
  const container = { name: 'main', image: o.image ?? 'nginx:1.25', resources: { requests: { cpu: '10m', memory: '16Mi' } } };
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { ...(o.os ? { nodeSelector: { 'kubernetes.io/os': o.os } } : {}), containers: [container] },
      },
    },
  });
}
