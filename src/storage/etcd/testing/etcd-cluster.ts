// Real etcd members for tests and benchmarks: Debian's /usr/bin/etcd (package etcd-server), started
// on free loopback ports with their own data directories under a temporary folder, as a one-member
// or a several-member cluster. Members can be killed (SIGKILL, as a crash) and started again with
// their data, so failover can be tested. Nothing here is used by the product itself.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeEtcdTestCerts, type EtcdTestCerts } from './etcd-tls.js';
import { freePort } from '../../../base/testing/free-port.js';

const ETCD_BINARY = process.env['TANDEM_TEST_ETCD'] ?? '/usr/bin/etcd';
const ETCDCTL_BINARY = process.env['TANDEM_TEST_ETCDCTL'] ?? '/usr/bin/etcdctl';

/** Why etcd cannot run here, or undefined when it can (tests skip with this reason, saying so). */
export function etcdUnavailable(): string | undefined {
  if (process.platform !== 'linux') return `etcd tests run on Linux only (this is ${process.platform})`;
  if (!existsSync(ETCD_BINARY)) return `${ETCD_BINARY} is missing: install Debian's etcd-server (.ci/run does)`;
  return undefined;
}

export interface EtcdMember {
  readonly name: string;
  /** http://127.0.0.1:PORT, the client URL */
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  /** the member's log (stderr and stdout) */
  readonly logFile: string;
  readonly running: boolean;
  /** the process id while it runs (benchmarks read its CPU time) */
  readonly pid: number | undefined;
  /** SIGKILL, as a crash; resolves when the process is gone. */
  kill(): Promise<void>;
  /** Start again with the same data and ports; resolves when it answers /health. */
  start(): Promise<void>;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Client URLs of every member, in order (for `etcd://` specs: hosts joined by commas). */
  readonly clientUrls: string[];
  /** `etcd://127.0.0.1:P1,127.0.0.1:P2,...` */
  readonly spec: string;
  /** Kills every member and removes the data. */
  stop(): Promise<void>;
  /** The certificates when started with `tls` (client URLs are https, client certificates required). */
  readonly certs?: EtcdTestCerts;
}

export interface EtcdClusterOptions {
  /** members (default 1) */
  size?: number;
  /** etcd's --quota-backend-bytes (default: etcd's own, 2 GiB) */
  quotaBytes?: number;
  /** extra flags for every member */
  extraArgs?: string[];
  /** a folder to keep the data and logs in (default: a new temporary folder, removed by stop) */
  dir?: string;
  /** serve clients over TLS with client-certificate authentication (certificates made with openssl) */
  tls?: boolean;
}

function healthyTls(clientUrl: string, certs: EtcdTestCerts): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpsGet(
      `${clientUrl}/health`,
      {
        ca: readFileSync(certs.caFile),
        cert: readFileSync(certs.clientCertFile),
        key: readFileSync(certs.clientKeyFile),
        timeout: 1000,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

async function healthy(clientUrl: string, certs?: EtcdTestCerts): Promise<boolean> {
  if (certs) return healthyTls(clientUrl, certs);
  try {
    const r = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await r.json()) as { health?: string };
    return r.ok && body.health === 'true';
  } catch {
    return false;
  }
}

class Member implements EtcdMember {
  private proc: ChildProcess | undefined;
  constructor(
    readonly name: string,
    readonly clientUrl: string,
    readonly peerUrl: string,
    readonly dataDir: string,
    readonly logFile: string,
    private readonly args: string[],
    private readonly certs?: EtcdTestCerts,
  ) {}

  get pid(): number | undefined {
    return this.running ? this.proc?.pid : undefined;
  }

  get running(): boolean {
    return this.proc !== undefined && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  spawn(): void {
    const fd = openSync(this.logFile, 'a');
    try {
      this.proc = spawn(ETCD_BINARY, this.args, { stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
  }

  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || !this.running) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGKILL');
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.spawn();
    await this.waitHealthy(30_000);
  }

  async waitHealthy(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!this.running) throw new Error(`etcd member ${this.name} exited: ${tail(this.logFile)}`);
      if (await healthy(this.clientUrl, this.certs)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`etcd member ${this.name} did not become healthy in ${ms} ms: ${tail(this.logFile)}`);
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-8).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Starts an etcd cluster of `size` members on loopback and waits until every member is healthy. */
export async function startEtcdCluster(o: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const why = etcdUnavailable();
  if (why) throw new Error(why);
  const size = o.size ?? 1;
  const dir = o.dir ?? mkdtempSync(join(tmpdir(), 'tandem-etcd-'));
  const ports: Array<{ client: number; peer: number }> = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freePort(), peer: await freePort() });
  const names = ports.map((_, i) => `m${i}`);
  const initial = names.map((n, i) => `${n}=http://127.0.0.1:${ports[i]!.peer}`).join(',');
  const token = `tandem-test-${process.pid}-${Date.now()}`;
  let certs: EtcdTestCerts | undefined;
  if (o.tls) {
    mkdirSync(join(dir, 'certs'), { recursive: true });
    certs = makeEtcdTestCerts(join(dir, 'certs'));
  }
  const clientScheme = certs ? 'https' : 'http';
  const members = names.map((name, i) => {
    const client = `${clientScheme}://127.0.0.1:${ports[i]!.client}`;
    const peer = `http://127.0.0.1:${ports[i]!.peer}`;
    const dataDir = join(dir, name);
    const args = [
      `--name=${name}`,
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${client}`,
      `--advertise-client-urls=${client}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=${initial}`,
      `--initial-cluster-token=${token}`,
      '--initial-cluster-state=new',
      // faster elections than etcd's defaults (100 ms / 1 s), still safe on loopback
      '--heartbeat-interval=50',
      '--election-timeout=500',
      '--logger=zap',
      '--log-outputs=stderr',
      ...(o.quotaBytes ? [`--quota-backend-bytes=${o.quotaBytes}`] : []),
      ...(certs
        ? [
            `--cert-file=${certs.serverCertFile}`,
            `--key-file=${certs.serverKeyFile}`,
            `--trusted-ca-file=${certs.caFile}`,
            '--client-cert-auth',
          ]
        : []),
      ...(o.extraArgs ?? []),
    ];
    return new Member(name, client, peer, dataDir, join(dir, `${name}.log`), args, certs);
  });
  for (const m of members) m.spawn();
  const stop = async (): Promise<void> => {
    await Promise.all(members.map((m) => m.kill()));
    if (!o.dir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(members.map((m) => m.waitHealthy(30_000)));
  } catch (e) {
    await stop();
    throw e;
  }
  const clientUrls = members.map((m) => m.clientUrl);
  return {
    members,
    clientUrls,
    spec: `etcd://${clientUrls.map((u) => new URL(u).host).join(',')}`,
    stop,
    ...(certs ? { certs } : {}),
  };
}

/** Why etcdctl cannot run here (package etcd-client), or undefined. */
export function etcdctlUnavailable(): string | undefined {
  return existsSync(ETCDCTL_BINARY) ? undefined : `${ETCDCTL_BINARY} is missing: install Debian's etcd-client`;
}

/** Runs etcdctl (v3 API) against every member of the cluster (`input`: its stdin); returns its output. */
export function etcdctl(c: Pick<EtcdCluster, 'clientUrls'>, o: { input?: string }, ...args: string[]): string {
  return execFileSync(ETCDCTL_BINARY, [`--endpoints=${c.clientUrls.join(',')}`, ...args], {
    env: { ...process.env, ETCDCTL_API: '3' },
    ...(o.input !== undefined ? { input: o.input } : {}),
    stdio: ['pipe', 'pipe', 'pipe'],
  }).toString();
}
