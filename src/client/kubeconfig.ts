// Kubeconfig files, as client-go's clientcmd reads and writes them: one type for both. Tandem writes
// an admin kubeconfig (one cluster with inline CA data, one bearer-token user, one current context)
// and a joined node's (a client certificate and key in a file beside it), and reads any kubeconfig's
// current context into the credentials a RestClient needs: a bearer token, or a client certificate
// inline or by file; a certificate by file is watched and reloaded when it is renewed.
// Several API servers (HA): upstream's cluster entry has one `server`; the others go in a cluster
// extension named tandem.io/servers ({servers: [...]}, `server` first), which kubectl and other
// clientcmd users carry along and ignore, so they keep using `server`.

import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { writeFileAtomic } from '../base/fs-atomic.js';
import { checkClientCertificate, readClientCertificate, watchClientCertificate, type CertFiles } from './client-cert-files.js';
import { createRestClient, type ClientCertificate, type HttpsRestClient } from './rest-client.js';
import { parseServerList } from './server-pool.js';
import { startServerDiscovery } from './server-discovery.js';
import type { Logger } from '../base/log.js';

interface KubeconfigUser {
  token?: string;
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
}

interface KubeconfigCluster {
  server: string;
  'certificate-authority-data'?: string;
  'certificate-authority'?: string;
  extensions?: Array<{ name: string; extension: unknown }>;
}

/** The name of the cluster extension that lists every API server. */
export const SERVERS_EXTENSION = 'tandem.io/servers';

/** The parts of a kubeconfig file Tandem reads and writes (other keys are ignored). */
export interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  preferences?: Record<string, never>;
  clusters?: Array<{ name: string; cluster: KubeconfigCluster }>;
  users?: Array<{ name: string; user: KubeconfigUser }>;
  contexts?: Array<{ name: string; context: { cluster: string; user: string } }>;
  'current-context'?: string;
}

export interface KubeconfigOptions {
  /** Default https://127.0.0.1:6443. */
  server?: string;
  /** more API servers of the same cluster (HA), after `server` (written in the tandem.io/servers extension) */
  servers?: readonly string[];
  /** PEM of the CA that signed the serving certificate. */
  caPem: string;
  /** The user's credential: a bearer token, or a client certificate (inline PEM, or files named by path). */
  token?: string;
  clientCertificate?: { inline: ClientCertificate } | { files: CertFiles };
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
  /** every API server: `server` first, then the tandem.io/servers extension's others */
  servers: string[];
  caPem: string;
  token?: string;
  clientCert?: ClientCertificate;
  /** where the client certificate and key were read from (absent when inline): renewals are watched there */
  clientCertFiles?: CertFiles;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function userEntry(opts: KubeconfigOptions): KubeconfigUser {
  const c = opts.clientCertificate;
  if ((opts.token === undefined) === (c === undefined))
    throw new Error('a kubeconfig user needs a token or a client certificate (one of them)');
  if (opts.token !== undefined) return { token: opts.token };
  if (c === undefined) return {};
  return 'files' in c
    ? { 'client-certificate': c.files.cert, 'client-key': c.files.key }
    : { 'client-certificate-data': b64(c.inline.cert), 'client-key-data': b64(c.inline.key) };
}

export function buildKubeconfig(opts: KubeconfigOptions): Kubeconfig {
  const clusterName = opts.clusterName ?? 'tandem';
  const userName = opts.userName ?? 'tandem-admin';
  const contextName = opts.contextName ?? 'tandem';
  const server = opts.server ?? 'https://127.0.0.1:6443';
  const others = (opts.servers ?? []).filter((s) => s !== server);
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      {
        name: clusterName,
        cluster: {
          server,
          'certificate-authority-data': b64(opts.caPem),
          ...(others.length ? { extensions: [{ name: SERVERS_EXTENSION, extension: { servers: [server, ...others] } }] } : {}),
        },
      },
    ],
    users: [{ name: userName, user: userEntry(opts) }],
    contexts: [{ name: contextName, context: { cluster: clusterName, user: userName } }],
    'current-context': contextName,
  };
}

export const renderKubeconfig = (opts: KubeconfigOptions): string => stringify(buildKubeconfig(opts), { lineWidth: 0 });

/** Writes the kubeconfig atomically (temp file + rename), mode 0600; parent folders are created. */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(path, renderKubeconfig(opts), 0o600);
}

/** `server`, then the servers of the tandem.io/servers extension (a malformed one is an error naming it). */
function clusterServers(path: string, cluster: KubeconfigCluster): string[] {
  const ext = cluster.extensions?.find((e) => e?.name === SERVERS_EXTENSION)?.extension as { servers?: unknown } | undefined;
  if (ext === undefined) return [cluster.server];
  const list = ext?.servers;
  if (!Array.isArray(list) || !list.every((s): s is string => typeof s === 'string'))
    throw new Error(`kubeconfig ${path}: the ${SERVERS_EXTENSION} extension needs servers: a list of URLs`);
  try {
    return parseServerList([cluster.server, ...list]);
  } catch (e) {
    throw new Error(`kubeconfig ${path}: ${SERVERS_EXTENSION}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** The current context's server, CA and credential. Throws an Error that names the file and what is missing. */
export function readKubeconfig(path: string): KubeconfigCredentials {
  let kc: Kubeconfig;
  try {
    kc = parse(readFileSync(path, 'utf8')) as Kubeconfig;
  } catch (e) {
    throw new Error(`cannot read kubeconfig ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (kc === null || typeof kc !== 'object') throw new Error(`kubeconfig ${path} is not a YAML mapping`);
  const ctxName = kc['current-context'];
  const ctx = kc.contexts?.find((c) => c.name === ctxName)?.context ?? kc.contexts?.[0]?.context;
  const cluster = kc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  const user = kc.users?.find((u) => u.name === ctx?.user)?.user ?? kc.users?.[0]?.user;
  if (!cluster?.server) throw new Error(`kubeconfig ${path} names no cluster server`);
  // relative paths are relative to the kubeconfig's folder, as clientcmd resolves them
  const rel = (p: string) => (isAbsolute(p) ? p : resolve(dirname(path), p));
  const caPem = cluster['certificate-authority-data']
    ? Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8')
    : cluster['certificate-authority']
      ? readFileSync(rel(cluster['certificate-authority']), 'utf8')
      : '';
  if (!caPem) throw new Error(`kubeconfig ${path}: the cluster has no certificate-authority(-data)`);
  const out: KubeconfigCredentials = { server: cluster.server, servers: clusterServers(path, cluster), caPem };
  if (user?.token) out.token = user.token;
  const certData = user?.['client-certificate-data'];
  const keyData = user?.['client-key-data'];
  const certFile = user?.['client-certificate'];
  const keyFile = user?.['client-key'];
  if (certData !== undefined || keyData !== undefined) {
    if (certData === undefined || keyData === undefined)
      throw new Error(`kubeconfig ${path}: client-certificate-data and client-key-data go together (one is missing)`);
    const pair = { cert: Buffer.from(certData, 'base64').toString('utf8'), key: Buffer.from(keyData, 'base64').toString('utf8') };
    checkClientCertificate(pair, `kubeconfig ${path}`);
    out.clientCert = pair;
  } else if (certFile !== undefined || keyFile !== undefined) {
    if (certFile === undefined || keyFile === undefined)
      throw new Error(`kubeconfig ${path}: client-certificate and client-key go together (one is missing)`);
    const files = { cert: rel(certFile), key: rel(keyFile) };
    out.clientCert = readClientCertificate(files);
    out.clientCertFiles = files;
  }
  if (out.token === undefined && out.clientCert === undefined)
    throw new Error(`kubeconfig ${path}: the user has no credentials (a token, or client-certificate and client-key)`);
  return out;
}

/** What a long-running client adds to its kubeconfig's servers. */
export interface ServerListOptions {
  /** more API servers (flags), tried after the kubeconfig's */
  servers?: readonly string[];
  /** learn servers from the `kubernetes` Endpoints while the client runs (agents, sim) */
  discover?: boolean;
  /** where a change of server and discovery problems are logged */
  log?: Logger;
}

/**
 * A RestClient for a kubeconfig's current context. A client certificate named by file is watched:
 * a renewed one is presented from the next connection on (close() stops the watch).
 */
export function clientFromKubeconfig(
  path: string,
  userAgent: string,
  maxSockets?: number,
  onReloadError?: (e: Error) => void,
  more: ServerListOptions = {},
): { client: HttpsRestClient; creds: KubeconfigCredentials } {
  const creds = readKubeconfig(path);
  const servers = parseServerList([...creds.servers, ...(more.servers ?? [])]);
  const log = more.log;
  const client = createRestClient({
    server: creds.server,
    servers: servers.slice(1),
    caPem: creds.caPem,
    ...(creds.token !== undefined ? { token: creds.token } : {}),
    ...(creds.clientCert ? { clientCert: creds.clientCert } : {}),
    userAgent,
    ...(maxSockets ? { maxSockets } : {}),
    ...(log ? { onServerSwitch: (from: string, to: string, reason: string) => log.warn('API server changed', { from, to, reason }) } : {}),
  });
  const stops: Array<() => void> = [];
  if (more.discover) stops.push(startServerDiscovery(client, log ? { log } : {}));
  if (creds.clientCertFiles && creds.clientCert)
    stops.push(
      watchClientCertificate(
        creds.clientCertFiles,
        creds.clientCert,
        (pair) => client.setClientCertificate(pair),
        onReloadError ?? (() => undefined),
      ),
    );
  if (stops.length === 0) return { client, creds };
  const close = client.close.bind(client);
  client.close = () => {
    for (const stop of stops) stop();
    close();
  };
  return { client, creds };
}
