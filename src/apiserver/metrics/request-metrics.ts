// The API server's request metrics under upstream's names and labels: apiserver_request_total and
// apiserver_request_duration_seconds, recorded when each response finishes. The request path pays
// for two timestamps, one short key and Map lookup, one 'close' listener and, when it finishes, a
// histogram observation and a counter found by status code: the label text of each series is built once.

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

  /** one per label combination (without the code): its histogram and its counters by code */
  interface Series {
    labels: string[];
    duration: Histogram;
    byCode: Map<number, Counter>;
  }
  const series = new Map<string, Series>();
  const seriesFor = (key: string, labels: () => string[]): Series => {
    let x = series.get(key);
    if (x === undefined) {
      const l = labels();
      x = { labels: l, duration: duration.labels(...l), byCode: new Map() };
      series.set(key, x);
    }
    return x;
  };
  const record = (x: Series, res: ServerResponse, t0: number): void => {
    x.duration.observe((performance.now() - t0) / 1000);
    const code = res.statusCode;
    let c = x.byCode.get(code);
    if (c === undefined) {
      c = total.labels(...x.labels, String(code));
      x.byCode.set(code, c);
    }
    c.inc();
  };

  return {
    track(req, res, info, query, t0) {
      let x: Series;
      if (info && info.kind === 'resource') {
        // the common case builds one short key and no label list (the list only for a new series)
        const dry = query.size === 0 ? '' : dryRunLabel(query);
        const apply = info.verb === 'patch' && String(req.headers['content-type'] ?? '').startsWith('application/apply-patch');
        const key = `${info.verb}${apply ? '+apply' : ''}|${dry}|${info.group}|${info.version}|${info.resource}|${info.subresource ?? ''}|${
          info.namespace !== undefined ? 'n' : info.name !== undefined ? 'r' : 'c'
        }`;
        x = seriesFor(key, () => labelsOf(req, info, query, ''));
      } else {
        const path = info?.kind === 'other' ? info.path : (req.url ?? '/').split('?')[0]!;
        const labels = labelsOf(req, info, query, path);
        x = seriesFor(labels.join('|'), () => labels);
      }
      // 'close' comes after the response is done, or when the client went away first (a watch)
      res.on('close', () => record(x, res, t0));
    },
  };
}
