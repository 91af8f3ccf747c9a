// Runs the shared metadata rules and the kind's own rules; any failure is a 422 Invalid Status.

import type { KindDef } from '../../api/kind.js';
import type { AnyObject } from '../../api/object.js';
import { validateObjectMeta } from '../../api/validation/index.js';
import { invalid } from '../../base/errors.js';

export function validateObject(kind: KindDef, obj: AnyObject, old: AnyObject | undefined): void {
  const errs = validateObjectMeta(
    obj.metadata,
    { namespaced: kind.namespaced, nameRule: kind.nameRule ?? 'dns1123-subdomain' },
    old?.metadata,
  );
  if (kind.validate) errs.push(...kind.validate(obj, old));
  if (errs.length > 0) throw invalid(kind.kind, kind.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errs);
}

export function validateStatus(kind: KindDef, obj: AnyObject, old: AnyObject): void {
  const errs = validateObjectMeta(
    obj.metadata,
    { namespaced: kind.namespaced, nameRule: kind.nameRule ?? 'dns1123-subdomain' },
    old.metadata,
  );
  if (kind.validateStatus) errs.push(...kind.validateStatus(obj, old));
  if (errs.length > 0) throw invalid(kind.kind, kind.group, obj.metadata.name ?? '', errs);
}
