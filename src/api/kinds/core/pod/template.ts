// Pod-template helpers for the workload kinds.

import type { PodTemplateSpec } from './types.js';
import { defaultPodSpec } from './defaults.js';

export function defaultPodTemplate(t: PodTemplateSpec | undefined): void {
  if (t?.spec) defaultPodSpec(t.spec);
}

export { validatePodTemplate, validateWorkloadTemplate, validatePodSpec } from './validate-spec.js';
