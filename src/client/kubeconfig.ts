// Kubeconfig files, as client-go's clientcmd reads and writes them: one type for both. Tandem writes
// an admin kubeconfig (one cluster with inline CA data, one bearer-token user, one current context)
// and reads any kubeconfig's current context into the credentials a RestClient needs.

import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { writeFileAtomic } from '../base/fs-atomic.js';
import { createRestClient, type RestClient } from './rest-client.js';

/** The parts of a kubeconfig file Tandem reads and writes (other keys are ignored). */
export interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  preferences?: Record<string, never>;
  clusters?: Array<{ name: string; cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }>;
  users?: Array<{ name: string; user: { token?: string } }>;
  contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
  'current-context'?: string;
}

export interface KubeconfigOptions {
  /** Default https://127.0.0.1:6443. */
  server?: string;
  /** PEM of the CA that signed the serving certificate. */
  caPem: string;
  token: string;
  /** Default 'tandem'. */
  clusterName?: string;
  /** Default 'tandem-admin'. */
  userName?: string;
  /** Default 'tandem'. */
  contextName?: string;
}

/** What a client needs from a kubeconfig's current context. */
export interface KubeconfigCredentials {
  server: string;
  caPem: string;
  token: string;
}

export function buildKubeconfig(opts: KubeconfigOptions): Kubeconfig {
  const clusterName = opts.clusterName ?? 'tandem';
  const userName = opts.userName ?? 'tandem-admin';
  const contextName = opts.contextName ?? 'tandem';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: clusterName,
        cluster: {
          server: opts.server ?? 'https://127.0.0.1:6443',
          'certificate-authority-data': Buffer.from(opts.caPem, 'utf8').toString('base64'),
        },
      },
    ],
    users: [{ name: userName, user: { token: opts.token } }],
    contexts: [{ name: contextName, context: { cluster: clusterName, user: userName } }],
    'current-context': contextName,
  };
}

export const renderKubeconfig = (opts: KubeconfigOptions): string => stringify(buildKubeconfig(opts), { lineWidth: 0 });

/** Writes the kubeconfig atomically (temp file + rename), mode 0600; parent folders are created. */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(path, renderKubeconfig(opts), 0o600);
}

/** The current context's server, CA and bearer token. Throws an Error that names the file and what is missing. */
export function readKubeconfig(path: string): KubeconfigCredentials {
  let kc: Kubeconfig;
  try {
    kc = parse(readFileSync(path, 'utf8')) as Kubeconfig;
  } catch (e) {
    throw new Error(`cannot read kubeconfig ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const ctxName = kc['current-context'];
  const ctx = kc.contexts?.find((c) => c.name === ctxName)?.context ?? kc.contexts?.[0]?.context;
  const cluster = kc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  const user = kc.users?.find((u) => u.name === ctx?.user)?.user ?? kc.users?.[0]?.user;
  if (!cluster?.server) throw new Error(`kubeconfig ${path} names no cluster server`);
  if (!user?.token) throw new Error(`kubeconfig ${path}: only bearer-token users are supported (no token found)`);
  const caPem = cluster['certificate-authority-data']
    ? Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8')
    : cluster['certificate-authority']
      ? readFileSync(cluster['certificate-authority'], 'utf8')
      : '';
  if (!caPem) throw new Error(`kubeconfig ${path}: the cluster has no certificate-authority(-data)`);
  return { server: cluster.server, caPem, token: user.token };
}

/** A RestClient for a kubeconfig's current context. */
export function clientFromKubeconfig(
  path: string,
  userAgent: string,
  maxSockets?: number,
): { client: RestClient; creds: KubeconfigCredentials } {
  const creds = readKubeconfig(path);
  return {
    client: createRestClient({
      server: creds.server,
      caPem: creds.caPem,
      token: creds.token,
      userAgent,
      ...(maxSockets ? { maxSockets } : {}),
    }),
    creds,
  };
}
