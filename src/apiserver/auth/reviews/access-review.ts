// SubjectAccessReview, SelfSubjectAccessReview and LocalSubjectAccessReview: "may this subject do
// this?" asked of the server's authorizer, answered with upstream's status (allowed, denied, reason,
// evaluationError). SubjectAccessReview asks about the user the spec names (its groups as given:
// nothing is added); the self review asks about the requester (after impersonation).

import { invalid } from '../../../base/errors.js';
import type {
  NonResourceAttributes,
  ResourceAttributes,
  SelfSubjectAccessReviewSpec,
  SubjectAccessReviewSpec,
  SubjectAccessReviewStatus,
} from '../../../api/gen/types.js';
import type { Unvalidated } from '../../../api/unvalidated.js';
import {
  validateLocalSubjectAccessReview,
  validateSelfSubjectAccessReview,
  validateSubjectAccessReview,
} from '../../../api/kinds/authorization/validate-review.js';
import type { RequestScope } from '../../handlers/context.js';
import type { AuthorizationAttributes, Authorizer } from '../authorizer.js';
import type { UserInfo } from '../user.js';
import { decodeReview, sendReview } from './decode.js';

type AccessSpec = Unvalidated<SubjectAccessReviewSpec>;
type SelfAccessSpec = Unvalidated<SelfSubjectAccessReviewSpec>;

/** The attributes a review's spec asks about; an empty version means every version (upstream's "*"). */
function reviewAttributes(
  user: UserInfo,
  ra: Unvalidated<ResourceAttributes> | undefined,
  na: Unvalidated<NonResourceAttributes> | undefined,
): AuthorizationAttributes {
  if (ra) {
    return {
      user,
      verb: ra.verb ?? '',
      resourceRequest: true,
      path: '',
      apiGroup: ra.group ?? '',
      apiVersion: ra.version || '*',
      resource: ra.resource ?? '',
      subresource: ra.subresource ?? '',
      namespace: ra.namespace ?? '',
      name: ra.name ?? '',
    };
  }
  return {
    user,
    verb: na?.verb ?? '',
    resourceRequest: false,
    path: na?.path ?? '',
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
  };
}

/** Asks the authorizer; an authorizer that fails answers "not allowed" with the failure as evaluationError. */
async function reviewStatus(z: Authorizer, a: AuthorizationAttributes): Promise<SubjectAccessReviewStatus> {
  try {
    const r = await z.authorize(a);
    return {
      allowed: r.decision === 'allow',
      ...(r.decision === 'deny' ? { denied: true } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
      ...(r.evaluationError ? { evaluationError: r.evaluationError } : {}),
    };
  } catch (e) {
    return { allowed: false, evaluationError: e instanceof Error ? e.message : String(e) };
  }
}

/** The user a SubjectAccessReview names: exactly the spec's fields. */
function specUser(spec: AccessSpec): UserInfo {
  const extra = spec.extra && Object.keys(spec.extra).length > 0 ? spec.extra : undefined;
  return {
    name: spec.user ?? '',
    groups: spec.groups ?? [],
    ...(spec.uid ? { uid: spec.uid } : {}),
    ...(extra ? { extra } : {}),
  };
}

export async function handleSubjectAccessReview(s: RequestScope): Promise<void> {
  const { body, metadata, spec } = await decodeReview<AccessSpec>(s);
  const errs = validateSubjectAccessReview(metadata, spec);
  if (errs.length > 0) throw invalid(s.kind.kind, s.kind.group, '', errs);
  body['status'] = await reviewStatus(
    s.ctx.authorizer,
    reviewAttributes(specUser(spec), spec.resourceAttributes, spec.nonResourceAttributes),
  );
  sendReview(s, body);
}

export async function handleLocalSubjectAccessReview(s: RequestScope): Promise<void> {
  const { body, metadata, spec } = await decodeReview<AccessSpec>(s);
  const errs = validateLocalSubjectAccessReview(metadata, spec);
  if (errs.length > 0) throw invalid(s.kind.kind, s.kind.group, '', errs);
  body['status'] = await reviewStatus(s.ctx.authorizer, reviewAttributes(specUser(spec), spec.resourceAttributes, undefined));
  sendReview(s, body);
}

export async function handleSelfSubjectAccessReview(s: RequestScope): Promise<void> {
  const { body, metadata, spec } = await decodeReview<SelfAccessSpec>(s);
  const errs = validateSelfSubjectAccessReview(metadata, spec);
  if (errs.length > 0) throw invalid(s.kind.kind, s.kind.group, '', errs);
  body['status'] = await reviewStatus(s.ctx.authorizer, reviewAttributes(s.user, spec.resourceAttributes, spec.nonResourceAttributes));
  sendReview(s, body);
}
