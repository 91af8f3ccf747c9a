// A pod's QoS class from its containers' requests and limits (cpu and memory only).

import { quantityOrNaN } from '../../../validation/index.js';
import type { PodSpec } from '../../../gen/types.js';
import type { Unvalidated } from '../../../unvalidated.js';

const TRACKED = ['cpu', 'memory'];

export function podQOSClass(spec: Unvalidated<PodSpec> | undefined): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let any = false,
    guaranteed = true;
  for (const c of containers) {
    const req = c.resources?.requests ?? {},
      lim = c.resources?.limits ?? {};
    for (const r of TRACKED) {
      const rq = req[r],
        lm = lim[r];
      if ((rq !== undefined && quantityOrNaN(rq) !== 0) || (lm !== undefined && quantityOrNaN(lm) !== 0)) any = true;
      if (lm === undefined || (rq !== undefined && quantityOrNaN(rq) !== quantityOrNaN(lm))) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
