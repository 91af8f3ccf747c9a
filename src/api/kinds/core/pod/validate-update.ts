// Pod updates: the spec is immutable except images, activeDeadlineSeconds, added tolerations and
// terminationGracePeriodSeconds going from negative to 1.

import type { FieldError } from '../../../../base/errors.js';
import { forbidden, jsonEqual } from '../../../validation/index.js';
import type { PodSpec as PodSpecT } from '../../../gen/types.js';
import type { Unvalidated } from '../../../unvalidated.js';

type PodSpec = Unvalidated<PodSpecT>;

const POD_UPDATE_MESSAGE =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,' +
  '`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function changedKeys(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !jsonEqual(a[k], b[k])).sort();
}

export function validatePodSpecUpdate(spec: PodSpec, old: PodSpec): FieldError[] {
  const errs: FieldError[] = [];
  const munged: PodSpec = structuredClone(spec);
  const copyImages = (list: PodSpec['containers'], oldList: PodSpec['containers']) => {
    if (!list || !oldList || list.length !== oldList.length) return;
    list.forEach((c, i) => {
      const o = oldList[i];
      if (o) c.image = o.image;
    });
  };
  copyImages(munged.containers, old.containers);
  copyImages(munged.initContainers, old.initContainers);
  const ads = spec.activeDeadlineSeconds,
    oldAds = old.activeDeadlineSeconds;
  if (ads !== undefined && (oldAds === undefined || ads <= oldAds)) munged.activeDeadlineSeconds = oldAds;
  else if (ads !== oldAds) {
    errs.push({
      type: 'FieldValueInvalid',
      field: 'spec.activeDeadlineSeconds',
      value: ads ?? null,
      detail: ads === undefined ? 'must not update from a positive integer to nil value' : 'must be less than or equal to previous value',
    });
    munged.activeDeadlineSeconds = oldAds;
  }
  const oldTols = old.tolerations ?? [];
  const tols = spec.tolerations ?? [];
  const keepsOld = oldTols.every((o) =>
    tols.some(
      (t) =>
        jsonEqual(t, o) ||
        (t.key === o.key &&
          t.operator === o.operator &&
          t.value === o.value &&
          t.effect === o.effect &&
          t.effect === 'NoExecute' &&
          o.tolerationSeconds !== undefined &&
          t.tolerationSeconds !== undefined &&
          t.tolerationSeconds <= o.tolerationSeconds),
    ),
  );
  if (keepsOld) munged.tolerations = old.tolerations;
  if ((old.terminationGracePeriodSeconds ?? 0) < 0 && spec.terminationGracePeriodSeconds === 1)
    munged.terminationGracePeriodSeconds = old.terminationGracePeriodSeconds;
  if (!jsonEqual(munged, old)) {
    const diff = changedKeys(munged, old);
    errs.push(forbidden('spec', `${POD_UPDATE_MESSAGE}\n  changed: ${diff.map((k) => `spec.${k}`).join(', ')}`));
  }
  return errs;
}
