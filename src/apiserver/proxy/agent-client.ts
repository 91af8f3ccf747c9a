// How the API server reaches node agents: the node's InternalIP and kubelet endpoint port, TLS
// options, and the shared bearer token.

import type { ApiContext } from '../handlers/context.js';
import { StatusError } from '../../base/errors.js';
import type { AnyObject } from '../../api/object.js';

export interface NodeProxyOptions {
  token: string;
  /** CA bundle (PEM) that signed the agents' serving certificates */
  ca?: string;
  /** verify the agent's certificate (default: true when `ca` is given) */
  rejectUnauthorized?: boolean;
}

export interface AgentTarget {
  node: string;
  host: string;
  port: number;
}

type Rec = Record<string, unknown>;

/** The streaming endpoint of a Node object, or undefined when it has none yet. */
export function agentEndpoint(node: AnyObject): AgentTarget | undefined {
  const status = (node['status'] ?? {}) as Rec;
  const addrs = (status['addresses'] as Rec[] | undefined) ?? [];
  const pick = (t: string) => addrs.find((a) => a['type'] === t && typeof a['address'] === 'string')?.['address'] as string | undefined;
  const host = pick('InternalIP') ?? pick('ExternalIP') ?? pick('Hostname');
  const ep = ((status['daemonEndpoints'] as Rec | undefined)?.['kubeletEndpoint'] as Rec | undefined)?.['Port'];
  if (!host || typeof ep !== 'number' || ep <= 0) return undefined;
  return { node: node.metadata.name ?? '', host, port: ep };
}

/** Looks up the Node and its endpoint; a 503 Status when it cannot be reached. */
export async function resolveAgent(ctx: ApiContext, nodeName: string): Promise<AgentTarget> {
  const kind = ctx.kindFor('', 'v1', 'nodes');
  if (!kind) throw new StatusError(503, 'ServiceUnavailable', 'nodes are not served');
  const kv = await ctx.store(kind).getKv(undefined, nodeName);
  if (!kv) throw new StatusError(503, 'ServiceUnavailable', `node "${nodeName}" not found: no agent to stream from`);
  const { obj } = await ctx.store(kind).get(undefined, nodeName);
  const t = agentEndpoint(obj);
  if (!t) throw new StatusError(503, 'ServiceUnavailable', `node "${nodeName}" reports no address and kubelet endpoint port`);
  return t;
}

export function requireNodeProxy(ctx: ApiContext, node: string, what: string): NodeProxyOptions {
  if (!ctx.nodeProxy)
    throw new StatusError(503, 'ServiceUnavailable', `no connection to the agent of node "${node}": ${what} needs the node agent`);
  return ctx.nodeProxy;
}

export function tlsOptions(p: NodeProxyOptions, host: string): { ca?: string; rejectUnauthorized: boolean; servername?: string } {
  const o: { ca?: string; rejectUnauthorized: boolean; servername?: string } = {
    rejectUnauthorized: p.rejectUnauthorized ?? p.ca !== undefined,
  };
  if (p.ca) o.ca = p.ca;
  if (!/^[\d.]+$/.test(host) && !host.includes(':')) o.servername = host;
  return o;
}

export const formatHostPort = (t: AgentTarget) => (t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`);
