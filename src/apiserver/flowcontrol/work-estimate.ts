// How many seats a request occupies, after upstream's work estimator: one for most requests, and for
// a LIST one per 100 objects it must read (all of them when a selector filters, else up to its limit),
// at most 10. The object count is what the last LIST of that resource found, kept here by the LIST
// handler; a resource never listed yet counts as small.

import type { RequestInfo } from '../http/request-info.js';

const OBJECTS_PER_SEAT = 100;
const MAX_SEATS = 10;
const sizes = new Map<string, number>();

/** Called by the LIST handler with the number of objects it read (before filtering). */
export function recordListSize(group: string, resource: string, objects: number): void {
  sizes.set(`${group}/${resource}`, objects);
}

export function seatsFor(info: RequestInfo | null, query: URLSearchParams): number {
  if (!info || info.kind !== 'resource' || info.verb !== 'list') return 1;
  const count = sizes.get(`${info.group}/${info.resource}`);
  if (count === undefined) return 1;
  const filtered = !!(query.get('labelSelector') || query.get('fieldSelector'));
  const limit = Number(query.get('limit') ?? '0');
  const scanned = !filtered && Number.isInteger(limit) && limit > 0 ? Math.min(limit, count) : count;
  return Math.min(MAX_SEATS, Math.max(1, Math.ceil(scanned / OBJECTS_PER_SEAT)));
}
