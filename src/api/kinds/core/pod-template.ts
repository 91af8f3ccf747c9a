// core/v1 PodTemplate: a stored pod template (`template` is validated as any workload's pod template).

import type { FieldError } from '../../../base/errors.js';
import type { PodTemplate } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { col, containerCells, formatLabels, nameColumn } from '../common/table.js';
import { defaultPodTemplate, validatePodTemplate } from './pod/template.js';

type PodTemplateIn = UnvalidatedObject<PodTemplate>;

export function validatePodTemplateObject(pt: PodTemplateIn): FieldError[] {
  // upstream requires the template itself (a PodTemplate without one is meaningless)
  return validatePodTemplate(pt.template, 'template');
}

export const podTemplateKind = defineKind<PodTemplate>({
  group: '',
  version: 'v1',
  kind: 'PodTemplate',
  listKind: 'PodTemplateList',
  plural: 'podtemplates',
  singular: 'podtemplate',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.PodTemplate',
  subresources: [],
  generation: false,
  hasStatus: false,
  defaults: (pt) => defaultPodTemplate(pt.template),
  validate: validatePodTemplateObject,
  table: {
    columns: [
      nameColumn,
      col('Containers', 'string', 'Names of each container in the template.'),
      col('Images', 'string', 'Images referenced by each container in the template.'),
      col('Pod Labels', 'string', 'The labels for the pod template.'),
    ],
    row(pt) {
      const [names, images] = containerCells(pt.template?.spec?.containers);
      return [pt.metadata.name ?? '', names, images, formatLabels(pt.template?.metadata?.labels)];
    },
  },
});
