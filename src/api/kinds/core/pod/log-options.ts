// PodLogOptions from a `pods/log` query (the API server answering for simulated nodes and the node
// agent read the same parameters the same way): follow, previous, timestamps, tailLines,
// limitBytes, sinceSeconds or sinceTime, with upstream's validation messages.

import { badRequest } from '../../../../base/errors.js';
import { queryBool } from '../../../../base/query-bool.js';

export interface PodLogOptions {
  previous: boolean;
  /** never with previous: a terminated container does not grow */
  follow: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** the earliest entry to answer, ms since the epoch */
  sinceMs?: number;
}

const intParam = (q: URLSearchParams, name: string): number | undefined => {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return Number(v);
};

export function parsePodLogOptions(q: URLSearchParams, nowMs: number): PodLogOptions {
  const previous = queryBool(q, 'previous');
  const o: PodLogOptions = { previous, follow: queryBool(q, 'follow') && !previous, timestamps: queryBool(q, 'timestamps') };
  const tail = intParam(q, 'tailLines');
  if (tail !== undefined && tail >= 0) o.tailLines = tail;
  const limit = intParam(q, 'limitBytes');
  if (limit !== undefined) {
    if (limit < 1) throw badRequest('limitBytes must be greater than zero');
    o.limitBytes = limit;
  }
  const since = intParam(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (since !== undefined && sinceTime) throw badRequest('at most one of sinceTime or sinceSeconds may be specified');
  if (since !== undefined) {
    if (since < 1) throw badRequest('sinceSeconds must be greater than 0');
    o.sinceMs = nowMs - since * 1000;
  } else if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw badRequest(`invalid sinceTime ${JSON.stringify(sinceTime)}`);
    o.sinceMs = t;
  }
  return o;
}
