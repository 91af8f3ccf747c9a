// `tandem server` (and the control-plane half of `tandem up`): store, PKI, API server, bootstrap,
// admin kubeconfig, then the `ready` line.

import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { createBackend, type Backend, type EtcdTlsFiles } from '../storage/index.js';
import { allKinds } from '../api/kinds/index.js';
import {
  bootstrapCluster,
  reconcileAPIServices,
  reconcileKubernetesEndpoints,
  startKubernetesEndpoints,
  createApiServer,
  reconcileBootstrapPolicy,
  startEventTtl,
  expireEventsInStore,
  type ApiServer,
  type ApiServerOptions,
  serviceAccountUser,
  type UserInfo,
} from '../apiserver/index.js';
import { ensureClientCert, ensurePki } from '../pki/index.js';
import { writeKubeconfig } from '../client/kubeconfig.js';
import { serversOfEndpoints } from '../client/server-discovery.js';
import type { Endpoints } from '../api/gen/types.js';
import { createRestClient, type RestClient } from '../client/rest-client.js';
import { startControlPlaneDns } from './cluster-dns.js';
import { csrAccessCheck, podSecuritySettings, startServerSecurity, type SecurityOptions } from './server-security.js';
import { startControlLoops } from './control-loops/start.js';
import type { ControlLoops } from './control-loops/launcher.js';
import type { ControlLoopsMode } from './control-loops/protocol.js';
import { CLUSTER_DNS_SERVICE_ACCOUNT, createIdentityTokens } from './component-identities.js';
import { claimDataDir, parseListen } from './data-dir.js';
import { checkEtcdStoreBeforeStart, checkStoreBeforeStart, markEtcdStore, type StoreGuardOptions } from './store-guard.js';
import { startServerEtcdWarnings } from './etcd-warnings.js';
import { startHeapTrimUnlessOff } from '../base/heap-trim.js';
import { createLogger, type Logger } from '../base/log.js';
import { formatIpv4, parseIpv4Cidr } from '../base/ipv4-cidr.js';
import type { ControlPlaneJoin } from './control-plane-join.js';
import { etcdStoreOptions, eventTtlOption, joinBeforeStart } from './server-store-options.js';
import { prepareWebViewCert, startWebView, UI_URL_FILE } from './ui-serve.js';
import { rmSync } from 'node:fs';

export interface ServerOptions extends SecurityOptions, StoreGuardOptions {
  listen: string;
  /** `sqlite` (default: DATA/state.db), `sqlite:PATH`, `memory` */
  store?: string;
  /** component logs (default: lines on stdout at TANDEM_LOG_LEVEL) */
  log?: Logger;
  /** the Service ClusterIP range (default 10.96.0.0/16) */
  serviceCidr?: string;
  /** the pod range Nodes get their podCIDR from (default 10.42.0.0/16), in blocks of this prefix length (default 24) */
  clusterCidr?: string;
  nodeCidrMaskSize?: number;
  /** run the cluster DNS server (default: not; the CLI runs it): `listen` HOST:PORT (default 0.0.0.0:1053, see cluster-dns.ts), `domain` (default cluster.local) */
  clusterDns?: { listen?: string | undefined; domain?: string };
  /** registries read over plain HTTP by the scheduler's image facts (loopback always is) */
  insecureRegistries?: readonly string[];
  /** API Priority and Fairness (`false`: off) and the connection limits of the API server */
  flowControl?: ApiServerOptions['flowControl'];
  connections?: ApiServerOptions['connections'];
  /** where the scheduler's and controllers' /metrics are served (unset: not served) */
  controllersMetricsListen?: string;
  /** where the scheduler and controllers run (`--control-loops`; default control-loops/start.ts DEFAULT_CONTROL_LOOPS) */
  controlLoops?: ControlLoopsMode;
  /** `--join`: fetch the cluster's shared keys from a running server before starting (control-plane-join.ts) */
  join?: ControlPlaneJoin;
  /** TLS files towards etcd (`--etcd-cafile/--etcd-certfile/--etcd-keyfile`), with an `etcd://` store */
  etcdTls?: EtcdTlsFiles;
  /** the web view (`--ui-listen`, ui-serve.ts); unset: none */
  ui?: { listen: string; required: boolean };
}

/** Checks the network flags before anything starts, so a typo is an error line rather than a failing controller. */
function checkNetworkOptions(o: ServerOptions): void {
  const cluster = parseIpv4Cidr(o.clusterCidr ?? '10.42.0.0/16');
  const mask = o.nodeCidrMaskSize ?? 24;
  if (!Number.isInteger(mask) || mask < cluster.prefix || mask > 30) {
    throw new Error(
      `--node-cidr-mask-size ${mask} does not fit --cluster-cidr ${o.clusterCidr ?? '10.42.0.0/16'} (between ${cluster.prefix} and 30)`,
    );
  }
  if (o.serviceCidr) parseIpv4Cidr(o.serviceCidr);
}

function localAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  }
  return out;
}

/**
 * The names in-cluster clients reach the API by (the `kubernetes` Service's ClusterIP, the first
 * address of the Service range, and its DNS names), as upstream's serving certificate carries them.
 */
function inClusterNames(o: ServerOptions): string[] {
  const range = parseIpv4Cidr(o.serviceCidr ?? '10.96.0.0/16');
  const domain = o.clusterDns?.domain ?? 'cluster.local';
  return [formatIpv4(range.base + 1), 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${domain}`];
}

export interface RunningServer {
  api: ApiServer;
  backend: Backend;
  port: number;
  url: string;
  kubeconfig: string;
  client: RestClient;
  /** the admin token and the serving certificate (the node agent of `tandem up` serves with it) */
  token: string;
  /** a bearer token of this process for `user` (the node agent of `tandem up` runs as its node) */
  tokenFor(user: UserInfo): string;
  tls: { cert: string; key: string; ca: string };
  /** the scheduler and controllers (ready, leading), and where they run */
  controllers: ControlLoops;
  /** what a node agent of this cluster needs: the kube-dns ClusterIP and the domain; where the server listens, if it runs */
  clusterDns: { serviceIp: string; domain: string; endpoint?: { ip: string; port: number } };
  stop(): Promise<void>;
}

/** The error of a listen, saying which flag to change when the address is taken. */
function listenError(e: unknown, flag: string, address: string): Error {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE')
    return new Error(
      `${flag} ${address}: the address is in use (another tandem? \`tandem status\` tells): stop it, or choose another ${flag}`,
    );
  if (code === 'EADDRNOTAVAIL') return new Error(`${flag} ${address}: no interface of this host has that address`);
  if (code === 'EACCES') return new Error(`${flag} ${address}: not allowed to listen there (ports below 1024 need root)`);
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Starts the control plane on the data dir. A start that fails leaves the dir as it found it: what
 * started is stopped (the store's lock released), and what the start made is removed (the whole dir
 * when this start created it).
 */
export async function runServer(o: ServerOptions): Promise<RunningServer> {
  const started = process.hrtime.bigint();
  checkNetworkOptions(o);
  const podSecurity = podSecuritySettings(o);
  const { host, port: wantPort } = parseListen(o.listen);
  const claim = claimDataDir(o.dataDir);
  const spec = !o.store || o.store === 'sqlite' ? `sqlite:${join(o.dataDir, 'state.db')}` : o.store;
  // History kept for watches that resume from an old resourceVersion and for paged lists: 10,000
  // revisions and at least 5 minutes (upstream compacts etcd to the revision of 5 minutes before);
  // tests shrink both through the environment to exercise the 410 Expired path.
  const compactInterval = Number(process.env['TANDEM_COMPACT_INTERVAL_MS'] ?? 60_000);
  const retainRevisions = Number(process.env['TANDEM_RETAIN_REVISIONS'] ?? 10_000);
  const retainMs = Number(process.env['TANDEM_RETAIN_MS'] ?? 300_000);
  let backend: Backend;
  try {
    if (o.join) await joinBeforeStart(o.dataDir, spec, o.join, o.log ?? createLogger());
    checkStoreBeforeStart(o.dataDir, spec, o); // an empty store next to an existing cluster's PKI is refused
    backend = await createBackend(spec, { compactInterval, retainRevisions, retainMs, ...etcdStoreOptions(o) });
    await checkEtcdStoreBeforeStart(backend, o.dataDir, o).catch(async (e: unknown) => {
      await backend.close();
      throw e;
    });
    // etcd: Events get leases from their first write (upstream's --event-ttl); the sweeper started later stays idle
    expireEventsInStore({ backend, kinds: allKinds.filter((k) => k.kind === 'Event'), ...eventTtlOption() });
  } catch (e) {
    // another process may own the dir (its store's lock): only an empty dir of this start's goes
    claim.undoIfEmpty();
    throw e;
  }
  // the store's lock makes the dir this process's: a failure from here on can take back all it made
  const undo: Array<() => unknown> = [() => backend.close()];
  // an etcd store's HA problems (one member, members that disagree) go to the log at start and when they change
  const etcdWarnings = startServerEtcdWarnings(spec, o.etcdTls, (o.log ?? createLogger()).child('etcd'));
  undo.push(() => etcdWarnings?.stop());
  try {
    const s = await startOnBackend(o, { host, wantPort, backend, started, undo, podSecurity });
    return etcdWarnings ? { ...s, stop: () => (etcdWarnings.stop(), s.stop()) } : s;
  } catch (e) {
    for (const step of undo.reverse())
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    claim.undo();
    throw e;
  }
}

interface StartState {
  host: string;
  wantPort: number;
  backend: Backend;
  started: bigint;
  /** stops of what has started, in start order */
  undo: Array<() => unknown>;
  podSecurity: ReturnType<typeof podSecuritySettings>;
}

async function startOnBackend(
  o: ServerOptions,
  { host, wantPort, backend, started, undo, podSecurity }: StartState,
): Promise<RunningServer> {
  const log = o.log ?? createLogger();
  const slog = log.child('server');
  // the serving certificate also covers this host's addresses: remote kubectl, and the node agent
  // of `tandem up` (which serves with the same certificate on the node's InternalIP)
  const hosts = ['localhost', '127.0.0.1', hostname(), ...localAddresses()];
  if (host !== '0.0.0.0' && host !== '::' && !hosts.includes(host)) hosts.push(host);
  hosts.push(...inClusterNames(o));
  const pki = await ensurePki(o.dataDir, { hosts });
  await markEtcdStore(backend, pki.caCertPem); // an etcd store names its cluster's CA (store-guard.ts)
  // the API server's identity towards node agents (upstream's apiserver-kubelet-client), renewed like server.crt
  const kubeletClient = await ensureClientCert(o.dataDir, {
    name: 'kubelet-client',
    commonName: 'kube-apiserver-kubelet-client',
    ca: { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
  });
  const uiCert = o.ui ? prepareWebViewCert(o.dataDir, o.ui.listen, { certPem: pki.caCertPem, keyPem: pki.caKeyPem }) : undefined;
  const sec = await startServerSecurity(o, { backend, pki, undo, log: slog, podSecurity });
  const { token, tokens, authorizer, rbacFeed, nodeAuthz } = sec;
  const advertiseHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const api = await createApiServer({
    backend,
    kinds: allKinds,
    authenticator: sec.authenticator,
    authorizer,
    ruleResolver: sec.rbac,
    admissionPlugins: sec.admissionPlugins,
    // the chain (serving certificate, then the CA): a joining node reads the CA from the handshake
    // and checks it against its --ca-cert-hash
    tls: { cert: `${pki.certPem.trimEnd()}\n${pki.caCertPem}`, key: pki.keyPem, ca: pki.caCertPem },
    // agents are called with the API server's own client certificate, never a token, and only once
    // their serving certificate verifies against the cluster CA
    nodeProxy: { cert: kubeletClient.certPem, key: kubeletClient.keyPem, ca: pki.caCertPem },
    advertiseAddress: `${advertiseHost}:${wantPort}`,
    log: slog.child('services'),
    ...(o.serviceCidr ? { serviceCIDR: o.serviceCidr } : {}),
    ...(sec.oidc ? { oidc: sec.oidc } : {}),
    ...(o.flowControl !== undefined ? { flowControl: o.flowControl } : {}),
    ...(o.connections ? { connections: o.connections } : {}),
    onInternalError: (err, req) =>
      slog.error('internal error', {
        method: req.method,
        url: req.url,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      }),
  });
  undo.push(() => api.close());
  sec.install(api);
  const port = await api.listen(host, wantPort).catch((e: unknown) => {
    throw listenError(e, '--listen', o.listen);
  });
  api.ctx.advertiseAddress = `${advertiseHost}:${port}`;
  const url = `https://${advertiseHost.includes(':') ? `[${advertiseHost}]` : advertiseHost}:${port}`;
  // the scheduler and controllers of this process reach the API through the in-process transport
  // (Unix socket paths are limited to ~107 bytes: with a deeper data dir they use HTTPS instead)
  const socketPath = join(o.dataDir, 'api.sock');
  const local = Buffer.byteLength(socketPath) < 100;
  if (local) await api.listenUnix(socketPath);
  const client = createRestClient({
    server: url,
    caPem: pki.caCertPem,
    token,
    userAgent: 'tandem-server',
    maxSockets: 64,
    ...(local ? { socketPath } : {}),
  });
  undo.push(() => client.close());
  await bootstrapCluster(client, port, api.services.wellKnown);
  await reconcileBootstrapPolicy(client);
  await reconcileAPIServices(client);
  // the `kubernetes` Service's endpoint: this server as pods reach it (a loopback listen only serves host-network and process pods)
  const endpointIp = host === '0.0.0.0' ? (localAddresses()[0] ?? '127.0.0.1') : /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : '127.0.0.1';
  await reconcileKubernetesEndpoints(client, endpointIp, port);
  const kubernetesEndpoints = startKubernetesEndpoints({ client, ip: endpointIp, port, log: slog.child('kubernetes-endpoints') });
  undo.push(() => kubernetesEndpoints.stop());
  // each component of this process calls the API as itself (RBAC's system:kube-scheduler,
  // system:controller:<name>, …): tokens minted for this process only, clients over the same transport
  const identityToken = createIdentityTokens(tokens);
  const componentClients = new Map<string, RestClient>();
  const clientAs = (user: UserInfo, agent: string): RestClient => {
    let c = componentClients.get(user.name);
    if (!c) {
      c = createRestClient({
        server: url,
        caPem: pki.caCertPem,
        token: identityToken(user),
        userAgent: agent,
        maxSockets: 16,
        ...(local ? { socketPath } : {}),
      });
      componentClients.set(user.name, c);
    }
    return c;
  };
  undo.push(() => {
    for (const c of componentClients.values()) c.close();
  });
  const kubeconfig = join(o.dataDir, 'kubeconfig');
  // every API server of the cluster that is up now (HA): tandem's own clients fail over between them
  await writeKubeconfig(kubeconfig, { server: url, caPem: pki.caCertPem, token, servers: await clusterServers(client, url, o.join) });
  const nodeIpam = {
    ...(o.clusterCidr ? { clusterCidr: o.clusterCidr } : {}),
    ...(o.nodeCidrMaskSize !== undefined ? { nodeCidrMaskSize: o.nodeCidrMaskSize } : {}),
  };
  // the scheduler and controllers: off this event loop by default (control-loops/), so both cores work
  const controllers = startControlLoops({
    mode: o.controlLoops,
    log,
    server: url,
    caPem: pki.caCertPem,
    socketPath: local ? socketPath : undefined,
    tokenFor: identityToken,
    clientAs,
    csrAccess: csrAccessCheck(authorizer),
    options: {
      // served by the control-loop host itself: its metrics are in its own realm's registry
      ...(o.controllersMetricsListen
        ? { metrics: { listen: o.controllersMetricsListen, tls: { cert: pki.certPem, key: pki.keyPem } } }
        : {}),
      nodeIpam,
      rootCaPem: pki.caCertPem,
      ...(pki.caKeyPem ? { ca: { certPem: pki.caCertPem, keyPem: pki.caKeyPem } } : {}),
      ...(o.controllers ? { only: o.controllers } : {}),
      ...(o.insecureRegistries?.length ? { insecureRegistries: o.insecureRegistries } : {}),
    },
  });
  undo.push(() => controllers.stop());
  // upstream's --event-ttl: Events go an hour after their last write (tests shorten it)
  const eventTtl = startEventTtl({
    backend,
    kinds: allKinds.filter((k) => k.kind === 'Event'),
    log: slog.child('event-ttl'),
    ...(process.env['TANDEM_EVENT_TTL_MS'] ? { ttlMs: Number(process.env['TANDEM_EVENT_TTL_MS']) } : {}),
  });
  undo.push(() => eventTtl.stop());
  const domain = o.clusterDns?.domain ?? 'cluster.local';
  const dns = o.clusterDns
    ? await startControlPlaneDns({
        client: clientAs(serviceAccountUser('kube-system', CLUSTER_DNS_SERVICE_ACCOUNT), 'tandem-cluster-dns'),
        apiHost: host,
        log,
        clusterDomain: domain,
        listen: o.clusterDns.listen,
      }).catch((e: unknown) => {
        throw listenError(e, '--cluster-dns-listen', o.clusterDns?.listen ?? '');
      })
    : undefined;
  // the web view: its own port and certificate, calling this API server with each user's token
  if (!o.ui) rmSync(join(o.dataDir, UI_URL_FILE), { force: true });
  const ui =
    o.ui && uiCert
      ? await startWebView({
          dataDir: o.dataDir,
          ...o.ui,
          cert: uiCert,
          api: { url, caPem: pki.caCertPem },
          ...(o.insecureRegistries ? { insecureRegistries: o.insecureRegistries } : {}),
          log: slog.child('ui'),
        })
      : undefined;
  undo.push(() => ui?.close());
  // the heap a burst of writes leaves behind goes back once the server is quiet (base/heap-trim.ts)
  const heapTrim = startHeapTrimUnlessOff(slog.child('heap'));
  undo.push(() => heapTrim?.stop());
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  slog.info(`tandem server ready in ${ms.toFixed(0)} ms at ${url} (store: ${backend.name})`);
  return {
    api,
    backend,
    port,
    url,
    kubeconfig,
    client,
    controllers,
    clusterDns: { serviceIp: api.services.wellKnown.dns, domain, ...(dns?.endpoint ? { endpoint: dns.endpoint } : {}) },
    token,
    tokenFor: identityToken,
    tls: { cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem },
    async stop() {
      heapTrim?.stop();
      await ui?.close();
      await kubernetesEndpoints.stop(); // deletes this server's identity Lease and takes its address out
      nodeAuthz.stop();
      await dns?.stop();
      await eventTtl.stop();
      await controllers.stop();
      for (const c of componentClients.values()) c.close();
      client.close();
      await api.close();
      rbacFeed.stop();
      await backend.close();
    },
  };
}

/**
 * The other API servers of the cluster for the admin kubeconfig: the addresses in the `kubernetes`
 * Endpoints (every live server's, kubernetes-endpoints.ts) and the server joined, after this one's.
 */
async function clusterServers(client: RestClient, own: string, joined?: ControlPlaneJoin): Promise<string[]> {
  const ep = (await client.getOrUndefined('/api/v1/namespaces/default/endpoints/kubernetes').catch(() => undefined)) as
    Endpoints | undefined;
  const all = [own, ...(joined ? [joined.url] : []), ...(ep ? serversOfEndpoints(ep) : [])];
  return [...new Set(all)];
}
