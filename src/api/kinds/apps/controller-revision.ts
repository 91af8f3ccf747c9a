// apps/v1 ControllerRevision: an immutable snapshot of a controller's template (StatefulSets keep
// their rollout history in them; `kubectl rollout history/undo` read them).

import type { FieldError } from '../../../base/errors.js';
import type { TableDef } from '../../kind.js';
import { invalidValue, jsonEqual, nonNegative, required } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { age, ageColumn, col, nameColumn } from '../common/table.js';
import type { ControllerRevision } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';

type ControllerRevisionIn = UnvalidatedObject<ControllerRevision>;

export function validateControllerRevision(r: ControllerRevisionIn, old: ControllerRevisionIn | undefined): FieldError[] {
  const errs: FieldError[] = [];
  if (r.data === undefined || r.data === null) errs.push(required('data', 'data is mandatory'));
  errs.push(...nonNegative('revision', r.revision));
  if (old && !jsonEqual(r.data, old.data)) errs.push(invalidValue('data', r.data, 'field is immutable'));
  return errs;
}

/** `statefulset.apps/web`: the controller's group-kind, lower case, and name (`<none>` without one). */
function controllerCell(r: ControllerRevisionIn): string {
  const ref = r.metadata.ownerReferences?.find((o) => o.controller === true);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

const controllerRevisionTable: TableDef<ControllerRevisionIn> = {
  columns: [nameColumn, col('Controller', 'string', 'Controller of the object'), col('Revision', 'string', 'Revision'), ageColumn],
  row: (r, now) => [r.metadata.name ?? '', controllerCell(r), r.revision ?? 0, age(r, now)],
};

export const controllerRevisionKind = defineKind<ControllerRevision>({
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  listKind: 'ControllerRevisionList',
  plural: 'controllerrevisions',
  singular: 'controllerrevision',
  shortNames: [],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.apps.v1.ControllerRevision',
  subresources: [],
  generation: false,
  hasStatus: false,
  validate: validateControllerRevision,
  table: controllerRevisionTable,
});
