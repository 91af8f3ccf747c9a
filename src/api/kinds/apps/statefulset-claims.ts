// The rules a StatefulSet's volumeClaimTemplates must meet: each becomes one PersistentVolumeClaim
// per pod, so a template the claim would be refused for is refused up front, with the claim's own
// messages (upstream's PersistentVolumeClaim spec rules) under spec.volumeClaimTemplates[i].

import type { FieldError } from '../../../base/errors.js';
import { duplicate, invalidValue, notSupported, required, validateDNS1123Subdomain, validateQuantity } from '../../validation/index.js';
import { quantityOrNaN } from '../../validation/quantity.js';
import type { PersistentVolumeClaim } from '../../gen/types.js';
import type { Unvalidated } from '../../unvalidated.js';

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];

function validateClaimTemplate(c: Unvalidated<PersistentVolumeClaim>, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = c.metadata?.name;
  if (!name) errs.push(required(`${p}.metadata.name`, 'name or generateName is required'));
  else errs.push(...validateDNS1123Subdomain(name, `${p}.metadata.name`));
  const spec = c.spec ?? {};
  const modes = spec.accessModes ?? [];
  if (!modes.length) errs.push(required(`${p}.spec.accessModes`, 'at least 1 access mode is required'));
  for (const m of modes) if (!ACCESS_MODES.includes(m)) errs.push(notSupported(`${p}.spec.accessModes`, m, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) errs.push(forbiddenMix(`${p}.spec.accessModes`));
  const storage = spec.resources?.requests?.['storage'];
  if (storage === undefined) errs.push(required(`${p}.spec.resources[storage]`));
  else {
    const f = `${p}.spec.resources.requests[storage]`;
    const bad = validateQuantity(storage, f);
    errs.push(...bad);
    if (!bad.length && !(quantityOrNaN(storage) > 0)) errs.push(invalidValue(f, storage, 'must be greater than zero'));
  }
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode))
    errs.push(notSupported(`${p}.spec.volumeMode`, spec.volumeMode, VOLUME_MODES));
  return errs;
}

const forbiddenMix = (field: string): FieldError => ({
  type: 'FieldValueForbidden',
  field,
  detail: 'may not use ReadWriteOncePod with other access modes',
});

/** Every claim template valid, and their names distinct (they name the pods' volumes). */
export function validateClaimTemplates(claims: Unvalidated<PersistentVolumeClaim>[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (claims ?? []).forEach((c, i) => {
    const p = `${field}[${i}]`;
    errs.push(...validateClaimTemplate(c, p));
    const name = c.metadata?.name;
    if (name) {
      if (seen.has(name)) errs.push(duplicate(`${p}.metadata.name`, name));
      seen.add(name);
    }
  });
  return errs;
}
