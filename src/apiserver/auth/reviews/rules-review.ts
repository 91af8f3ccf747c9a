// SelfSubjectRulesReview: every rule the requester holds in a namespace (`kubectl auth can-i
// --list`), from the server's rule resolver. Without a resolver (an authorizer that cannot list what
// it allows) the answer is an empty, incomplete list that says why, as upstream's webhook and node
// authorizers answer.

import { badRequest } from '../../../base/errors.js';
import type { NonResourceRule, ResourceRule, SelfSubjectRulesReviewSpec, SubjectRulesReviewStatus } from '../../../api/gen/types.js';
import type { Unvalidated } from '../../../api/unvalidated.js';
import type { RequestScope } from '../../handlers/context.js';
import type { NonResourceRuleInfo, ResolvedRules, ResourceRuleInfo, RuleResolver } from '../authorizer.js';
import type { UserInfo } from '../user.js';
import { decodeReview, sendReview } from './decode.js';

export const NO_RULE_RESOLVER = 'the authorizer does not support user rule resolution';

/** Go's omitempty: empty lists are left out of a rule. */
function resourceRule(r: ResourceRuleInfo): ResourceRule {
  return {
    verbs: r.verbs,
    ...(r.apiGroups.length ? { apiGroups: r.apiGroups } : {}),
    ...(r.resources.length ? { resources: r.resources } : {}),
    ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
  };
}

const nonResourceRule = (r: NonResourceRuleInfo): NonResourceRule => ({
  verbs: r.verbs,
  ...(r.nonResourceURLs.length ? { nonResourceURLs: r.nonResourceURLs } : {}),
});

async function rulesStatus(resolver: RuleResolver | undefined, user: UserInfo, namespace: string): Promise<SubjectRulesReviewStatus> {
  if (!resolver) return { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: NO_RULE_RESOLVER };
  let r: ResolvedRules;
  try {
    r = await resolver.rulesFor(user, namespace);
  } catch (e) {
    return { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: e instanceof Error ? e.message : String(e) };
  }
  return {
    resourceRules: r.resourceRules.map(resourceRule),
    nonResourceRules: r.nonResourceRules.map(nonResourceRule),
    incomplete: r.incomplete,
    ...(r.evaluationError ? { evaluationError: r.evaluationError } : {}),
  };
}

export async function handleSelfSubjectRulesReview(s: RequestScope): Promise<void> {
  const { body, spec } = await decodeReview<Unvalidated<SelfSubjectRulesReviewSpec>>(s);
  const namespace = spec.namespace ?? '';
  if (namespace === '') throw badRequest('no namespace on request');
  // upstream answers a fresh object: the spec is not echoed
  sendReview(s, {
    apiVersion: body['apiVersion'],
    kind: body['kind'],
    metadata: { creationTimestamp: null },
    spec: {},
    status: await rulesStatus(s.ctx.ruleResolver, s.user, namespace),
  });
}
