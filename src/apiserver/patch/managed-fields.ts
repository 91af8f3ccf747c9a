// Field ownership (metadata.managedFields) for every write: non-apply writes (create, update,
// patch) transfer ownership of the fields they change to their manager; server-side apply merges
// an applied configuration, detects conflicts with other managers, and removes fields its manager
// stopped applying when nobody else owns them.
//
// Not tracked (stripped before any comparison): apiVersion, kind, metadata.{managedFields,
// resourceVersion, uid, creationTimestamp, generation, selfLink, name, namespace,
// deletionTimestamp, deletionGracePeriodSeconds}, and `status` when `ignoreStatus` is set (main
// resource of a kind with a status subresource).

import { StatusError, badRequest } from '../../base/errors.js';
import type { Json, JsonObject, ManagedFieldsEntry } from '../../api/object.js';
import { FieldSet, fieldPathString } from './field-set.js';
import type { FieldPath } from './field-set.js';
import { decodeManagers, decodeManagersLenient, encodeManagers, idOf, managerId, printManager } from './managers.js';
import type { Manager } from './managers.js';
import { isObject, rootSlot } from './shape.js';
import type { DefinitionLookup } from './shape.js';
import { collectFields, compareValues, mergeApplied, removeFields } from './ssa-walk.js';
import { fieldsV1Text } from './fields-direct.js';
import type { Walker } from './ssa-walk.js';

/** metadata members that field ownership does not track (also read by registry/managed-fast.ts). */
export const UNTRACKED_META: readonly string[] = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'name',
  'namespace',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];

export interface OwnershipOptions {
  /** Field manager, from `?fieldManager=` or derived from the user agent by the caller. */
  manager: string;
  /** apiVersion of the request, e.g. `apps/v1`. */
  apiVersion: string;
  /** RFC 3339 time stamped on entries whose field set changes. */
  time: string;
  /** Definition name of the kind, e.g. `io.k8s.api.apps.v1.Deployment`. */
  rootDef: string;
  lookup: DefinitionLookup;
  /** e.g. `status`, `scale`; omitted for the main resource. */
  subresource?: string;
  /** Leave `status` untracked (and, for apply, ignore `status` in the applied configuration). */
  ignoreStatus?: boolean;
}

export interface ApplyOptions extends OwnershipOptions {
  force: boolean;
}

export interface ApplyResult {
  object: JsonObject;
  managedFields: ManagedFieldsEntry[];
}

function tracked(obj: JsonObject | undefined, ignoreStatus: boolean | undefined): JsonObject {
  if (!obj) return {};
  const out: JsonObject = { ...obj };
  delete out['apiVersion'];
  delete out['kind'];
  if (ignoreStatus) delete out['status'];
  const meta = out['metadata'];
  if (isObject(meta)) {
    const m: JsonObject = { ...meta };
    for (const k of UNTRACKED_META) delete m[k];
    if (Object.keys(m).length === 0) delete out['metadata'];
    else out['metadata'] = m;
  }
  return out;
}

function withManagedFields(obj: JsonObject, entries: ManagedFieldsEntry[]): JsonObject {
  const meta: JsonObject = isObject(obj['metadata']) ? { ...obj['metadata'] } : {};
  if (entries.length > 0) meta['managedFields'] = entries as unknown as Json;
  else delete meta['managedFields'];
  return { ...obj, metadata: meta };
}

function managedFieldsOf(obj: JsonObject | undefined): Json | undefined {
  const meta = obj?.['metadata'];
  return isObject(meta) ? meta['managedFields'] : undefined;
}

function isResetSentinel(list: Json | undefined): boolean {
  return Array.isArray(list) && list.length === 1 && isObject(list[0]) && Object.keys(list[0]).length === 0;
}

function setOwner(managers: Map<string, Manager>, m: Manager, set: FieldSet, time: string): void {
  const prev = managers.get(idOf(m));
  const changed = !prev || !prev.set.equals(set) || prev.apiVersion !== m.apiVersion;
  const next: Manager = { ...m, set };
  if (prev?.time !== undefined && !changed) next.time = prev.time;
  else next.time = time;
  managers.set(idOf(m), next);
}

/**
 * Ownership after a non-apply write (create, update, any non-apply patch): the manager gains
 * the fields the write changed, other managers lose them, removed fields leave every set.
 * Managed fields supplied in `newObj` (non-empty and valid) replace the stored ones first, as
 * upstream allows clients to rewrite them; `[{}]` clears them. Returns `newObj` with
 * `metadata.managedFields` set. On create pass `oldObj` undefined.
 */
export function updateManagedFields(oldObj: JsonObject | undefined, newObj: JsonObject, o: OwnershipOptions): JsonObject {
  const supplied = managedFieldsOf(newObj);
  if (isResetSentinel(supplied)) return withManagedFields(newObj, []);
  let managers: Map<string, Manager> | undefined;
  if (Array.isArray(supplied) && supplied.length > 0) {
    try {
      managers = decodeManagers(supplied);
    } catch {
      managers = undefined;
    }
  }
  managers ??= decodeManagersLenient(managedFieldsOf(oldObj));

  const w: Walker = { lookup: o.lookup, strict: false };
  const cmp = compareValues(tracked(oldObj, o.ignoreStatus), tracked(newObj, o.ignoreStatus), rootSlot(o.rootDef), w);
  const changed = cmp.modified.union(cmp.added);
  const selfId = managerId(o.manager, 'Update', o.apiVersion, o.subresource);
  for (const [id, m] of managers) {
    // an entry the write does not touch keeps its set (and so its encoded form) as it was
    if (id !== selfId && (m.set.meets(changed) || m.set.meets(cmp.removed))) {
      managers.set(id, { ...m, set: m.set.difference(changed).difference(cmp.removed) });
    }
  }
  const prev = managers.get(selfId)?.set ?? new FieldSet();
  const self: Manager = {
    manager: o.manager,
    operation: 'Update',
    apiVersion: o.apiVersion,
    set: prev,
    ...(o.subresource ? { subresource: o.subresource } : {}),
  };
  setOwner(managers, self, prev.union(changed).difference(cmp.removed), o.time);
  return withManagedFields(newObj, encodeManagers(managers.values()));
}

/**
 * The managedFields of an object created by `manager`, as JSON text: one Update entry owning every
 * field it carries, or undefined when it has no tracked field. Creates are the hot write path, and the text goes straight into the
 * stored document without an object tree in between.
 */
export function createManagedFieldsJson(obj: JsonObject, o: OwnershipOptions): string | undefined {
  const w: Walker = { lookup: o.lookup, strict: false, mapsAsMembers: true };
  const fields = fieldsV1Text(tracked(obj, o.ignoreStatus), rootSlot(o.rootDef), w, false, true);
  if (fields === undefined) return undefined;
  const q = JSON.stringify;
  const sub = o.subresource ? `,"subresource":${q(o.subresource)}` : '';
  return `[{"manager":${q(o.manager)},"operation":"Update","apiVersion":${q(o.apiVersion)},"time":${q(o.time)},"fieldsType":"FieldsV1","fieldsV1":${fields}${sub}}]`;
}

/** 409 with one FieldManagerConflict cause per conflicting field, upstream's message format. */
function applyConflictError(conflicts: { manager: Manager; path: FieldPath }[]): StatusError {
  const sorted = [...conflicts].sort((a, b) =>
    a.manager.manager < b.manager.manager ? -1 : a.manager.manager > b.manager.manager ? 1 : 0,
  );
  const causes = sorted.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${printManager(c.manager)}`,
    field: fieldPathString(c.path),
  }));
  let message: string;
  const first = sorted[0];
  if (sorted.length === 1 && first) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(first.manager)}: ${fieldPathString(first.path)}`;
  } else {
    const lines: string[] = [];
    let last = '';
    for (const c of sorted) {
      const who = printManager(c.manager);
      if (who !== last) {
        lines.push(`conflicts with ${who}:`);
        last = who;
      }
      lines.push(`- ${fieldPathString(c.path)}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

/**
 * Server-side apply of `applied` (an applied configuration) over `live` (undefined on create).
 * Returns the merged object (carrying its new managedFields) or throws a 409 on conflicts
 * unless `force`, which takes the conflicting fields over.
 */
export function applyPatch(live: JsonObject | undefined, applied: Json, o: ApplyOptions): ApplyResult {
  if (!isObject(applied)) throw badRequest('apply patch must be a JSON or YAML object');
  const cfg: JsonObject = structuredClone(applied);
  const cfgMeta = cfg['metadata'];
  if (isObject(cfgMeta) && cfgMeta['managedFields'] !== undefined && cfgMeta['managedFields'] !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  if (isObject(cfgMeta)) delete cfgMeta['managedFields'];
  if (o.ignoreStatus) delete cfg['status'];

  const managers = decodeManagersLenient(managedFieldsOf(live));
  const base = live ? withManagedFields(live, []) : {};
  const strict: Walker = { lookup: o.lookup, strict: true };
  const lenient: Walker = { lookup: o.lookup, strict: false };
  const slot = rootSlot(o.rootDef);

  const merged = mergeApplied(base, cfg, slot, [], strict);
  if (!isObject(merged)) throw badRequest('apply patch must be a JSON or YAML object');
  const cmp = compareValues(tracked(base, o.ignoreStatus), tracked(merged, o.ignoreStatus), slot, lenient);
  const changed = cmp.modified.union(cmp.added);
  const appliedSet = new FieldSet();
  collectFields(tracked(cfg, o.ignoreStatus), slot, [], appliedSet, strict);

  const selfId = managerId(o.manager, 'Apply', undefined, o.subresource);
  const conflicts: { manager: Manager; path: FieldPath }[] = [];
  for (const [id, m] of managers) {
    if (id === selfId) continue;
    const c = m.set.intersection(changed);
    for (const path of c.paths()) conflicts.push({ manager: m, path });
    if (o.force && !c.isEmpty()) managers.set(id, { ...m, set: m.set.difference(c) });
  }
  if (conflicts.length > 0 && !o.force) throw applyConflictError(conflicts);

  let others = new FieldSet();
  for (const [id, m] of managers) {
    if (id === selfId) continue;
    const set = m.set.difference(cmp.removed);
    managers.set(id, { ...m, set });
    others = others.union(set);
  }
  const lastSet = managers.get(selfId)?.set ?? new FieldSet();
  // A map or list the applier still configures (it applies something beneath it) stays, even when
  // its old entry marked the container itself (`.`, as Update entries and migrated client-side
  // apply entries do): only what the applier stopped applying entirely is pruned.
  const toRemove = FieldSet.fromPaths(
    lastSet
      .difference(appliedSet)
      .paths()
      .filter((p) => !appliedSet.hasPrefix(p)),
  );
  if (!toRemove.isEmpty()) removeFields(merged, slot, toRemove, others, lenient);

  const self: Manager = {
    manager: o.manager,
    operation: 'Apply',
    apiVersion: o.apiVersion,
    set: appliedSet,
    ...(o.subresource ? { subresource: o.subresource } : {}),
  };
  setOwner(managers, self, appliedSet, o.time);
  const managedFields = encodeManagers(managers.values());
  return { object: withManagedFields(merged, managedFields), managedFields };
}
