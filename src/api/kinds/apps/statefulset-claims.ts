// The rules a StatefulSet's volumeClaimTemplates must meet: each becomes one PersistentVolumeClaim
// per pod, so a template the claim would be refused for is refused up front, with the claim's own
// messages (upstream's PersistentVolumeClaim spec rules) under spec.volumeClaimTemplates[i].

import type { FieldError } from '../../../base/errors.js';
import { duplicate, required, validateDNS1123Subdomain } from '../../validation/index.js';
import { validateClaimSpec } from '../core/persistent-volume-claim.js';
import type { PersistentVolumeClaim } from '../../gen/types.js';
import type { Unvalidated } from '../../unvalidated.js';

function validateClaimTemplate(c: Unvalidated<PersistentVolumeClaim>, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = c.metadata?.name;
  if (!name) errs.push(required(`${p}.metadata.name`, 'name or generateName is required'));
  else errs.push(...validateDNS1123Subdomain(name, `${p}.metadata.name`));
  // the claim's own spec rules (one copy, in the PersistentVolumeClaim kind)
  errs.push(...validateClaimSpec(c.spec ?? {}, `${p}.spec`));
  return errs;
}

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
