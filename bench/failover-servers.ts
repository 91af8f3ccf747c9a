// The servers of the failover benchmark (issue 17): two `tandem server`s on one etcd cluster (the
// second joined with `tandem token create --control-plane` and `tandem server --join`), each of
// which can be SIGKILLed and started again on its data dir and port; and which of them holds the
// control loops' leader Lease.

import { execFileSync, type ChildProcess } from 'node:child_process';
import { createClient, type Client, type Target } from './http-load.js';
import { spawnTandemServer, TANDEM } from './server-proc.js';

const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/tandem-control-plane';

export interface FailoverServer {
  readonly name: string;
  readonly dataDir: string;
  target: Target;
  client: Client;
  proc: ChildProcess | undefined;
  output: () => string;
  /** the leader identities this server logged, across its runs */
  identities(): string[];
  alive(): boolean;
}

/** Runs an async call with a deadline (the load client's requests have none). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`${what}: no answer in ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const SERVER_FLAGS = ['--cluster-dns-listen', 'none'];

/** `past`: what earlier runs on the same data dir logged (a restart keeps their leader identities). */
async function spawnOn(s: { name: string; dataDir: string }, store: string, extra: string[], past = ''): Promise<FailoverServer> {
  const r = await spawnTandemServer(s.dataDir, ['--store', store, ...SERVER_FLAGS, ...extra]);
  const srv: FailoverServer = {
    name: s.name,
    dataDir: s.dataDir,
    target: r.target,
    client: createClient(r.target, 4),
    proc: r.proc,
    output: () => `${past}${r.output()}`,
    identities: () => [...srv.output().matchAll(/leading: components started identity=(\S+)/g)].map((m) => m[1] ?? ''),
    alive: () => srv.proc !== undefined && srv.proc.exitCode === null && srv.proc.signalCode === null,
  };
  return srv;
}

/** Server A on `dir`, then B joined to it on `dirB`. */
export async function startPair(store: string, dirA: string, dirB: string): Promise<{ a: FailoverServer; b: FailoverServer }> {
  const a = await spawnOn({ name: 'A', dataDir: dirA }, store, []);
  try {
    const out = execFileSync(process.execPath, [TANDEM, 'token', 'create', '--control-plane', '--data-dir', dirA], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const text = out.replace(/\\\n\s*/g, ' ');
    const flags: string[] = [];
    for (const f of ['join', 'token', 'certificate-key', 'ca-cert-hash']) {
      const v = new RegExp(`--${f}[ =](\\S+)`).exec(text)?.[1];
      if (v === undefined) throw new Error(`tandem token create --control-plane printed no --${f}:\n${out}`);
      flags.push(`--${f}`, v);
    }
    const b = await spawnOn({ name: 'B', dataDir: dirB }, store, flags);
    return { a, b };
  } catch (e) {
    await killServer(a);
    throw e;
  }
}

/** SIGKILL; resolves when the process is gone. */
export async function killServer(s: FailoverServer): Promise<void> {
  const p = s.proc;
  if (!p || !s.alive()) return;
  await new Promise<void>((r) => {
    p.once('exit', () => r());
    p.kill('SIGKILL');
  });
  s.client.close();
}

/** Starts a killed server again on its data dir and port; returns the new handle (its logged identities kept). */
export async function restartServer(s: FailoverServer, store: string): Promise<FailoverServer> {
  return spawnOn(s, store, ['--listen', `127.0.0.1:${s.target.port}`], `${s.output()}\n--- restarted\n`);
}

/** SIGTERM (SIGKILL after 10 s). */
export async function stopServer(s: FailoverServer | undefined): Promise<void> {
  const p = s?.proc;
  if (!s || !p || !s.alive()) return;
  await new Promise<void>((r) => {
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => {
      clearTimeout(t);
      r();
    });
    p.kill('SIGTERM');
  });
  s.client.close();
}

/** The leader Lease's holder as `s` answers (undefined when it does not answer in 2 s). */
export async function leaseHolder(s: FailoverServer): Promise<string | undefined> {
  try {
    const r = await withTimeout(s.client.send('GET', LEASE_PATH, undefined, { keepBody: true }), 2000, 'GET lease');
    if (r.status !== 200) return undefined;
    return (JSON.parse(r.body ?? '{}') as { spec?: { holderIdentity?: string } }).spec?.holderIdentity ?? '';
  } catch {
    return undefined;
  }
}
