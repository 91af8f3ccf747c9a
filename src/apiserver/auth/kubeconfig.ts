// An admin kubeconfig: one cluster (CA data inline), one token user, one context made current.

import { stringify } from 'yaml';
import { writeFileAtomic } from './fs-atomic.js';

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

export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  preferences: Record<string, never>;
  clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[];
  users: { name: string; user: { token: string } }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
}

export function buildKubeconfig(opts: KubeconfigOptions): Kubeconfig {
  const clusterName = opts.clusterName ?? 'tandem';
  const userName = opts.userName ?? 'tandem-admin';
  const contextName = opts.contextName ?? 'tandem';
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{
      name: clusterName,
      cluster: {
        server: opts.server ?? 'https://127.0.0.1:6443',
        'certificate-authority-data': Buffer.from(opts.caPem, 'utf8').toString('base64'),
      },
    }],
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
