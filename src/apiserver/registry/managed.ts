// metadata.managedFields on every write: Update entries for ordinary writes, and server-side apply
// (ownership, conflicts, pruning) for application/apply-patch+yaml.

import type { KindDef } from '../../api/kind.js';
import type { JsonObject, AnyObject } from '../../api/object.js';
import { getDefinition } from '../../api/schema/registry.js';
import { applyPatch, createManagedFieldsJson, updateManagedFields } from '../patch/index.js';
import { rfc3339Now } from './prepare.js';
import { unchangedOwnership } from './managed-fast.js';

const apiVersionOf = (k: KindDef) => (k.group ? `${k.group}/${k.version}` : k.version);

function options(kind: KindDef, manager: string, now: number, sub: string | undefined) {
  return {
    manager,
    apiVersion: apiVersionOf(kind),
    time: rfc3339Now(now),
    rootDef: kind.schema,
    lookup: getDefinition,
    ...(sub !== undefined ? { subresource: sub } : {}),
    ignoreStatus: kind.hasStatus && sub !== 'status',
  };
}

/** Records `manager`'s ownership of what a non-apply update changed (in place on `next`). */
export function trackWrite(
  kind: KindDef,
  old: AnyObject,
  next: AnyObject,
  manager: string,
  op: 'Update' | 'Apply',
  sub: string | undefined,
  now: number,
): void {
  if (op === 'Apply') return; // serverSideApply computed the entries already
  if (unchangedOwnership(old, next, manager, apiVersionOf(kind), sub, kind.hasStatus && sub !== 'status', kind.schema)) return;
  const out = updateManagedFields(old as unknown as JsonObject, next as unknown as JsonObject, options(kind, manager, now, sub));
  const mf = (out['metadata'] as JsonObject | undefined)?.['managedFields'];
  if (Array.isArray(mf) && mf.length > 0) next.metadata.managedFields = mf as unknown as AnyObject['metadata']['managedFields'];
  else delete next.metadata.managedFields;
}

/**
 * The managedFields of an object `manager` creates, as JSON text for encodeForStorage: one Update
 * entry owning every field it carries (built in one walk: on create there is nothing to compare).
 */
export function createdManagedFields(kind: KindDef, obj: AnyObject, manager: string, now: number): string | undefined {
  return createManagedFieldsJson(obj as unknown as JsonObject, options(kind, manager, now, undefined));
}

/** Server-side apply of `applied` onto `live` (undefined: create). Throws 409 on conflicts unless forced. */
export function serverSideApply(
  kind: KindDef,
  live: AnyObject | undefined,
  applied: AnyObject,
  manager: string,
  force: boolean,
  now: number,
  sub?: string,
): AnyObject {
  const r = applyPatch(live as unknown as JsonObject | undefined, applied as unknown as JsonObject, {
    ...options(kind, manager, now, sub),
    force,
  });
  const obj = r.object as unknown as AnyObject;
  obj.metadata = obj.metadata ?? {};
  obj.metadata.managedFields = r.managedFields;
  return obj;
}
