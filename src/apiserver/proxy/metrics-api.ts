// metrics.k8s.io/v1beta1 (what `kubectl top` reads): NodeMetrics and PodMetrics built from the node
// agents' /stats/summary, asked in parallel with a short timeout and cached for a few seconds.

import https from 'node:https';
import type { ServerResponse } from 'node:http';
import type { AnyObject } from '../../api/object.js';
import { StatusError, methodNotAllowed, notFound } from '../../base/errors.js';
import { parseLabelSelector } from '../../base/label-selector.js';
import type { ApiContext } from '../handlers/context.js';
import type { ResourceRequest } from '../http/request-info.js';
import { sendJson } from '../http/respond.js';
import { objectOf } from '../registry/resource-store.js';
import { agentConnectError, agentEndpoint, tlsOptions, type NodeProxyOptions } from './agent-client.js';
import { LABEL_SIMULATED } from '../../api/well-known.js';
import { SIM_ANNOTATION_PREFIX, simulatedSummary } from './sim-metrics.js';

export const METRICS_GROUP = 'metrics.k8s.io';
const GV = `${METRICS_GROUP}/v1beta1`;
const WINDOW = '10.0s';
const CACHE_MS = 5000;
const TIMEOUT_MS = 3000;

interface Usage {
  usageNanoCores?: number;
  workingSetBytes?: number;
  time?: string;
}
interface SummaryLike {
  node?: { cpu?: Usage; memory?: Usage };
  pods?: { podRef?: { name?: string; namespace?: string }; containers?: { name?: string; cpu?: Usage; memory?: Usage }[] }[];
}

export const cpuQuantity = (nanoCores: number | undefined) => `${Math.max(0, Math.round(nanoCores ?? 0))}n`;
export const memoryQuantity = (bytes: number | undefined) => `${Math.max(0, Math.round((bytes ?? 0) / 1024))}Ki`;

/** A node's summary, or the Status of a refused agent certificate (502), or undefined (unreachable, no data). */
type Fetched = SummaryLike | StatusError | undefined;
type Fetch = (node: AnyObject, auth: NodeProxyOptions) => Promise<Fetched>;
interface Why {
  refused?: StatusError;
  /** the pods of each node, listed once per request for the simulated nodes' figures */
  podsByNode?: Promise<Map<string, AnyObject[]>>;
  /** node figures only: pods without the sim usage annotations add nothing, so they are not decoded */
  usageOnly?: boolean;
}

const fetchSummary: Fetch = (node, auth) => {
  const t = agentEndpoint(node);
  if (!t) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: t.host,
        port: t.port,
        path: '/stats/summary',
        method: 'GET',
        timeout: TIMEOUT_MS,
        ...tlsOptions(auth, t.host),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            resolve(undefined);
            return;
          }
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SummaryLike);
          } catch {
            resolve(undefined);
          }
        });
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', (e) => {
      const se = agentConnectError(node.metadata.name ?? '', t, e);
      resolve(se.code === 502 ? se : undefined);
    });
    req.end();
  });
};

export interface MetricsApi {
  handle(info: ResourceRequest, query: URLSearchParams, res: ServerResponse): Promise<void>;
}

export function createMetricsApi(ctx: ApiContext, fetch: Fetch = fetchSummary): MetricsApi {
  const cache = new Map<string, { at: number; p: Promise<Fetched> }>();
  // `why` collects, per request, an agent certificate that was refused: a GET of one object answers with it
  const summaryOf = async (node: AnyObject, why: Why): Promise<SummaryLike | undefined> => {
    if (node.metadata.labels?.[LABEL_SIMULATED] === 'true') {
      // grouped once: 5,000 sim nodes each scanning 30,000 pods kept the event loop for tens of seconds
      why.podsByNode ??= podsByNode(why.usageOnly === true);
      const name = node.metadata.name ?? '';
      return simulatedSummary(name, (await why.podsByNode).get(name) ?? [], ctx.now());
    }
    const auth = ctx.nodeProxy;
    if (!auth) return undefined;
    const name = node.metadata.name ?? '';
    const hit = cache.get(name);
    let p: Promise<Fetched>;
    if (hit && ctx.now() - hit.at < CACHE_MS) p = hit.p;
    else {
      p = fetch(node, auth);
      cache.set(name, { at: ctx.now(), p });
    }
    const got = await p;
    if (got instanceof StatusError) {
      why.refused = got;
      return undefined;
    }
    return got;
  };
  const listOf = async (plural: string, ns?: string): Promise<AnyObject[]> => {
    const kind = ctx.kindFor('', 'v1', plural);
    if (!kind) return [];
    const { kvs } = await ctx.backend.list(ctx.store(kind).prefix(ns));
    return kvs.map(objectOf);
  };
  const podsByNode = async (usageOnly: boolean): Promise<Map<string, AnyObject[]>> => {
    const kind = ctx.kindFor('', 'v1', 'pods');
    const out = new Map<string, AnyObject[]>();
    if (!kind) return out;
    const { kvs } = await ctx.backend.list(ctx.store(kind).prefix(undefined));
    for (const kv of kvs) {
      if (usageOnly && !kv.value.includes(SIM_ANNOTATION_PREFIX)) continue;
      const p = objectOf(kv);
      const node = (p['spec'] as { nodeName?: string } | undefined)?.nodeName;
      if (!node) continue;
      let list = out.get(node);
      if (!list) out.set(node, (list = []));
      list.push(p);
    }
    return out;
  };
  const stamp = (u: Usage | undefined) => u?.time ?? new Date(ctx.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  const meta = (o: AnyObject) => {
    const m: Record<string, unknown> = {
      name: o.metadata.name,
      creationTimestamp: new Date(ctx.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    if (o.metadata.namespace) m['namespace'] = o.metadata.namespace;
    if (o.metadata.labels) m['labels'] = o.metadata.labels;
    return m;
  };

  async function nodeMetrics(nodes: AnyObject[], why: Why) {
    const sums = await Promise.all(nodes.map((n) => summaryOf(n, why)));
    const items: Record<string, unknown>[] = [];
    nodes.forEach((n, i) => {
      const s = sums[i]?.node;
      if (!s) return;
      items.push({
        metadata: meta(n),
        timestamp: stamp(s.cpu),
        window: WINDOW,
        usage: { cpu: cpuQuantity(s.cpu?.usageNanoCores), memory: memoryQuantity(s.memory?.workingSetBytes) },
      });
    });
    return items;
  }

  async function podMetrics(pods: AnyObject[], why: Why) {
    const nodesByName = new Map((await listOf('nodes')).map((n) => [n.metadata.name ?? '', n]));
    const wanted = new Set<string>();
    for (const p of pods) {
      const nn = String(((p['spec'] ?? {}) as Record<string, unknown>)['nodeName'] ?? '');
      if (nn) wanted.add(nn);
    }
    const stats = new Map<string, NonNullable<SummaryLike['pods']>[number]>();
    await Promise.all(
      [...wanted].map(async (nn) => {
        const node = nodesByName.get(nn);
        const s = node ? await summaryOf(node, why) : undefined;
        for (const ps of s?.pods ?? []) stats.set(`${ps.podRef?.namespace ?? ''}/${ps.podRef?.name ?? ''}`, ps);
      }),
    );
    const items: Record<string, unknown>[] = [];
    for (const p of pods) {
      const ps = stats.get(`${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`);
      if (!ps) continue;
      const containers = (ps.containers ?? []).map((c) => ({
        name: c.name,
        usage: { cpu: cpuQuantity(c.cpu?.usageNanoCores), memory: memoryQuantity(c.memory?.workingSetBytes) },
      }));
      items.push({ metadata: meta(p), timestamp: stamp(ps.containers?.[0]?.cpu), window: WINDOW, containers });
    }
    return items;
  }

  return {
    async handle(info, query, res) {
      if (info.version !== 'v1beta1') throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      if (info.verb !== 'get' && info.verb !== 'list')
        throw methodNotAllowed(`${info.verb} is not supported on ${info.resource}.${METRICS_GROUP}`);
      if (info.subresource) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      const why: Why = {};
      const sel = parseLabelSelector(query.get('labelSelector') ?? '');
      if (info.resource === 'nodes') {
        why.usageOnly = true;
        if (info.namespace !== undefined) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
        let nodes = (await listOf('nodes')).filter((n) => sel.matches(n.metadata.labels));
        if (info.name) nodes = nodes.filter((n) => n.metadata.name === info.name);
        const items = await nodeMetrics(nodes, why);
        if (info.name) {
          const it = items[0];
          if (!it) throw why.refused ?? notFound({ group: METRICS_GROUP, resource: 'nodes' }, info.name);
          sendJson(res, 200, { kind: 'NodeMetrics', apiVersion: GV, ...it });
          return;
        }
        sendJson(res, 200, {
          kind: 'NodeMetricsList',
          apiVersion: GV,
          metadata: {},
          items: items.map((i) => ({ kind: 'NodeMetrics', apiVersion: GV, ...i })),
        });
        return;
      }
      if (info.resource === 'pods') {
        let pods = (await listOf('pods', info.namespace)).filter((p) => sel.matches(p.metadata.labels));
        if (info.name) pods = pods.filter((p) => p.metadata.name === info.name);
        const items = await podMetrics(pods, why);
        if (info.name) {
          const it = items[0];
          if (!it) throw why.refused ?? notFound({ group: METRICS_GROUP, resource: 'pods' }, info.name);
          sendJson(res, 200, { kind: 'PodMetrics', apiVersion: GV, ...it });
          return;
        }
        sendJson(res, 200, {
          kind: 'PodMetricsList',
          apiVersion: GV,
          metadata: {},
          items: items.map((i) => ({ kind: 'PodMetrics', apiVersion: GV, ...i })),
        });
        return;
      }
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    },
  };
}
