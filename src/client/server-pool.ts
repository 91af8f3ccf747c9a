// The API servers one client may talk to, k3s's client-side load balancer in spirit: an ordered list
// of URLs that share a CA and credentials, one of them current. Requests go to the current server
// until it fails; then the next healthy one becomes current. A server that failed is skipped for a
// back-off (doubling per failure in a row) so that a dead server costs one failed connection now and
// then, not one per request; when every server is in back-off they are all still tried, soonest first,
// since trying a maybe-dead server beats failing without trying.
//
// Also here: the rules that decide whether a failed request may be sent to the next server. A read
// may always be repeated; a write only when nothing of it left this process (the connection was never
// established), because a write that reached a dying server may have been applied: sending it again
// could apply it twice.

export interface ServerPoolOptions {
  /** the configured servers, in order of preference (the kubeconfig's, the flags') */
  servers: readonly string[];
  /** first back-off of a failed server (default 1 s), doubling to maxBackoffMs (default 30 s) */
  backoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
  /** told when the current server changes (for a log line) */
  onSwitch?: (from: string, to: string, reason: string) => void;
}

export interface ServerPool {
  /** the server requests go to now (an origin, e.g. https://10.0.0.1:6443) */
  current(): string;
  /** the servers one request may try, in order: the current one, the healthy others, then those in back-off */
  candidates(): string[];
  /** every server known: configured first, then discovered */
  servers(): string[];
  failed(server: string, reason: string): void;
  succeeded(server: string): void;
  /** replaces the servers learned at run time (the `kubernetes` Endpoints); configured ones always stay */
  setDiscovered(servers: readonly string[]): void;
}

/** A server URL as the pool keys it: its origin (scheme, host, port), with a clear error for a bad one. */
export function normalizeServer(s: string): string {
  let u: URL;
  try {
    u = new URL(s.trim());
  } catch {
    throw new Error(`API server "${s}" is not a URL (want e.g. https://10.0.0.1:6443)`);
  }
  if (u.protocol !== 'https:') throw new Error(`API server "${s}": only https:// servers are supported`);
  return u.origin;
}

/** Servers from flags: `--server` repeated and/or comma-separated, normalized, duplicates dropped. */
export function parseServerList(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values)
    for (const part of v.split(',')) {
      if (!part.trim()) continue;
      const s = normalizeServer(part);
      if (!out.includes(s)) out.push(s);
    }
  return out;
}

export function createServerPool(opts: ServerPoolOptions): ServerPool {
  const configured = parseServerList(opts.servers);
  if (configured.length === 0) throw new Error('a client needs at least one API server');
  const now = opts.now ?? Date.now;
  const first = opts.backoffMs ?? 1000;
  const max = opts.maxBackoffMs ?? 30_000;
  let discovered: string[] = [];
  let all = configured;
  let current = configured[0] as string;
  // per server: failures in a row and when it may be tried again
  const health = new Map<string, { failures: number; until: number }>();

  const inBackoff = (s: string) => (health.get(s)?.until ?? 0) > now();
  /** the others in ring order after `s` */
  const after = (s: string) => {
    const i = all.indexOf(s);
    return i < 0 ? all.slice() : [...all.slice(i + 1), ...all.slice(0, i)];
  };
  const switchTo = (to: string, reason: string) => {
    if (to === current) return;
    const from = current;
    current = to;
    opts.onSwitch?.(from, to, reason);
  };

  return {
    current: () => current,
    candidates() {
      const others = after(current);
      const ready = others.filter((s) => !inBackoff(s));
      const waiting = others.filter(inBackoff).sort((a, b) => (health.get(a)?.until ?? 0) - (health.get(b)?.until ?? 0));
      return [current, ...ready, ...waiting];
    },
    servers: () => all.slice(),
    failed(server, reason) {
      const h = health.get(server) ?? { failures: 0, until: 0 };
      h.failures++;
      h.until = now() + Math.min(max, first * 2 ** (h.failures - 1));
      health.set(server, h);
      if (server !== current) return;
      const next = after(current).find((s) => !inBackoff(s));
      if (next) switchTo(next, reason);
    },
    succeeded(server) {
      health.delete(server);
      // a request that got through elsewhere because the current server failed: stick with that one
      if (server !== current && all.includes(server) && inBackoff(current)) switchTo(server, 'the current server is in back-off');
    },
    setDiscovered(servers) {
      discovered = parseServerList(servers).filter((s) => !configured.includes(s));
      all = [...configured, ...discovered];
      for (const s of health.keys()) if (!all.includes(s)) health.delete(s);
      if (!all.includes(current)) switchTo(configured[0] as string, 'the server left the kubernetes Endpoints');
    },
  };
}

/** How a request failed, for the retry rules. */
export type FailureKind =
  /** no connection was made (refused, unreachable, TLS handshake failed, connect timeout): nothing was sent */
  | 'unsent'
  /** the connection broke after the request may have been sent (reset, hang-up) */
  | 'broken'
  /** an answer that is not the API server's own (a 5xx without a Status body: a proxy, a dying server) */
  | 'bad-answer';

/** May a request that failed this way go to the next server? Reads always; writes only when nothing was sent. */
export function mayRetryElsewhere(method: string, kind: FailureKind): boolean {
  if (kind === 'unsent') return true;
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD';
}

/**
 * Is this HTTP answer a failed server rather than the API's answer? A 5xx whose body is not a
 * Status: the API server always answers errors with a Status (a 503 Status is meant, e.g. "no
 * agent to stream from", and goes up to the caller like a 404 does).
 */
export function isServerFailureAnswer(status: number, body: string): boolean {
  if (status < 500 || status > 599) return false;
  try {
    const s = JSON.parse(body) as { kind?: unknown };
    return s?.kind !== 'Status';
  } catch {
    return true;
  }
}
