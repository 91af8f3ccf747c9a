// The API server: HTTPS, authentication, and the request pipeline from path to handler.

import http from 'node:http';
import https from 'node:https';
import { API_TLS_CIPHERS } from './http/tls-ciphers.js';
import { parseFromSocketEvents } from './http/tls-parser-feed.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { KindDef } from '../api/kind.js';
import type { AnyObject } from '../api/object.js';
import { createKindRegistry, type KindRegistry } from '../api/kinds/kind-registry.js';
import { versionedBackend } from './registry/storage-version.js';
import { installCrdServing } from './crd/index.js';
import type { Backend } from '../storage/backend.js';
import { StatusError, notFound } from '../base/errors.js';
import { parseRequestInfo } from './http/request-info.js';
import { addWarning, sendError, toStatusError } from './http/respond.js';
import { ResourceStore } from './registry/resource-store.js';
import { resourcePrefix } from './registry/keys.js';
import { createNonResource } from './nonresource.js';
import { createAdmission } from './admission/admission.js';
import { createServiceAllocator, type ServiceAllocator } from './admission/service-alloc.js';
import { repairServiceAllocations, startServiceAllocationRepair } from './admission/service-alloc-repair.js';
import type { Logger } from '../base/log.js';
import { isPublicPath, unauthorizedStatus, type RequestAuthenticator } from './auth/index.js';
import { alwaysAllowAuthorizer, type Authorizer, type RuleResolver } from './auth/authorizer.js';
import { authorizeRequest } from './auth/authorize-request.js';
import { impersonate, impersonationRequested } from './auth/impersonation.js';
import { registerReviewHandlers } from './auth/reviews/index.js';
import type { AdmissionPlugin } from './admission/plugin.js';
import type { OidcDiscovery } from './auth/serviceaccount/oidc.js';
import { createCustomHandlers } from './handlers/custom.js';
import type { ApiContext, RequestScope, UserInfo } from './handlers/context.js';
import { handleResource } from './handlers/resource.js';
import { createUpgradeProxy } from './proxy/upgrade-proxy.js';
import type { NodeProxyOptions } from './proxy/node-proxy-options.js';
import { createMetricsApi, METRICS_GROUP } from './proxy/metrics-api.js';
import { createFlowControl, type FlowControlOptions } from './flowcontrol/index.js';
import { guardConnections, type ConnectionGuardOptions } from './http/connection-guard.js';
import { answerClientErrors, MAX_HEADER_BYTES } from './http/header-limits.js';
import { createCsrAdmission, installCsrApproval } from './certificates/index.js';
import { createApiServerMetrics } from './metrics/index.js';

export interface ApiServerOptions {
  backend: Backend;
  kinds: readonly KindDef[];
  authenticator: RequestAuthenticator;
  /** who may do what (default: everyone authenticated may do everything, for tests of other parts) */
  authorizer?: Authorizer;
  /** every rule a user holds (RBAC): SelfSubjectRulesReview and escalation checks read it */
  ruleResolver?: RuleResolver;
  /** admission that depends on who asks, run in this order on every write */
  admissionPlugins?: AdmissionPlugin[];
  /** `ca`: client certificates signed by it are asked for (not required) and offered to the authenticators */
  tls: { cert: string; key: string; ca?: string };
  /** what clients should use to reach us, for discovery (host:port) */
  advertiseAddress: string;
  now?: () => number;
  /** called with unexpected errors (bugs): they answer 500 */
  onInternalError?: (err: unknown, req: IncomingMessage) => void;
  /** the client certificate towards node agents and the CA their serving certificates must verify against (logs, exec, attach, portforward, metrics.k8s.io) */
  nodeProxy?: NodeProxyOptions;
  /** the Service ClusterIP range (default 10.96.0.0/16) */
  serviceCIDR?: string;
  /** warnings of the Service allocation repair pass */
  log?: Logger;
  /** the ServiceAccount issuer's OIDC discovery documents (served when set) */
  oidc?: OidcDiscovery;
  /** API Priority and Fairness (default on, 200 seats); `false` turns it off */
  flowControl?: FlowControlOptions | false;
  /** limits on connections that do not authenticate (per address, in all, first-request and idle deadlines) */
  connections?: ConnectionGuardOptions;
}

export interface ApiServer {
  server: https.Server;
  ctx: ApiContext;
  /** the kinds served now: `opts.kinds`, plus those CustomResourceDefinitions add while the server runs */
  kinds: KindRegistry;
  /** the request handler, for an in-process transport that runs the same chain */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** ClusterIP and NodePort allocation (its well-known addresses are what bootstrap uses) */
  services: ServiceAllocator;
  listen(host: string, port: number): Promise<number>;
  /** Also serves plain HTTP on a Unix socket (mode 0600): the in-process transport for components in this process. */
  listenUnix(path: string): Promise<void>;
  close(): Promise<void>;
}

const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

export async function createApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const registry = createKindRegistry(opts.kinds);
  // keyed weakly: the kinds of a changed or deleted CRD are dropped with their stores
  const stores = new WeakMap<KindDef, ResourceStore>();
  const services = createServiceAllocator({ backend: opts.backend, ...(opts.serviceCIDR ? { serviceCIDR: opts.serviceCIDR } : {}) });
  const svcKind = registry.byResource('', 'v1', 'services');
  let repair: { stop(): void } | undefined;
  if (svcKind) {
    const repairOpts = {
      backend: opts.backend,
      allocator: services,
      servicePrefix: resourcePrefix(svcKind),
      ...(opts.log ? { log: opts.log } : {}),
    };
    await repairServiceAllocations(repairOpts);
    repair = startServiceAllocationRepair(repairOpts);
  }
  const metrics = createApiServerMetrics(() => registry.all(), opts.backend);
  const ctx: ApiContext = {
    backend: opts.backend,
    get kinds() {
      return registry.all();
    },
    kindRegistry: registry,
    store(kind) {
      let s = stores.get(kind);
      if (!s) {
        const gv = (v: string) => (kind.group ? `${kind.group}/${v}` : v);
        const onRead =
          kind.defaultOnRead && kind.defaults ? (o: Record<string, unknown>) => kind.defaults?.(o as unknown as AnyObject) : undefined;
        const backend = kind.storageVersion
          ? versionedBackend(opts.backend, gv(kind.version), gv(kind.storageVersion), onRead, kind.conversion)
          : opts.backend;
        s = new ResourceStore(kind, metrics.timed(backend, kind));
        stores.set(kind, s);
      }
      return s;
    },
    kindFor: (g, v, r) => registry.byResource(g, v, r),
    kindByGVK: (g, v, k) => registry.byGVK(g, v, k),
    now: opts.now ?? Date.now,
    admission: createAdmission(opts.backend, services),
    admissionPlugins: [...(opts.admissionPlugins ?? [])],
    authorizer: opts.authorizer ?? alwaysAllowAuthorizer,
    custom: createCustomHandlers(),
    advertiseAddress: opts.advertiseAddress,
  };
  if (opts.nodeProxy) ctx.nodeProxy = opts.nodeProxy;
  if (opts.ruleResolver) ctx.ruleResolver = opts.ruleResolver;
  // a server built with only some kinds (the events store) does not answer reviews
  if (registry.byGVK('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview')) registerReviewHandlers(ctx.custom);
  // certificates.k8s.io: the approval subresource and the requestor/signer checks come with the kind
  if (ctx.kindFor('certificates.k8s.io', 'v1', 'certificatesigningrequests')) {
    installCsrApproval(ctx);
    ctx.admissionPlugins.push(createCsrAdmission(ctx.authorizer));
  }
  // apiextensions.k8s.io: CRDs become served kinds (and leave again) while the server runs
  const crdServing = ctx.kindFor('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')
    ? await installCrdServing(ctx, registry, opts.log)
    : undefined;
  const metricsApi = createMetricsApi(ctx);
  const nonResource = createNonResource(registry, () => true, opts.oidc, metrics.registry);
  // after CRD changes settle, rebuild discovery and OpenAPI before a client asks (kubectl asks right away)
  let warmTimer: NodeJS.Timeout | undefined;
  const stopWarming = registry.onChange(() => {
    if (warmTimer) clearTimeout(warmTimer);
    warmTimer = setTimeout(() => {
      warmTimer = undefined;
      nonResource.warm();
    }, 50);
  });

  const flowControl = opts.flowControl === false ? undefined : createFlowControl(opts.flowControl);
  let guard: { authenticated(sock: Socket): void } | undefined;

  async function serve(req: IncomingMessage, res: ServerResponse, seat: { release?: () => void }): Promise<void> {
    const t0 = performance.now();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname;
    let user: UserInfo | undefined;
    if (!isPublicPath(path)) {
      const found = opts.authenticator.authenticate(req);
      user = found instanceof Promise ? await found : found;
      if (!user) {
        const body = `${JSON.stringify(unauthorizedStatus())}\n`;
        res.writeHead(401, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
        req.resume();
        return;
      }
      guard?.authenticated(req.socket);
      // acting as someone else (--as): authorized here, before the request itself is
      if (impersonationRequested(req.rawHeaders)) user = await impersonate(ctx.authorizer, user, req.rawHeaders);
    }
    const info = parseRequestInfo(req.method ?? 'GET', path, url.searchParams);
    // tracked before admission: a 429 is counted and queue waits are in the duration, as upstream's
    metrics.track(req, res, info, url.searchParams, t0);
    if (flowControl) seat.release = await flowControl.admit(res, user ?? ANONYMOUS, path, info, url.searchParams);
    if (user) await authorizeRequest(ctx.authorizer, user, req.method ?? 'GET', path, info);
    if (info === null) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    if (info.kind === 'other') {
      if (nonResource.handle(req, res, path, ctx.advertiseAddress)) return;
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (info.group === METRICS_GROUP) return metricsApi.handle(info, url.searchParams, res);
    const kind = ctx.kindFor(info.group, info.version, info.resource);
    if (!kind) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    if (!kind.namespaced && info.namespace !== undefined) throw notFound({ group: kind.group, resource: kind.plural }, info.name ?? '');
    if (kind.namespaced && info.namespace === undefined && info.verb !== 'list' && info.verb !== 'watch') {
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (kind.deprecationWarning) addWarning(res, kind.deprecationWarning);
    const scope: RequestScope = {
      ctx,
      req,
      res,
      info,
      kind,
      query: url.searchParams,
      user: user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] },
    };
    await handleResource(scope);
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const seat: { release?: () => void } = {};
    serve(req, res, seat)
      .catch((e: unknown) => {
        const se = toStatusError(e);
        if (se.code >= 500 && !(e instanceof StatusError)) opts.onInternalError?.(e, req);
        if (!res.headersSent) sendError(res, se);
        else res.end();
        req.resume();
      })
      .finally(() => seat.release?.());
  };

  const server = https.createServer(
    {
      cert: opts.tls.cert,
      key: opts.tls.key,
      keepAliveTimeout: 65_000,
      // upstream's limits: Go's 10 s TLS handshake deadline of the serving stack, 1 MiB of request line and headers
      handshakeTimeout: 10_000,
      maxHeaderSize: MAX_HEADER_BYTES,
      ...(opts.tls.ca ? { ca: opts.tls.ca, requestCert: true, rejectUnauthorized: false } : {}),
      ciphers: API_TLS_CIPHERS,
      honorCipherOrder: true,
    },
    handler,
  );
  parseFromSocketEvents(server);
  answerClientErrors(server);
  guard = guardConnections(server, opts.connections);
  server.on(
    'upgrade',
    createUpgradeProxy({
      ctx,
      handler,
      authenticate: (req) => opts.authenticator.authenticate(req),
      ...(opts.onInternalError ? { onInternalError: opts.onInternalError } : {}),
    }),
  );
  server.headersTimeout = 60_000;
  server.requestTimeout = 0; // watches and log streams are long-lived
  const unixServers: http.Server[] = [];
  const rawSockets = new Set<Socket>();
  server.on('connection', (sock: Socket) => {
    rawSockets.add(sock);
    sock.once('close', () => rawSockets.delete(sock));
  });
  return {
    server,
    ctx,
    kinds: registry,
    handler,
    services,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          // accept() failing (EMFILE when file descriptors run out) is reported here: log it, never crash
          server.on('error', (e) => opts.log?.warn('accepting a connection failed', { error: e.message }));
          const a = server.address();
          resolve(typeof a === 'object' && a ? a.port : port);
        });
      });
    },
    async listenUnix(path) {
      const { rmSync, chmodSync } = await import('node:fs');
      rmSync(path, { force: true });
      const local = http.createServer({ keepAliveTimeout: 65_000, maxHeaderSize: MAX_HEADER_BYTES }, handler);
      answerClientErrors(local);
      local.requestTimeout = 0;
      await new Promise<void>((resolve, reject) => {
        local.once('error', reject);
        local.listen(path, () => {
          local.off('error', reject);
          resolve();
        });
      });
      chmodSync(path, 0o600);
      unixServers.push(local);
    },
    close() {
      repair?.stop();
      crdServing?.stop();
      stopWarming();
      if (warmTimer) clearTimeout(warmTimer);
      // connections still in their TLS handshake are not seen by closeAllConnections()
      for (const sock of rawSockets) sock.destroy();
      const all = [server, ...unixServers];
      return Promise.all(
        all.map(
          (sv) =>
            new Promise<void>((resolve) => {
              sv.close(() => resolve());
              sv.closeAllConnections();
            }),
        ),
      ).then(() => undefined);
    },
  };
}
