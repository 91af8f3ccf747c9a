// Helpers for the cluster end-to-end tests: a `tandem server` with the control loops, `tandem sim`
// fleets in their own processes, kubectl runs that assert their exit code, and pod/node readers.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { startTandem, TANDEM, type RunResult, type TandemProcess } from './harness.js';
import { at } from './kubectl-support.js';

interface SimProc {
  proc: ChildProcess;
  output(): string;
  /** SIGKILL (heartbeats stop at once, nothing is cleaned up) and wait for the exit */
  kill(): Promise<void>;
  /** SIGTERM and wait */
  stop(): Promise<void>;
}

const show = (r: RunResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

function waitExit(p: ChildProcess, sig: NodeJS.Signals): Promise<void> {
  return new Promise((res) => {
    if (p.exitCode !== null || p.signalCode !== null) {
      res();
      return;
    }
    p.once('exit', () => res());
    p.kill(sig);
  });
}

/** Starts `tandem sim` and resolves once it printed its ready line. */
async function startSim(kubeconfig: string, args: string[]): Promise<SimProc> {
  const proc = spawn(process.execPath, [TANDEM, 'sim', '--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  await new Promise<void>((res, rej) => {
    const t = setTimeout(() => rej(new Error(`tandem sim ${args.join(' ')} not ready in 30 s:\n${out}`)), 30_000);
    const check = () => {
      if (/tandem sim ready/.test(out)) {
        clearTimeout(t);
        proc.stdout!.off('data', check);
        proc.off('exit', onExit);
        res();
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(t);
      rej(new Error(`tandem sim exited with ${code}:\n${out}`));
    };
    proc.stdout!.on('data', check);
    proc.once('exit', onExit);
  });
  return { proc, output: () => out, kill: () => waitExit(proc, 'SIGKILL'), stop: () => waitExit(proc, 'SIGTERM') };
}

export interface Cluster {
  srv: TandemProcess;
  sims: SimProc[];
  ok(args: string[], opts?: { input?: string; timeoutMs?: number }): RunResult;
  json(args: string[]): Record<string, unknown>;
  /** `kubectl get <what> -o json` items */
  items(args: string[]): Record<string, unknown>[];
  addSim(args: string[]): Promise<SimProc>;
  stop(): Promise<void>;
}

export async function startCluster(env: Record<string, string>, fleets: string[][], serverArgs: string[] = []): Promise<Cluster> {
  const srv = await startTandem({ env, args: serverArgs });
  const sims: SimProc[] = [];
  const ok: Cluster['ok'] = (args, opts) => {
    const r = srv.kubectl(args, opts);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} should succeed\n${show(r)}`);
    return r;
  };
  const json: Cluster['json'] = (args) => JSON.parse(ok([...args, '-o', 'json']).stdout) as Record<string, unknown>;
  const cluster: Cluster = {
    srv,
    sims,
    ok,
    json,
    items: (args) => (at(json(args), 'items') as Record<string, unknown>[] | undefined) ?? [],
    async addSim(args) {
      const s = await startSim(srv.kubeconfig, args);
      sims.push(s);
      return s;
    },
    async stop() {
      await Promise.all(sims.map((s) => s.stop()));
      await srv.stop();
    },
  };
  try {
    for (const f of fleets) await cluster.addSim(f);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}

export interface PodView {
  name: string;
  node: string;
  phase: string;
  ready: boolean;
  deleting: boolean;
  owner: string;
  image: string;
}

export function podView(p: Record<string, unknown>): PodView {
  const conds = (at(p, 'status', 'conditions') as { type: string; status: string }[] | undefined) ?? [];
  const owners = (at(p, 'metadata', 'ownerReferences') as { name: string }[] | undefined) ?? [];
  return {
    name: String(at(p, 'metadata', 'name')),
    node: String(at(p, 'spec', 'nodeName') ?? ''),
    phase: String(at(p, 'status', 'phase') ?? ''),
    ready: conds.some((c) => c.type === 'Ready' && c.status === 'True'),
    deleting: at(p, 'metadata', 'deletionTimestamp') !== undefined,
    owner: owners[0]?.name ?? '',
    image: String(at(p, 'spec', 'containers', 0, 'image') ?? ''),
  };
}

export const runningReady = (p: PodView) => p.phase === 'Running' && p.ready && !p.deleting;

/** node name → kubernetes.io/os label */
export function nodeOs(c: Cluster): Map<string, string> {
  const m = new Map<string, string>();
  for (const n of c.items(['get', 'nodes']))
    m.set(String(at(n, 'metadata', 'name')), String(at(n, 'metadata', 'labels', 'kubernetes.io/os')));
  return m;
}

/** Polls `check` (which may run kubectl) until it returns true or `ms` pass; returns the last value. */
export async function eventually<T>(check: () => T | undefined | false, ms: number, every = 300): Promise<T | undefined | false> {
  const end = Date.now() + ms;
  let v = check();
  while (!v && Date.now() < end) {
    await new Promise((r) => setTimeout(r, every));
    v = check();
  }
  return v;
}

/** A Deployment manifest (YAML-compatible JSON). */
export function deployment(name: string, replicas: number, image: string, spec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image }], ...spec } },
    },
  });
}
