// The API server's request metrics under upstream's names and labels: apiserver_request_total and
// apiserver_request_duration_seconds, recorded when each response finishes. The request path pays
// for two timestamps, one listener (a shared function, state kept on the response) and, when it
// finishes, two Map lookups by a joined key: the label text of each combination is built once.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Counter, CounterFamily, Histogram, HistogramFamily, Registry } from '../../base/metrics.js';
import type { RequestInfo } from '../http/request-info.js';

/** upstream's buckets for request (and storage) latency, in seconds */
export const REQUEST_LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60,
];

/** The verb label as upstream reports it: the REST action in capitals (create is POST, update PUT). */
const REPORTED_VERB: Record<string, string> = {
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETECOLLECTION',
  connect: 'CONNECT',
};

/** Non-resource paths reported by name; any other one is reported as `other` (bounded cardinality). */
const KNOWN_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version', '/metrics', '/api', '/apis', '/openapi/v2', '/openapi/v3']);
const NON_RESOURCE_VERBS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const T0 = Symbol('metrics.t0');
const KEY = Symbol('metrics.key');
const LABELS = Symbol('metrics.labels');

interface Tracked extends ServerResponse {
  [T0]: number;
  [KEY]: string;
  [LABELS]: string[];
}

export interface RequestMetrics {
  /**
   * Records the request when its response finishes (watches when they end). `t0` is
   * performance.now() when the request came in.
   */
  track(req: IncomingMessage, res: ServerResponse, info: RequestInfo | null, query: URLSearchParams, t0: number): void;
}

function dryRunLabel(query: URLSearchParams): string {
  const all = query.getAll('dryRun');
  return all.length === 0 ? '' : all.length === 1 ? all[0]! : [...all].sort().join(',');
}

/** The labels of a request except `code`: verb, dry_run, group, version, resource, subresource, scope, component. */
function labelsOf(req: IncomingMessage, info: RequestInfo | null, query: URLSearchParams, path: string): string[] {
  const method = (req.method ?? 'GET').toUpperCase();
  if (!info || info.kind === 'other') {
    const p = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const known = KNOWN_PATHS.has(p) || p.startsWith('/api/') || p.startsWith('/apis/') || p.startsWith('/openapi/');
    const sub = KNOWN_PATHS.has(p) ? p : known ? p.split('/').slice(0, 2).join('/') + '/*' : 'other';
    return [NON_RESOURCE_VERBS.has(method) ? method : 'other', '', '', '', '', sub, '', 'apiserver'];
  }
  let verb = REPORTED_VERB[info.verb] ?? 'other';
  if (verb === 'PATCH' && String(req.headers['content-type'] ?? '').startsWith('application/apply-patch')) verb = 'APPLY';
  const scope = info.namespace !== undefined ? 'namespace' : info.name !== undefined ? 'resource' : 'cluster';
  return [verb, dryRunLabel(query), info.group, info.version, info.resource, info.subresource ?? '', scope, 'apiserver'];
}

export function createRequestMetrics(registry: Registry): RequestMetrics {
  const labelNames = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];
  const total: CounterFamily = registry.counter({
    name: 'apiserver_request_total',
    help: 'Requests the API server answered, by verb, dry run, group, version, resource, subresource, scope, component and HTTP status code.',
    labelNames: [...labelNames, 'code'],
  });
  const duration: HistogramFamily = registry.histogram({
    name: 'apiserver_request_duration_seconds',
    help: 'How long the API server took to answer a request, from its arrival to the end of the response, in seconds.',
    labelNames,
    buckets: REQUEST_LATENCY_BUCKETS,
  });

  const histograms = new Map<string, Histogram>();
  const counters = new Map<string, Counter>();
  function onClose(this: Tracked): void {
    const secs = (performance.now() - this[T0]) / 1000;
    const key = this[KEY];
    let h = histograms.get(key);
    if (h === undefined) {
      h = duration.labels(...this[LABELS]);
      histograms.set(key, h);
    }
    h.observe(secs);
    const code = String(this.statusCode);
    const ckey = `${key}\u0000${code}`;
    let c = counters.get(ckey);
    if (c === undefined) {
      c = total.labels(...this[LABELS], code);
      counters.set(ckey, c);
    }
    c.inc();
  }

  return {
    track(req, res, info, query, t0) {
      const labels = labelsOf(req, info, query, info?.kind === 'other' ? info.path : (req.url ?? '/').split('?')[0]!);
      const r = res as Tracked;
      r[T0] = t0;
      r[KEY] = labels.join('\u0000');
      r[LABELS] = labels;
      // 'close' comes after the response is done, or when the client went away first (a watch)
      res.on('close', onClose);
    },
  };
}
