// What a caller may do on the agent's server, as the kubelet decides it: each request is a question
// about the node's own Node object (resource nodes, name = this node) with a subresource chosen by
// path (/stats → stats, /metrics… → metrics, /logs → log, everything else → proxy) and a verb from
// the HTTP method, asked of the API server as a SubjectAccessReview. Answers are cached as the
// kubelet's webhook authorizer does: five minutes when allowed, thirty seconds when not.

import type { SubjectAccessReview } from '../../../api/gen/types.js';
import { StatusError } from '../../../base/errors.js';
import type { Logger } from '../../../base/log.js';
import type { AgentUser, ReviewClient } from './agent-authn.js';
import { TtlCache } from './ttl-cache.js';

export interface AgentAuthzOptions {
  nodeName: string;
  /** asks SubjectAccessReviews; absent: nobody is allowed */
  reviews?: ReviewClient;
  authorizedTtlMs?: number;
  unauthorizedTtlMs?: number;
  now?: () => number;
  log?: Logger;
}

export interface NodeRequestAttributes {
  verb: string;
  subresource: string;
}

const VERBS: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

const under = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

/** The kubelet's mapping of a request onto the nodes resource. */
export function nodeRequestAttributes(method: string, path: string): NodeRequestAttributes {
  const verb = VERBS[method.toUpperCase()] ?? '';
  const subresource = under(path, '/stats') ? 'stats' : under(path, '/metrics') ? 'metrics' : under(path, '/logs') ? 'log' : 'proxy';
  return { verb, subresource };
}

export interface AgentAuthorizer {
  /** resolves when allowed; throws a 403 StatusError (the kubelet's words) otherwise */
  authorize(user: AgentUser, method: string, path: string): Promise<void>;
}

export function createAgentAuthorizer(o: AgentAuthzOptions): AgentAuthorizer {
  const now = o.now ?? Date.now;
  const cache = new TtlCache<boolean>(4096, now);

  async function review(user: AgentUser, a: NodeRequestAttributes): Promise<boolean> {
    if (!o.reviews) return false;
    const key = JSON.stringify([user.name, user.uid ?? '', user.groups, user.extra ?? {}, a.verb, a.subresource]);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const body: SubjectAccessReview = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: {
        user: user.name,
        groups: user.groups,
        ...(user.uid ? { uid: user.uid } : {}),
        ...(user.extra ? { extra: user.extra } : {}),
        resourceAttributes: { verb: a.verb, group: '', version: 'v1', resource: 'nodes', subresource: a.subresource, name: o.nodeName },
      },
    };
    let answer: SubjectAccessReview;
    try {
      answer = await o.reviews.request<SubjectAccessReview>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', body);
    } catch (e) {
      // no answer is no permission, but not remembered: the next request asks again
      o.log?.warn('subject access review failed', { error: e instanceof Error ? e.message : String(e) });
      return false;
    }
    const allowed = answer.status?.allowed === true && answer.status.denied !== true;
    cache.set(key, allowed, allowed ? (o.authorizedTtlMs ?? 300_000) : (o.unauthorizedTtlMs ?? 30_000));
    return allowed;
  }

  return {
    async authorize(user, method, path) {
      const a = nodeRequestAttributes(method, path);
      if (a.verb && (await review(user, a))) return;
      throw new StatusError(
        403,
        'Forbidden',
        `Forbidden (user=${user.name}, verb=${a.verb}, resource=nodes, subresource=${a.subresource})`,
      );
    },
  };
}
