// Several API servers over ONE store, for tests of what they must agree on: each is built as `tandem
// server` builds its own (createApiServer with the kinds, CRD serving, Service allocation, RBAC fed
// from the store, the Node authorizer fed by its watch of Pods, quota admission), listens on its own
// loopback port and shares nothing with the others but the Backend. The in-process memory backend is enough to find state kept in one
// server's memory: every write through either server reaches the other only through the store's
// watch, as it would through etcd.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allKinds } from '../../api/kinds/index.js';
import { nullLogger } from '../../base/log.js';
import { createRestClient, type RestClient } from '../../client/rest-client.js';
import { ensurePki } from '../../pki/index.js';
import { createBackend, type Backend } from '../../storage/index.js';
import { createLimitRanger } from '../admission/limit-ranger.js';
import { createResourceQuotaAdmission } from '../admission/resource-quota.js';
import { createRequestAuthenticator, createTokenAuthenticator, privilegedGroupAuthorizer, unionAuthorizer } from '../auth/index.js';
import { createRbacAuthorizer, startPolicyFeed } from '../auth/rbac/index.js';
import { bootstrapCluster } from '../bootstrap.js';
import { createNodeAuthorization } from '../node-authorization.js';
import { createApiServer, type ApiServer } from '../server.js';

const ADMIN_TOKEN = 'admin-token-0123456789';
/** an ordinary user: only what RBAC grants */
export const ALICE_TOKEN = 'alice-token-0123456789';
/** node n1's agent (system:node:n1): what the Node authorizer grants */
export const NODE_TOKEN = 'node-n1-token-0123456789';

interface TestServer {
  api: ApiServer;
  port: number;
  url: string;
  /** system:masters */
  admin: RestClient;
  /** a client of this server with another token (ALICE_TOKEN: user `alice`, authenticated only) */
  clientWith(token: string): RestClient;
  /** Stops this server alone (the others and the store go on). */
  stop(): Promise<void>;
}

export interface SharedStoreServers {
  /** the shared backend (with `store`: the first server's own client of the store) */
  backend: Backend;
  servers: TestServer[];
  caPem: string;
  close(): Promise<void>;
}

/**
 * Starts `count` API servers on one store: by default one fresh memory Backend object they share
 * (closed with them); with `store` (a createBackend spec such as `etcd://…`) each server opens its
 * own Backend on it, as separate processes would.
 */
export async function startServersOnOneStore(count = 2, o: { store?: string } = {}): Promise<SharedStoreServers> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-shared-store-'));
  const shared = o.store === undefined ? await createBackend('memory') : undefined;
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1', 'localhost'] });
  const servers: TestServer[] = [];
  const owned: Backend[] = [];
  const start = async (): Promise<TestServer> => {
    const backend = shared ?? (await createBackend(o.store ?? 'memory'));
    if (!shared) owned.push(backend);
    const tokens = createTokenAuthenticator([
      { token: ADMIN_TOKEN, user: { name: 'admin', uid: 'admin', groups: ['system:masters', 'system:authenticated'] } },
      { token: ALICE_TOKEN, user: { name: 'alice', uid: 'alice', groups: ['system:authenticated'] } },
      { token: NODE_TOKEN, user: { name: 'system:node:n1', uid: 'n1', groups: ['system:nodes', 'system:authenticated'] } },
    ]);
    const feed = startPolicyFeed(backend, nullLogger);
    await feed.ready();
    const nodeAuthz = createNodeAuthorization({ backend, kinds: allKinds, log: nullLogger });
    await nodeAuthz.ready();
    const api = await createApiServer({
      backend,
      kinds: allKinds,
      authenticator: createRequestAuthenticator({ static: tokens }),
      authorizer: unionAuthorizer([privilegedGroupAuthorizer, nodeAuthz.authorizer, createRbacAuthorizer(feed.index)]),
      admissionPlugins: [createLimitRanger(backend), createResourceQuotaAdmission({ backend })],
      tls: { cert: `${pki.certPem.trimEnd()}\n${pki.caCertPem}`, key: pki.keyPem, ca: pki.caCertPem },
      advertiseAddress: '127.0.0.1:0',
      log: nullLogger,
    });
    const port = await api.listen('127.0.0.1', 0);
    api.ctx.advertiseAddress = `127.0.0.1:${port}`;
    const url = `https://127.0.0.1:${port}`;
    const clients: RestClient[] = [];
    const clientWith = (token: string) => {
      const c = createRestClient({ server: url, caPem: pki.caCertPem, token, userAgent: `test-${port}` });
      clients.push(c);
      return c;
    };
    const admin = clientWith(ADMIN_TOKEN);
    // every server bootstraps, as each `tandem server` does: the second finds it done
    await bootstrapCluster(admin, port, api.services.wellKnown);
    let stopped = false;
    return {
      api,
      port,
      url,
      admin,
      clientWith,
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const c of clients) c.close();
        await api.close();
        feed.stop();
        nodeAuthz.stop();
        if (!shared) await backend.close();
      },
    };
  };
  try {
    for (let i = 0; i < count; i++) servers.push(await start());
  } catch (e) {
    for (const s of servers) await s.stop();
    if (owned.length > servers.length) await owned.at(-1)?.close();
    await shared?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    backend: shared ?? owned[0]!,
    servers,
    caPem: pki.caCertPem,
    async close() {
      for (const s of servers) await s.stop();
      await shared?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
