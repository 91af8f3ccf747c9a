// The pod spec a workload controller copies from its template into every pod it creates. A template
// without a spec stands for Go's zero value (no containers): the API server refuses a pod made from
// it, as upstream's does.

import type { PodSpec, PodTemplateSpec } from '../../api/gen/types.js';

/** A private copy of the template's pod spec. */
export function templatePodSpec(t: PodTemplateSpec | undefined): PodSpec {
  return structuredClone(t?.spec ?? { containers: [] });
}
