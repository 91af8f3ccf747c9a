// The authorization.k8s.io reviews, registered as custom handlers of the API server.

import { AUTHORIZATION_GROUP } from '../../../api/kinds/authorization/reviews.js';
import type { CustomHandlers } from '../../handlers/context.js';
import { handleLocalSubjectAccessReview, handleSelfSubjectAccessReview, handleSubjectAccessReview } from './access-review.js';
import { handleSelfSubjectRulesReview } from './rules-review.js';

export function registerReviewHandlers(custom: CustomHandlers): void {
  custom.add(AUTHORIZATION_GROUP, 'subjectaccessreviews', undefined, 'create', handleSubjectAccessReview);
  custom.add(AUTHORIZATION_GROUP, 'selfsubjectaccessreviews', undefined, 'create', handleSelfSubjectAccessReview);
  custom.add(AUTHORIZATION_GROUP, 'localsubjectaccessreviews', undefined, 'create', handleLocalSubjectAccessReview);
  custom.add(AUTHORIZATION_GROUP, 'selfsubjectrulesreviews', undefined, 'create', handleSelfSubjectRulesReview);
}
