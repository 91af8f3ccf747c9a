// Requests served by code of their own rather than by the generic store: reviews that are never
// stored (TokenReview, SubjectAccessReview…), subresources with their own rules (serviceaccounts/
// token, certificatesigningrequests/approval). A feature registers its handler by resource,
// subresource and verb; the dispatcher asks this table before the generic handlers.

import type { CustomHandler, CustomHandlers } from './context.js';

export function createCustomHandlers(): CustomHandlers {
  const table = new Map<string, CustomHandler>();
  const key = (g: string, r: string, sub: string | undefined, verb: string) => `${g}\u0000${r}\u0000${sub ?? ''}\u0000${verb}`;
  return {
    add(g, r, sub, verb, h) {
      table.set(key(g, r, sub, verb), h);
    },
    find: (g, r, sub, verb) => (table.size === 0 ? undefined : table.get(key(g, r, sub, verb))),
  };
}
