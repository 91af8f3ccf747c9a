// `tandem doctor`: every check with a verdict and a fix, on a server host, a node, or both. It reads
// the data dir and asks the API server with the kubeconfig's credentials; node checks run where a
// node agent keeps its state (DATA/agent). Nothing is changed: the fixes are for the reader.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { bridgeName } from '../../agent/index.js';
import { hostResourceNames } from '../../agent/platform/linux/index.js';
import { checkApiReachable, checkClockSkew, checkCredentials, type ApiCredentials } from './checks-api.js';
import { checkCertificates } from './checks-certs.js';
import { checkDataDir, checkDiskSpace, checkSecretFiles } from './checks-files.js';
import { checkBridge, checkCni, checkContainerd, checkDns, checkPortsFree, checkServiceProxy } from './checks-node.js';
import { checkHyperV } from './checks-windows.js';
import { etcdChecks } from './etcd-checks.js';
import { probeEtcd, type EtcdTarget } from './etcd-probe.js';
import { skip, type CheckResult } from './doctor-types.js';

export interface DoctorOptions {
  dataDir: string;
  /** the kubeconfig to ask the API with (default DATA/kubeconfig, else a joined node's DATA/agent/kubeconfig) */
  kubeconfig?: string;
  /** the cluster DNS server to ask (default 127.0.0.1:1053 where a server runs) */
  dns?: { host: string; port: number };
  askContainerd: (endpoint: string) => Promise<{ version: string } | { error: string }>;
  /** the server's store is etcd: check its members (`--store etcd://…`; quota default 2 GiB) */
  etcd?: { target: EtcdTarget; quotaBytes?: number };
}

export interface DoctorReport {
  dataDir: string;
  kubeconfig?: string;
  checks: CheckResult[];
  /** true when nothing failed */
  healthy: boolean;
}

type Rec = Record<string, unknown>;
const isObj = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Server, CA and credentials of a kubeconfig's current context (token, or client certificate data or files). */
export function kubeconfigCredentials(path: string): ApiCredentials {
  const kc = parse(readFileSync(path, 'utf8')) as unknown;
  if (!isObj(kc)) throw new Error(`${path} is not a kubeconfig`);
  const named = (list: unknown, name: unknown, field: string): Rec | undefined => {
    const arr = Array.isArray(list) ? (list as unknown[]).filter(isObj) : [];
    const hit = arr.find((e) => e['name'] === name) ?? arr[0];
    const v = hit?.[field];
    return isObj(v) ? v : undefined;
  };
  const ctx = named(kc['contexts'], kc['current-context'], 'context');
  const cluster = named(kc['clusters'], ctx?.['cluster'], 'cluster');
  const user = named(kc['users'], ctx?.['user'], 'user') ?? {};
  const server = cluster?.['server'];
  if (typeof server !== 'string') throw new Error(`${path} names no cluster server`);
  const pem = (data: unknown, file: unknown): string | undefined =>
    typeof data === 'string'
      ? Buffer.from(data, 'base64').toString('utf8')
      : typeof file === 'string'
        ? readFileSync(file, 'utf8')
        : undefined;
  const caPem = pem(cluster?.['certificate-authority-data'], cluster?.['certificate-authority']);
  if (!caPem) throw new Error(`${path}: the cluster has no certificate-authority(-data)`);
  const certPem = pem(user['client-certificate-data'], user['client-certificate']);
  const keyPem = pem(user['client-key-data'], user['client-key']);
  return {
    server,
    caPem,
    ...(typeof user['token'] === 'string' ? { token: user['token'] } : {}),
    ...(certPem && keyPem ? { certPem, keyPem } : {}),
  };
}

export async function runDoctor(o: DoctorOptions): Promise<DoctorReport> {
  const checks: CheckResult[] = [
    checkDataDir(o.dataDir),
    checkSecretFiles(o.dataDir),
    checkDiskSpace(o.dataDir),
    checkCertificates(o.dataDir),
  ];
  const agentDir = join(o.dataDir, 'agent');
  const serverHere = existsSync(join(o.dataDir, 'pki', 'ca.key')) || existsSync(join(o.dataDir, 'state.db'));
  const kubeconfig =
    o.kubeconfig ??
    [join(o.dataDir, 'kubeconfig'), join(agentDir, 'kubeconfig')].find((p) => existsSync(p)) ??
    join(o.dataDir, 'kubeconfig');
  let apiUp = false;
  if (!existsSync(kubeconfig)) {
    checks.push(
      skip(
        'api.reachable',
        'the API server answers and its certificate is trusted',
        `no kubeconfig at ${kubeconfig}: nothing has started or joined here`,
      ),
    );
  } else {
    let creds: ApiCredentials | undefined;
    try {
      creds = kubeconfigCredentials(kubeconfig);
    } catch (e) {
      checks.push({
        id: 'api.kubeconfig',
        title: 'the kubeconfig is readable',
        verdict: 'fail',
        detail: e instanceof Error ? e.message : String(e),
        fix: 'use the kubeconfig the server wrote (DATA/kubeconfig)',
      });
    }
    if (creds) {
      const { result, answer } = await checkApiReachable(creds);
      checks.push(result);
      apiUp = result.verdict === 'ok';
      checks.push(checkClockSkew(answer));
      checks.push(
        apiUp
          ? await checkCredentials(creds)
          : skip('api.credentials', 'the credentials are accepted and hold the rights they need', 'the API server did not answer'),
      );
    }
  }
  if (o.etcd) checks.push(...etcdChecks(await probeEtcd(o.etcd.target), o.etcd));
  const nodeHere = existsSync(agentDir) || process.platform === 'win32';
  if (nodeHere) {
    checks.push(await checkContainerd(agentDir, o.askContainerd));
    const containers = existsSync(join(agentDir, 'containerd'));
    if (containers) checks.push(checkCni());
    if (apiUp && containers && process.platform === 'linux') checks.push(await checkBridge(bridgeName(agentDir)));
    if (apiUp && process.platform === 'linux') checks.push(await checkServiceProxy(hostResourceNames(agentDir).proxyTable));
    checks.push(await checkHyperV());
  }
  if (apiUp && serverHere) {
    const d = o.dns ?? { host: '127.0.0.1', port: 1053 };
    checks.push(await checkDns(d.host, d.port));
  }
  if (!apiUp && serverHere) {
    checks.push(
      await checkPortsFree([
        { port: 6443, what: 'API server' },
        { port: 1053, what: 'cluster DNS' },
      ]),
    );
  }
  return { dataDir: o.dataDir, kubeconfig, checks, healthy: checks.every((c) => c.verdict !== 'fail') };
}

const MARK: Record<CheckResult['verdict'], string> = { ok: '✓', warn: '!', fail: '✗', skip: '-' };

export function renderDoctor(r: DoctorReport): string {
  const lines = [`tandem doctor: ${r.dataDir}`];
  for (const c of r.checks) {
    lines.push(`${MARK[c.verdict]} ${c.title}: ${c.detail}`);
    if (c.fix && (c.verdict === 'fail' || c.verdict === 'warn')) lines.push(`    fix: ${c.fix}`);
  }
  const failed = r.checks.filter((c) => c.verdict === 'fail').length;
  const warned = r.checks.filter((c) => c.verdict === 'warn').length;
  lines.push(
    failed
      ? `${failed} check(s) failed${warned ? `, ${warned} warning(s)` : ''}`
      : warned
        ? `healthy, ${warned} warning(s)`
        : 'all checks passed',
  );
  return lines.join('\n');
}
