// GET pods/{name}/log: streamed from the node agent's /containerLogs endpoint, piping the chunked
// text through; agent errors come back as Status answers. Simulated nodes have no agent: their pods'
// logs are made here (simulated-node.ts).

import { queryBool } from '../../base/query-bool.js';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AnyObject } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import type { RequestScope } from '../handlers/context.js';
import { agentConnectError, requireNodeProxy, resolveAgent, tlsOptions } from './agent-client.js';
import { checkStreamable, chooseContainer } from './pod-checks.js';
import { isSimulatedNode, serveSimulatedLog } from './simulated-node.js';

const PASSED = ['follow', 'previous', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes'];

/** A Status from an agent's error answer (its own Status when it sent one). */
async function agentError(res: IncomingMessage): Promise<StatusError> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const code = res.statusCode ?? 500;
  try {
    const s = JSON.parse(text) as Record<string, unknown>;
    if (s['kind'] === 'Status' && typeof s['message'] === 'string') {
      return new StatusError(
        typeof s['code'] === 'number' ? s['code'] : code,
        (s['reason'] as 'BadRequest' | undefined) ?? 'InternalError',
        s['message'],
      );
    }
  } catch {
    /* not JSON */
  }
  return new StatusError(
    code >= 400 && code < 600 ? code : 500,
    code === 404 ? 'NotFound' : code === 400 ? 'BadRequest' : 'InternalError',
    `the node agent answered ${code}: ${text.slice(0, 500)}`,
  );
}

export async function proxyLogs(s: RequestScope, pod: AnyObject, node: string): Promise<void> {
  const container = chooseContainer(pod, s.query.get('container'));
  const previous = queryBool(s.query, 'previous');
  checkStreamable(pod, 'log', container, previous);
  if (await isSimulatedNode(s.ctx, node)) return serveSimulatedLog(s, pod, node, container, previous);
  const auth = requireNodeProxy(s.ctx, node, 'logs');
  const target = await resolveAgent(s.ctx, node);
  const q = new URLSearchParams();
  for (const k of PASSED) {
    const v = s.query.get(k);
    if (v !== null) q.set(k, v);
  }
  const ns = pod.metadata.namespace ?? 'default';
  const path = `/containerLogs/${encodeURIComponent(ns)}/${encodeURIComponent(pod.metadata.name ?? '')}/${encodeURIComponent(container)}${q.toString() ? `?${q.toString()}` : ''}`;
  const upstream = await new Promise<IncomingMessage>((resolve, reject) => {
    const r = https.request(
      {
        host: target.host,
        port: target.port,
        path,
        method: 'GET',
        headers: { Accept: 'text/plain' },
        ...tlsOptions(auth, target.host),
      },
      resolve,
    );
    r.on('error', (e) => reject(agentConnectError(node, target, e)));
    s.res.on('close', () => r.destroy());
    r.end();
  });
  if (upstream.statusCode !== 200) throw await agentError(upstream);
  s.res.writeHead(200, { 'Content-Type': 'text/plain' });
  s.res.flushHeaders();
  await new Promise<void>((resolve) => {
    upstream.pipe(s.res);
    upstream.on('end', resolve);
    upstream.on('error', () => {
      s.res.destroy();
      resolve();
    });
    s.res.on('close', () => {
      upstream.destroy();
      resolve();
    });
  });
}
