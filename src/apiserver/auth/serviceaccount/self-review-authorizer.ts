// What upstream's ClusterRole system:basic-user grants every authenticated user: asking about
// themselves (SelfSubjectReview, SelfSubjectAccessReview, SelfSubjectRulesReview). Until the RBAC
// authorizer with its bootstrap policy is in the chain, this keeps `kubectl auth whoami` working for
// identities outside system:masters; once RBAC serves system:basic-user it is redundant and can go.

import type { Authorizer } from '../authorizer.js';

const SELF_REVIEWS = new Set([
  'authentication.k8s.io/selfsubjectreviews',
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
]);

export const selfReviewAuthorizer: Authorizer = {
  authorize: (a) =>
    a.resourceRequest &&
    a.verb === 'create' &&
    a.subresource === '' &&
    a.user.groups.includes('system:authenticated') &&
    SELF_REVIEWS.has(`${a.apiGroup}/${a.resource}`)
      ? { decision: 'allow', reason: '' }
      : { decision: 'no-opinion', reason: '' },
};
