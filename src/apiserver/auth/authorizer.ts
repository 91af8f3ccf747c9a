// Authorization: what a request asks to do (attributes), and authorizers that allow, deny or have no
// opinion. The chain asks each in turn and stops at the first allow or deny (upstream's union); a
// request nobody allows is forbidden with upstream's message.

import { StatusError } from '../../base/errors.js';
import type { UserInfo } from './user.js';

export interface AuthorizationAttributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection; impersonate, bind, escalate, use, approve, sign…; for non-resource requests the lower-cased HTTP method (get, post, …) */
  verb: string;
  resourceRequest: boolean;
  /** the request path (non-resource requests are judged by it) */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

type Decision = 'allow' | 'deny' | 'no-opinion';

interface AuthorizationResult {
  decision: Decision;
  /** why (shown after the forbidden message, and in SubjectAccessReview status.reason) */
  reason: string;
  /** an error met while deciding (SubjectAccessReview status.evaluationError) */
  evaluationError?: string;
}

export interface Authorizer {
  authorize(a: AuthorizationAttributes): AuthorizationResult | Promise<AuthorizationResult>;
}

const NO_OPINION: AuthorizationResult = { decision: 'no-opinion', reason: '' };

/** Members of system:masters may do anything (upstream's privileged-group authorizer). */
export const privilegedGroupAuthorizer: Authorizer = {
  authorize: (a) => (a.user.groups.includes('system:masters') ? { decision: 'allow', reason: '' } : NO_OPINION),
};

/** Allows everything: for unit tests of handlers, never for a server that serves users. */
export const alwaysAllowAuthorizer: Authorizer = { authorize: () => ({ decision: 'allow', reason: '' }) };

/** Asks each authorizer in order; the first allow or deny decides; reasons of the others are joined. */
export function unionAuthorizer(list: readonly Authorizer[]): Authorizer {
  return {
    async authorize(a) {
      const reasons: string[] = [];
      const errors: string[] = [];
      for (const z of list) {
        const r = await z.authorize(a);
        if (r.decision !== 'no-opinion') return r;
        if (r.reason) reasons.push(r.reason);
        if (r.evaluationError) errors.push(r.evaluationError);
      }
      return { decision: 'no-opinion', reason: reasons.join('\n'), ...(errors.length ? { evaluationError: errors.join(', ') } : {}) };
    },
  };
}

/** Upstream's text: `User "u" cannot list resource "pods" in API group "" in the namespace "default"`. */
export function forbiddenText(a: AuthorizationAttributes, reason: string): string {
  const who = `User "${a.user.name}"`;
  let text: string;
  if (!a.resourceRequest) text = `${who} cannot ${a.verb} path "${a.path}"`;
  else {
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
    text = `${who} cannot ${a.verb} resource "${res}" in API group "${a.apiGroup}" ${scope}`;
  }
  return reason ? `${text}: ${reason}` : text;
}

/** The 403 answer of a refused request, as upstream's Forbidden status (details name the resource). */
export function forbiddenError(a: AuthorizationAttributes, reason: string): StatusError {
  const text = forbiddenText(a, reason);
  if (!a.resourceRequest) return new StatusError(403, 'Forbidden', `forbidden: ${text}`);
  const gr = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const subject = a.name ? `${gr} "${a.name}"` : gr;
  return new StatusError(403, 'Forbidden', `${subject} is forbidden: ${text}`, {
    ...(a.name ? { name: a.name } : {}),
    ...(a.apiGroup ? { group: a.apiGroup } : {}),
    kind: a.resource,
  });
}

/** One rule a subject holds, as SelfSubjectRulesReview lists them. */
export interface ResourceRuleInfo {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames?: string[];
}

export interface NonResourceRuleInfo {
  verbs: string[];
  nonResourceURLs: string[];
}

export interface ResolvedRules {
  resourceRules: ResourceRuleInfo[];
  nonResourceRules: NonResourceRuleInfo[];
  /** true when some rules could not be read (a binding names a missing role): the list may be short */
  incomplete: boolean;
  evaluationError?: string;
}

/** Every rule a user holds in a namespace (cluster-wide rules included): SelfSubjectRulesReview and escalation checks. */
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): ResolvedRules | Promise<ResolvedRules>;
}
