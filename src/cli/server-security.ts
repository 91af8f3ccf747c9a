// Who may do what on `tandem server`: the authenticators (admin token, ServiceAccount and bootstrap
// tokens, client certificates), the authorizers (system:masters, the Node authorizer, RBAC fed from
// the store) and the admission plugins in upstream's order. Made before the API server, installed
// into it once it exists (TokenRequest/TokenReview, the bootstrap-token Secret lookups).

import type { Secret } from '../api/gen/types.js';
import { allKinds } from '../api/kinds/index.js';
import type { Logger } from '../base/log.js';
import type { AccessCheck } from '../controllers/index.js';
import type { Backend } from '../storage/index.js';
import {
  adminUser,
  createBootstrapTokenAuthenticator,
  createDefaultIngressClassPlugin,
  createEscalationPlugin,
  createLimitRanger,
  createNodeAuthorization,
  createPodSecurityPlugin,
  createPriorityPlugin,
  createRbacAuthorizer,
  createRequestAuthenticator,
  createResourceQuotaAdmission,
  createServiceAccountAdmission,
  createServiceAccountTokens,
  createStorageClassAdmission,
  createStoreClassSource,
  createStoreSource,
  createTokenAuthenticator,
  createX509Authenticator,
  ensureAdminToken,
  parseDefaultPolicy,
  parseExemptions,
  priorityClassesFromBackend,
  privilegedGroupAuthorizer,
  startPolicyFeed,
  staticTokenAuthenticator,
  storeIngressClassLister,
  storeServiceAccountLookup,
  unionAuthorizer,
  unionTokenAuthenticator,
  type ApiServer,
  type Authorizer,
} from '../apiserver/index.js';

/** The flags of `tandem server` that security depends on. */
export interface SecurityOptions {
  dataDir: string;
  /** components to run (default: all; see ALL_COMPONENTS in controllers.ts); ServiceAccount admission runs only with the serviceaccount controller */
  controllers?: readonly string[];
  /** --service-account-issuer (default https://kubernetes.default.svc.cluster.local, as kubeadm) */
  serviceAccountIssuer?: string;
  /** --api-audiences (default: the issuer) */
  apiAudiences?: readonly string[];
  /** Pod Security admission: `default` as `--pod-security-default` (default: privileged for every mode), `exempt` as `--pod-security-exempt` */
  podSecurity?: { default?: string | undefined; exempt?: readonly string[] };
}

/** The Pod Security settings, checked before anything starts. */
export function podSecuritySettings(o: SecurityOptions) {
  return { defaults: parseDefaultPolicy(o.podSecurity?.default ?? ''), exemptions: parseExemptions(o.podSecurity?.exempt ?? []) };
}

/**
 * ServiceAccount admission (default account, the kube-api-access volume) runs where the
 * serviceaccount controller runs: it is what guarantees `default` exists, so a server started with
 * `--controllers` leaving it out admits pods as a kube-apiserver without the plugin does.
 */
function serviceAccountAdmission(o: SecurityOptions, backend: Backend) {
  if (o.controllers && !o.controllers.includes('serviceaccount')) return [];
  return [createServiceAccountAdmission({ lookup: storeServiceAccountLookup(backend) })];
}

/**
 * The CSR approver's SubjectAccessReview, asked of this server's authorizer in-process: may the
 * requestor create certificatesigningrequests/nodeclient (or /selfnodeclient)? RBAC's default
 * policy carries kubeadm's two bindings for it (bootstrap tokens: nodeclient; nodes: selfnodeclient).
 */
export function csrAccessCheck(authorizer: Authorizer): AccessCheck {
  return async (user, sub) => {
    const r = await authorizer.authorize({
      user,
      verb: 'create',
      resourceRequest: true,
      path: '',
      apiGroup: 'certificates.k8s.io',
      apiVersion: 'v1',
      resource: 'certificatesigningrequests',
      subresource: sub,
      namespace: '',
      name: '',
    });
    return r.decision === 'allow';
  };
}

/** Reads kube-system Secrets straight from the API server's store (the bootstrap-token authenticator's lookups). */
function secretReader(api: ApiServer): (name: string) => Promise<Secret | undefined> {
  const kind = api.ctx.kindFor('', 'v1', 'secrets');
  if (!kind) return () => Promise.resolve(undefined);
  const store = api.ctx.store(kind);
  return async (name) =>
    (await store.getKv('kube-system', name)) ? ((await store.get('kube-system', name)).obj as unknown as Secret) : undefined;
}

interface SecurityDeps {
  backend: Backend;
  pki: { caCertPem: string };
  /** stops of what has started, in start order */
  undo: Array<() => unknown>;
  log: Logger;
  podSecurity: ReturnType<typeof podSecuritySettings>;
}

/** The authenticators, authorizers and admission plugins of the API server, their feeds started and synced. */
export async function startServerSecurity(o: SecurityOptions, { backend, pki, undo, log, podSecurity }: SecurityDeps) {
  const token = await ensureAdminToken(o.dataDir);
  const tokens = createTokenAuthenticator([{ token, user: adminUser() }]);
  // ServiceAccount tokens: signing key in DATA/pki, TokenRequest/TokenReview handlers, OIDC discovery
  const serviceAccounts = await createServiceAccountTokens({
    dataDir: o.dataDir,
    backend,
    kinds: allKinds,
    clock: { now: Date.now },
    log: log.child('serviceaccount-tokens'),
    ...(o.serviceAccountIssuer !== undefined ? { issuer: o.serviceAccountIssuer } : {}),
    ...(o.apiAudiences?.length ? { audiences: o.apiAudiences } : {}),
    // tests shorten how long a verified token is remembered, to see a deleted bound object take effect at once
    ...(process.env['TANDEM_TOKEN_CACHE_TTL_MS'] ? { cacheTtlMs: Number(process.env['TANDEM_TOKEN_CACHE_TTL_MS']) } : {}),
  });
  if (typeof serviceAccounts.oidc === 'string') log.warn(`no OIDC discovery for ServiceAccount tokens: ${serviceAccounts.oidc}`);
  // bootstrap tokens are Secrets: read through the API server's store once it exists
  let bootstrapSecret: (name: string) => Promise<Secret | undefined> = () => Promise.resolve(undefined);
  const bootstrapTokens = createBootstrapTokenAuthenticator({ getSecret: (n) => bootstrapSecret(n), log: log.child('bootstrap-token') });
  // client certificates from the cluster CA first (CSR-issued node and user certificates), then tokens
  const authenticator = createRequestAuthenticator({
    static: tokens,
    tokens: [serviceAccounts.authenticator, bootstrapTokens],
    others: [createX509Authenticator()],
  });
  // RBAC reads its policy from the store (list + watch); the first list is in before any request
  const rbacFeed = startPolicyFeed(backend, log.child('rbac'));
  undo.push(() => rbacFeed.stop());
  await rbacFeed.ready();
  const rbac = createRbacAuthorizer(rbacFeed.index);
  // node agents (system:node:NAME): the Node authorizer before RBAC, NodeRestriction on every write
  const nodeAuthz = createNodeAuthorization({ backend, kinds: allKinds, log: log.child('node-authorizer') });
  undo.push(() => nodeAuthz.stop());
  await nodeAuthz.ready();
  const authorizer = unionAuthorizer([privilegedGroupAuthorizer, nodeAuthz.authorizer, rbac]);
  // in upstream's order: mutating first (priority, service-account secrets, default classes), then the validating checks
  const admissionPlugins = [
    createPriorityPlugin(priorityClassesFromBackend(backend)),
    ...serviceAccountAdmission(o, backend),
    createDefaultIngressClassPlugin(storeIngressClassLister(backend)),
    createStorageClassAdmission(createStoreClassSource(backend)),
    serviceAccounts.legacySecretsPlugin(pki.caCertPem),
    nodeAuthz.admission,
    createPodSecurityPlugin({ source: createStoreSource(backend), ...podSecurity }),
    createEscalationPlugin({ authorizer, resolver: rbac, index: rbacFeed.index }),
    createLimitRanger(backend),
    // last, as upstream: only what every other plugin admitted is charged to a quota
    createResourceQuotaAdmission({ backend }),
  ];
  return {
    /** the admin's token (system:masters) and the static table it is in */
    token,
    tokens,
    authenticator,
    authorizer,
    rbac,
    rbacFeed,
    nodeAuthz,
    admissionPlugins,
    oidc: typeof serviceAccounts.oidc === 'string' ? undefined : serviceAccounts.oidc,
    /** Once the API server exists: TokenRequest/TokenReview handlers, and the bootstrap-token Secret lookups. */
    install(api: ApiServer): void {
      serviceAccounts.install(api.ctx);
      // TokenReview asks every token authenticator the server has, in the order requests do
      api.ctx.tokenAuthenticator = unionTokenAuthenticator([
        staticTokenAuthenticator(tokens),
        serviceAccounts.authenticator,
        bootstrapTokens,
      ]);
      bootstrapSecret = secretReader(api);
    },
  };
}
