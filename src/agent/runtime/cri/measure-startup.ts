// The raw CRI start-up time of a pod (RunPodSandbox + CreateContainer + StartContainer, one busybox
// httpd container), measured sequentially: the baseline the agent's pod start-up is compared with.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runtime, SandboxConfig } from '../runtime.js';

interface RawStartupSample {
  sandboxMs: number;
  createMs: number;
  startMs: number;
  totalMs: number;
}
export interface RawStartupTimings {
  n: number;
  samples: RawStartupSample[];
  p50: number;
  p99: number;
  min: number;
  max: number;
  sandboxP50: number;
  createP50: number;
  startP50: number;
  teardownMs: number;
}

export interface MeasureOptions {
  /** cgroup parent prefix, default `/tandem-bench` */
  cgroupRoot?: string;
  /** called after each sandbox is removed (e.g. a platform's cleanupPod) */
  cleanup?: (podUid: string, cgroupParent: string) => Promise<void>;
  /** keep the pods running (the caller tears them down), default false */
  keep?: boolean;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? 0;
}

const round = (x: number) => Math.round(x * 10) / 10;

export async function measureRawCriStartup(
  runtime: Runtime,
  images: { busybox: string },
  n: number,
  opts: MeasureOptions = {},
): Promise<RawStartupTimings> {
  const logRoot = await mkdtemp(join(tmpdir(), 'tandem-rawcri-'));
  const root = opts.cgroupRoot ?? '/tandem-bench';
  const pods: { id: string; uid: string; cgroupParent: string }[] = [];
  const samples: RawStartupSample[] = [];
  let teardownMs = 0;
  await runtime.pullImage(images.busybox);
  try {
    for (let i = 0; i < n; i++) {
      const uid = randomUUID();
      const cgroupParent = `${root}/pod${uid}`;
      const sandbox: SandboxConfig = {
        name: `raw-${i}`,
        namespace: 'bench',
        uid,
        attempt: 0,
        hostname: `raw-${i}`,
        logDirectory: join(logRoot, `bench_raw-${i}_${uid}`),
        portMappings: [],
        labels: { 'tandem.io/bench': 'raw' },
        annotations: {},
        linux: { cgroupParent },
        runtimeHandler: '',
      };
      const t0 = performance.now();
      const id = await runtime.runPodSandbox(sandbox);
      pods.push({ id, uid, cgroupParent });
      const t1 = performance.now();
      const cid = await runtime.createContainer(
        id,
        {
          name: 'web',
          attempt: 0,
          image: images.busybox,
          command: ['httpd'],
          args: ['-f', '-p', '8080', '-h', '/var/www'],
          envs: [],
          mounts: [],
          logPath: 'web/0.log',
          labels: {},
          annotations: {},
          linux: {},
        },
        sandbox,
      );
      const t2 = performance.now();
      await runtime.startContainer(cid);
      const t3 = performance.now();
      samples.push({ sandboxMs: round(t1 - t0), createMs: round(t2 - t1), startMs: round(t3 - t2), totalMs: round(t3 - t0) });
    }
  } finally {
    const t = performance.now();
    if (!opts.keep) {
      for (const p of pods) {
        await runtime.stopPodSandbox(p.id).catch(() => undefined);
        await runtime.removePodSandbox(p.id).catch(() => undefined);
        await opts.cleanup?.(p.uid, p.cgroupParent).catch(() => undefined);
      }
      await rm(logRoot, { recursive: true, force: true });
    }
    teardownMs = round(performance.now() - t);
  }
  const tot = samples.map((s) => s.totalMs).sort((a, b) => a - b);
  const p50Of = (k: keyof RawStartupSample) =>
    percentile(
      samples.map((s) => s[k]).sort((a, b) => a - b),
      50,
    );
  return {
    n: samples.length,
    samples,
    p50: percentile(tot, 50),
    p99: percentile(tot, 99),
    min: tot[0] ?? 0,
    max: tot[tot.length - 1] ?? 0,
    sandboxP50: p50Of('sandboxMs'),
    createP50: p50Of('createMs'),
    startP50: p50Of('startMs'),
    teardownMs,
  };
}
