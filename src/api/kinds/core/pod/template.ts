// Pod-template helpers for the workload kinds.

import type { PodTemplateSpec } from '../../../gen/types.js';
import type { Unvalidated } from '../../../unvalidated.js';
import { defaultPodSpec } from './defaults.js';

export function defaultPodTemplate(t: Unvalidated<PodTemplateSpec> | undefined): void {
  if (t?.spec) defaultPodSpec(t.spec);
}

export { validatePodTemplate, validateWorkloadTemplate } from './validate-spec.js';
