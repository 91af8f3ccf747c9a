// A REST client from a kubeconfig file (current context; bearer token and CA data), for the
// commands that join an existing server (`tandem agent`, `tandem sim`).

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { createRestClient, type RestClient } from '../client/rest-client.js';

interface Kubeconfig {
  'current-context'?: string;
  contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
  clusters?: Array<{ name: string; cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string } }>;
  users?: Array<{ name: string; user: { token?: string } }>;
}

export interface KubeconfigCredentials { server: string; caPem: string; token: string }

export function readKubeconfig(path: string): KubeconfigCredentials {
  let kc: Kubeconfig;
  try {
    kc = parse(readFileSync(path, 'utf8')) as Kubeconfig;
  } catch (e) {
    throw new Error(`cannot read kubeconfig ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const ctxName = kc['current-context'];
  const ctx = kc.contexts?.find((c) => c.name === ctxName)?.context ?? kc.contexts?.[0]?.context;
  const cluster = kc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  const user = kc.users?.find((u) => u.name === ctx?.user)?.user ?? kc.users?.[0]?.user;
  if (!cluster?.server) throw new Error(`kubeconfig ${path} names no cluster server`);
  if (!user?.token) throw new Error(`kubeconfig ${path}: only bearer-token users are supported (no token found)`);
  const caPem = cluster['certificate-authority-data']
    ? Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8')
    : cluster['certificate-authority'] ? readFileSync(cluster['certificate-authority'], 'utf8') : '';
  if (!caPem) throw new Error(`kubeconfig ${path}: the cluster has no certificate-authority(-data)`);
  return { server: cluster.server, caPem, token: user.token };
}

export function clientFromKubeconfig(path: string, userAgent: string, maxSockets?: number): { client: RestClient; creds: KubeconfigCredentials } {
  const creds = readKubeconfig(path);
  return { client: createRestClient({ server: creds.server, caPem: creds.caPem, token: creds.token, userAgent, ...(maxSockets ? { maxSockets } : {}) }), creds };
}
