// Learning API servers at run time, as k3s's agent load balancer does: every API server keeps its
// address in the `kubernetes` Endpoints of `default` (the Service in-cluster clients use), so a
// client that reads it now and then learns a server added after it started, and forgets one that
// was removed. The servers it was configured with always stay (server-pool.ts). Every server writes
// the addresses of all servers whose identity Lease is fresh (apiserver/kubernetes-endpoints.ts); a
// server is still forgotten only after it has been missing for a while (5 min), so that one missed
// renewal does not drop it.

import type { Endpoints } from '../api/gen/types.js';
import { StatusError } from '../base/errors.js';
import { nullLogger, type Logger } from '../base/log.js';
import type { HttpsRestClient } from './rest-client.js';

const PATH = '/api/v1/namespaces/default/endpoints/kubernetes';

/** The https URLs of an Endpoints object's ready addresses, on its `https` port (else its first). */
export function serversOfEndpoints(ep: Endpoints): string[] {
  const out: string[] = [];
  for (const subset of ep.subsets ?? []) {
    const port = (subset.ports ?? []).find((p) => p.name === 'https') ?? subset.ports?.[0];
    if (!port?.port) continue;
    for (const a of subset.addresses ?? []) {
      const host = a.ip.includes(':') ? `[${a.ip}]` : a.ip;
      const url = `https://${host}:${port.port}`;
      if (!out.includes(url)) out.push(url);
    }
  }
  return out;
}

export interface ServerDiscoveryOptions {
  /** how often the Endpoints are read (default 30 s) */
  intervalMs?: number;
  /** how long a server missing from the Endpoints is still kept (default 5 min) */
  forgetAfterMs?: number;
  now?: () => number;
  log?: Logger;
}

/** Reads the `kubernetes` Endpoints now and every interval into the client's pool; returns stop. */
export function startServerDiscovery(
  client: Pick<HttpsRestClient, 'pool' | 'getOrUndefined'>,
  opts: ServerDiscoveryOptions = {},
): () => void {
  const log = opts.log ?? nullLogger;
  const now = opts.now ?? Date.now;
  const forgetAfter = opts.forgetAfterMs ?? 5 * 60_000;
  // when each discovered server was last named
  const seen = new Map<string, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let complained = '';
  const once = async () => {
    try {
      const ep = await client.getOrUndefined<Endpoints>(PATH);
      if (stopped) return;
      const before = client.pool.servers().join(',');
      const t = now();
      for (const url of ep ? serversOfEndpoints(ep) : []) seen.set(url, t);
      for (const [url, at] of seen) if (t - at > forgetAfter) seen.delete(url);
      client.pool.setDiscovered([...seen.keys()]);
      const after = client.pool.servers().join(',');
      if (after !== before) log.info('API servers', { servers: after });
      complained = '';
    } catch (e) {
      // a client that may not read Endpoints, or no server answering: its configured servers still work
      const why = e instanceof StatusError ? `${e.code} ${e.message}` : e instanceof Error ? e.message : String(e);
      if (why !== complained) log.debug('cannot read the kubernetes Endpoints to learn API servers', { error: why });
      complained = why;
    }
  };
  const tick = () => {
    void once().finally(() => {
      if (!stopped) {
        timer = setTimeout(tick, opts.intervalMs ?? 30_000);
        timer.unref();
      }
    });
  };
  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
