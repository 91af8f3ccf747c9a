// The RBAC authorizer and rule resolver: a request is allowed when some rule of a binding naming the
// user (ClusterRoleBindings everywhere, RoleBindings in the request's namespace) covers it; otherwise
// it has no opinion (the chain then forbids), with the reason naming roles that bindings reference but
// that do not exist. The rules of a (user, namespace) pair are resolved once and cached until the
// policy changes, so a steady stream of requests costs one map lookup and a scan of the user's rules.

import type { PolicyRule } from '../../../api/gen/types.js';
import type { AuthorizationAttributes, Authorizer, ResolvedRules, RuleResolver } from '../authorizer.js';
import type { UserInfo } from '../user.js';
import type { PolicyIndex } from './policy-index.js';
import { describeSubject, ruleAllows, subjectMatches } from './rule-match.js';

interface SourcedRules {
  /** `ClusterRoleBinding "b" of ClusterRole "r" to User "u"`: the allowed reason's tail */
  source: string;
  rules: readonly PolicyRule[];
}

interface Resolution {
  sources: SourcedRules[];
  errors: string[];
}

/** Resolved (user, namespace) pairs kept at most; the cache is dropped whole beyond it and on every policy change. */
const CACHE_LIMIT = 10_000;

/** Upstream's aggregate error text: one message alone, several as `[a, b]`. */
const aggregate = (errors: readonly string[]): string => (errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`);

type AuthorizationResult = Awaited<ReturnType<Authorizer['authorize']>>;

/** Synchronous: everything it reads is in memory. */
export interface RbacAuthorizer extends Authorizer, RuleResolver {
  authorize(a: AuthorizationAttributes): AuthorizationResult;
  rulesFor(user: UserInfo, namespace: string): ResolvedRules;
  /** Every rule the user holds in the namespace, with where each came from (for tests and reviews). */
  resolve(user: UserInfo, namespace: string): Resolution;
}

export function createRbacAuthorizer(index: PolicyIndex): RbacAuthorizer {
  let cache = new Map<string, Resolution>();
  index.onChange(() => {
    if (cache.size) cache = new Map();
  });

  function compute(user: UserInfo, namespace: string): Resolution {
    const out: Resolution = { sources: [], errors: [] };
    const scopes = namespace ? ['', namespace] : [''];
    for (const scope of scopes) {
      for (const b of index.bindingsFor(user, scope)) {
        const subject = b.subjects.find((s) => subjectMatches(s, user, b.namespace));
        if (!subject) continue;
        const got = index.roleRules(b.roleRef, b.namespace);
        if ('error' in got) {
          out.errors.push(got.error);
          continue;
        }
        const who = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
        const source = `${b.kind} ${JSON.stringify(who)} of ${b.roleRef.kind} ${JSON.stringify(b.roleRef.name)} to ${describeSubject(subject, b.namespace)}`;
        out.sources.push({ source, rules: got.rules });
      }
    }
    return out;
  }

  function resolve(user: UserInfo, namespace: string): Resolution {
    const key = `${namespace}\u0000${user.name}\u0000${user.groups.join('\u0000')}`;
    let r = cache.get(key);
    if (!r) {
      r = compute(user, namespace);
      if (cache.size >= CACHE_LIMIT) cache = new Map();
      cache.set(key, r);
    }
    return r;
  }

  return {
    resolve,
    authorize(a: AuthorizationAttributes): AuthorizationResult {
      const r = resolve(a.user, a.namespace);
      for (const s of r.sources) {
        for (const rule of s.rules) if (ruleAllows(a, rule)) return { decision: 'allow', reason: `RBAC: allowed by ${s.source}` };
      }
      return { decision: 'no-opinion', reason: r.errors.length ? `RBAC: ${aggregate(r.errors)}` : '' };
    },
    rulesFor(user: UserInfo, namespace: string): ResolvedRules {
      const r = resolve(user, namespace);
      const out: ResolvedRules = { resourceRules: [], nonResourceRules: [], incomplete: r.errors.length > 0 };
      for (const s of r.sources) {
        for (const rule of s.rules) {
          if (rule.nonResourceURLs?.length)
            out.nonResourceRules.push({ verbs: [...rule.verbs], nonResourceURLs: [...rule.nonResourceURLs] });
          else {
            out.resourceRules.push({
              verbs: [...rule.verbs],
              apiGroups: [...(rule.apiGroups ?? [])],
              resources: [...(rule.resources ?? [])],
              ...(rule.resourceNames?.length ? { resourceNames: [...rule.resourceNames] } : {}),
            });
          }
        }
      }
      if (r.errors.length) out.evaluationError = aggregate(r.errors);
      return out;
    },
  };
}
