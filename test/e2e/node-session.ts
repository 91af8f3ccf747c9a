// One `tandem up` with a real node per node end-to-end file: test images in a local registry, a random
// pod CIDR, kubectl helpers bound to a namespace, an agent restart on the same data dir, and a teardown
// that deletes every workload, stops tandem and removes what the node leaves behind.

import assert from 'node:assert/strict';

import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { kubectlAvailable, startTandem, type RunResult, type TandemProcess } from './harness.js';
import { at } from './kubectl-support.js';
import { nodeSkipReason, randomNodePodCidr, teardownNode } from './node-support.js';
import { prepareTestImages, type TestImages } from '../images/index.js';
import { removeTree } from './remove-tree.js';

export type Obj = Record<string, unknown>;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const show = (r: RunResult) => `exit ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/** Why the node end-to-end tests cannot run here, or undefined. */
export function nodeE2eSkip(): string | undefined {
  return !kubectlAvailable() ? 'kubectl not found: skipping the node end-to-end tests' : nodeSkipReason();
}

export const items = (o: Obj): Obj[] => (o['items'] as Obj[] | undefined) ?? [];
export const statusOf = (p: Obj, container: string): Obj | undefined =>
  ((at(p, 'status', 'containerStatuses') as Obj[] | undefined) ?? []).find((c) => c['name'] === container);
export const isRunning = (p: Obj) =>
  at(p, 'status', 'phase') === 'Running' &&
  ((at(p, 'status', 'containerStatuses') as Obj[] | undefined) ?? []).every((c) => at(c, 'state', 'running') !== undefined);

/** Polls `probe` until it answers something other than undefined/false; fails after `ms`. */
export async function until<T>(what: string, probe: () => T | undefined | false, ms: number, every = 300): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) assert.fail(`timed out after ${ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(every);
  }
}

export interface NodeSession {
  ns: string;
  podCidr: string;
  srv(): TandemProcess;
  images(): TestImages;
  k(args: string[], o?: { input?: string; timeoutMs?: number }): RunResult;
  /** kubectl that must succeed */
  ok(args: string[], o?: { input?: string; timeoutMs?: number }): RunResult;
  /** `kubectl get ... -n NS -o json` */
  getJson(args: string[]): Obj;
  pod(name: string): Obj;
  /** applies the objects as one multi-document YAML */
  apply(objects: Obj[]): void;
  start(): Promise<void>;
  /** SIGTERM to `tandem up` (pods keep running), runs `between`, then starts it again on the same data dir */
  restart(between?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export function createNodeSession(ns: string): NodeSession {
  let srv: TandemProcess | undefined;
  let images: TestImages | undefined;
  let dataDir = '';
  const podCidr = randomNodePodCidr();

  const startUp = async (dir?: string): Promise<TandemProcess> => {
    const s = await startTandem({ command: 'up', args: ['--pod-cidr', podCidr], keepDataDir: true, ...(dir ? { dataDir: dir } : {}) });
    try {
      await until('the node to be ready', () => /node \S+ ready \(pods on /.test(s.output()), 30_000, 100);
    } catch (e) {
      await s.kill();
      throw new Error(`${String(e)}\n${s.output()}`, { cause: e });
    }
    return s;
  };

  const session: NodeSession = {
    ns,
    podCidr,
    srv() {
      if (!srv) throw new Error('tandem is not running');
      return srv;
    },
    images() {
      if (!images) throw new Error('test images not prepared');
      return images;
    },
    k: (args, o = {}) => session.srv().kubectl(args, o),
    ok(args, o = {}) {
      const r = session.k(args, o);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')}\n${show(r)}`);
      return r;
    },
    getJson: (args) => JSON.parse(session.ok([...args, '-n', ns, '-o', 'json']).stdout) as Obj,
    pod: (name) => session.getJson(['get', 'pod', name]),
    apply(objects) {
      // one document per object (a kind: List fails kubectl's client-side validation against tandem)
      session.ok(['apply', '-f', '-'], { input: objects.map((o) => stringifyYaml(o)).join('---\n') });
    },
    async start() {
      images = await prepareTestImages({});
      srv = await startUp();
      dataDir = srv.dataDir;
      session.ok(['create', 'namespace', ns]);
    },
    async restart(between) {
      await session.srv().stop();
      srv = undefined;
      await between?.();
      srv = await startUp(dataDir);
    },
    async stop() {
      if (srv && srv.proc.exitCode === null && srv.proc.signalCode === null) {
        srv.kubectl(['delete', 'deployments,services,pods,configmaps,secrets', '--all', '-n', ns, '--grace-period=1', '--wait=false'], {
          timeoutMs: 20_000,
        });
        const end = Date.now() + 45_000;
        while (Date.now() < end) {
          const r = srv.kubectl(['get', 'pods', '-n', ns, '-o', 'name']);
          if (r.code === 0 && r.stdout.trim() === '') break;
          await sleep(500);
        }
        await srv.stop();
      }
      srv = undefined;
      if (dataDir) {
        await teardownNode(join(dataDir, 'agent'), podCidr);
        removeTree(dataDir);
      }
      await images?.registry.stop();
    },
  };
  return session;
}
