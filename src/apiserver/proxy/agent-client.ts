// How the API server reaches node agents: the node's InternalIP and kubelet endpoint port, and TLS
// both ways: the agent's serving certificate must verify against the cluster CA for the address
// dialled, and the API server presents its own client certificate (CN kube-apiserver-kubelet-client).
// No bearer token is ever sent: whoever takes over a node's address or edits its Node object learns
// nothing, and an agent whose certificate does not verify receives no request at all.

import type { ApiContext } from '../handlers/context.js';
import { StatusError } from '../../base/errors.js';
import type { AnyObject } from '../../api/object.js';
import type { NodeProxyOptions } from './node-proxy-options.js';

export type { NodeProxyOptions };

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

export function tlsOptions(
  p: NodeProxyOptions,
  host: string,
): { ca: string; cert: string; key: string; rejectUnauthorized: true; servername?: string } {
  const o: { ca: string; cert: string; key: string; rejectUnauthorized: true; servername?: string } = {
    ca: p.ca,
    cert: p.cert,
    key: p.key,
    rejectUnauthorized: true,
  };
  // an IP address is checked against the certificate's IP SANs by Node itself (no SNI for IPs)
  if (!/^[\d.]+$/.test(host) && !host.includes(':')) o.servername = host;
  return o;
}

/** TLS errors that mean the agent's certificate was refused (as opposed to the agent being unreachable). */
const CERT_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_PURPOSE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * The Status for a failed connection to an agent: 502 naming the node and the certificate problem
 * when its serving certificate did not verify, 503 when it could not be reached.
 */
export function agentConnectError(node: string, t: AgentTarget, e: Error): StatusError {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  if (CERT_ERRORS.has(code)) {
    return new StatusError(
      502,
      'ServiceUnavailable',
      `refusing the agent of node "${node}" at ${formatHostPort(t)}: its serving certificate is not trusted (${code}: ${e.message}); ` +
        `an agent must serve a certificate from the cluster CA for the address its Node object names`,
    );
  }
  return new StatusError(503, 'ServiceUnavailable', `unable to reach the agent of node "${node}" at ${formatHostPort(t)}: ${e.message}`);
}

export const formatHostPort = (t: AgentTarget) => (t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`);
