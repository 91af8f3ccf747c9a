// `tandem status`: is the Tandem of a data dir (or of a kubeconfig) up, what runs on it and what is
// wrong, in a few lines, and what to do next when it is down. It asks the API server with the
// kubeconfig's credentials, as kubectl would, each request with a short deadline.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, Pod } from '../api/gen/types.js';
import { StatusError } from '../base/errors.js';
import { clientFromKubeconfig } from '../client/kubeconfig.js';
import type { RestClient } from '../client/rest-client.js';
import { renderSummary, summarize, type ClusterSummary } from './status-summary.js';

export interface StatusOptions {
  /** the data dir (resolved); its kubeconfig is used unless `kubeconfig` is given */
  dataDir: string;
  /** whether the data dir was named on the command line (the advice then names it too) */
  dataDirGiven: boolean;
  kubeconfig?: string;
  /** deadline of each request (default 5 s) */
  timeoutMs?: number;
}

export interface StatusReport {
  kubeconfig: string;
  server?: string;
  controlPlane: { up: true; version: string } | { up: false; reason: string };
  /** nodes, pods and problems, when the control plane answered */
  cluster?: ClusterSummary;
  /** what to do next, when something is down */
  next?: string;
}

interface ListOf<T> {
  items?: T[];
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`${what}: no answer within ${ms / 1000} s`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Why a request failed, in the words a user acts on. */
function whyDown(e: unknown, server: string, ms: number): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ECONNREFUSED') return `nothing listens at ${server}`;
  if (code === 'ETIMEDOUT') return `${server} does not answer (nothing within ${ms / 1000} s)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host of ${server}`;
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return `${server} is unreachable from here`;
  if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code))
    return `${server} answers with a certificate this kubeconfig's CA did not sign (is another server there now?)`;
  if (e instanceof StatusError && e.code === 401) return `${server} refused the kubeconfig's token (is another server there now?)`;
  return `${server}: ${e instanceof Error ? e.message : String(e)}`;
}

/** The pid in DATA/state.db.lock when that process is alive: the data dir's server runs (or hangs) there. */
export function storeHolder(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(dataDir, 'state.db.lock'), 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!(pid > 0)) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined; // alive, another user's
  }
}

function startAdvice(o: StatusOptions): string {
  if (o.kubeconfig) return `start the server ${o.kubeconfig} points at (on its host: \`tandem status\` tells)`;
  const dir = o.dataDirGiven ? ` --data-dir ${o.dataDir}` : '';
  return `start it with \`npm start${dir ? ` --${dir}` : ''}\` in the Tandem checkout, or \`tandem up${dir}\` (\`tandem server${dir}\` for the control plane alone)`;
}

async function ask(client: RestClient, o: StatusOptions, kubeconfig: string, server: string): Promise<StatusReport> {
  const ms = o.timeoutMs ?? 5000;
  let version: string;
  try {
    const v = await withDeadline(client.request<{ gitVersion?: string }>('GET', '/version'), ms, 'GET /version');
    version = v.gitVersion ?? 'unknown version';
  } catch (e) {
    const holder = o.kubeconfig ? undefined : storeHolder(o.dataDir);
    const reason = whyDown(e, server, ms);
    return {
      kubeconfig,
      server,
      controlPlane: { up: false, reason },
      next:
        holder !== undefined
          ? `process ${holder} holds the store of ${o.dataDir} but its API does not answer: it is starting, or stuck (stop it and start again)`
          : startAdvice(o),
    };
  }
  const [nodes, pods] = await Promise.all([
    withDeadline(client.request<ListOf<Node>>('GET', '/api/v1/nodes'), ms, 'listing nodes'),
    withDeadline(client.request<ListOf<Pod>>('GET', '/api/v1/pods'), ms, 'listing pods'),
  ]);
  return { kubeconfig, server, controlPlane: { up: true, version }, cluster: summarize(nodes.items ?? [], pods.items ?? []) };
}

export async function collectStatus(o: StatusOptions): Promise<StatusReport> {
  const kubeconfig = o.kubeconfig ?? join(o.dataDir, 'kubeconfig');
  if (!existsSync(kubeconfig)) {
    return {
      kubeconfig,
      controlPlane: {
        up: false,
        reason: o.kubeconfig ? `there is no ${kubeconfig}` : `no Tandem has started in ${o.dataDir} (no ${kubeconfig})`,
      },
      next: startAdvice(o),
    };
  }
  let conn: ReturnType<typeof clientFromKubeconfig>;
  try {
    conn = clientFromKubeconfig(kubeconfig, 'tandem-status');
  } catch (e) {
    return { kubeconfig, controlPlane: { up: false, reason: e instanceof Error ? e.message : String(e) } };
  }
  try {
    return await ask(conn.client, o, kubeconfig, conn.creds.server);
  } finally {
    conn.client.close();
  }
}

export function renderStatus(r: StatusReport): string {
  const cp = r.controlPlane;
  const lines = [cp.up ? `control plane: up at ${r.server} (${cp.version})` : `control plane: down: ${cp.reason}`];
  if (r.cluster) lines.push(...renderSummary(r.cluster));
  if (r.next) lines.push(`next:          ${r.next}`);
  return lines.join('\n');
}
