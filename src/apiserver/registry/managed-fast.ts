// The common case of managedFields on an update, decided without the field-set machinery: an update
// that only changes the values of fields its manager already owns alone (a node's Lease renewal
// changes spec.renewTime, which the node set itself) leaves every entry as it was — the manager's
// set already holds the changed fields, nobody else loses one, and an entry's time only moves when
// its set changes. Given the kind's schema, associative lists (x-kubernetes-list-type map: a pod's
// status.conditions by type, spec.containers by name) count as granular too when both sides hold
// the same keys in the same order, and an atomic list (status.containerStatuses, as upstream's
// schema marks it) as one value, so a kubelet's status write that flips Ready and ready inside
// them stays on this path. Anything else (a field added or removed, an item added, removed or
// moved, an atomic list or set changed, a field another manager owns or shares, managedFields sent
// by the client other than the stored ones) returns false and takes the full path.

import type { AnyObject, Json, JsonObject } from '../../api/object.js';
import { getDefinition } from '../../api/schema/registry.js';
import { UNTRACKED_META as UNTRACKED_META_LIST, listItemElements } from '../patch/index.js';
import type { ListItemSlot } from '../patch/index.js';

/** metadata members that ownership ignores: the one list patch/managed-fields.ts keeps. */
const UNTRACKED_META = new Set(UNTRACKED_META_LIST);

const isPlain = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => k in b && deepEqual(a[k], b[k]));
}

/**
 * Collects the paths (FieldsV1 path elements, `f:name` and `k:{...}`) of changed scalar values into
 * `out`; false when the change is structural (a member added or removed, a type changed, a
 * non-associative list or null changed, an associative list's items changed in number, key or
 * order), which the fast path leaves alone. `slot` is the schema position (undefined: no schema, every
 * list atomic).
 */
function changedLeaves(
  a: JsonObject,
  b: JsonObject,
  path: string[],
  out: string[][],
  slot: ListItemSlot | undefined,
  skip?: (k: string) => boolean,
): boolean {
  const ka = skip ? Object.keys(a).filter((k) => !skip(k)) : Object.keys(a);
  const kb = skip ? Object.keys(b).filter((k) => !skip(k)) : Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!(k in b)) return false;
    const x = a[k];
    const y = b[k];
    if (x === y) continue;
    if (isPlain(x) && isPlain(y)) {
      if (!changedLeaves(x, y, [...path, `f:${k}`], out, slot?.child(k))) return false;
    } else if (Array.isArray(x) && Array.isArray(y)) {
      if (!changedItems(x, y, [...path, `f:${k}`], out, slot?.child(k))) return false;
    } else if (Array.isArray(x) || Array.isArray(y) || x === null || y === null || typeof x === 'object' || typeof y === 'object') {
      if (!deepEqual(x, y)) return false;
    } else if (typeof x !== typeof y) return false;
    else out.push([...path, `f:${k}`]);
  }
  return true;
}

/**
 * changedLeaves for two lists: an atomic list is one value (its path is the changed leaf, as the
 * full comparison counts it); an associative one is compared item by item when both sides hold the
 * same keys in the same order. Without a schema every list change is structural.
 */
function changedItems(x: Json[], y: Json[], path: string[], out: string[][], slot: ListItemSlot | undefined): boolean {
  // most lists a write sends are unchanged (a Lease's ownerReferences): no key elements for those
  if (!slot) return deepEqual(x, y);
  if (deepEqual(x, y)) return true;
  if (slot.atomicList()) {
    out.push(path);
    return true;
  }
  const pes = x.length === y.length && x.length > 0 ? slot.itemElements(x) : undefined;
  const pesY = pes ? slot.itemElements(y) : undefined;
  if (!pes || !pesY) return deepEqual(x, y);
  const items = slot.items();
  for (let i = 0; i < x.length; i++) {
    const pe = pes[i];
    if (pe === undefined || pe !== pesY[i]) return false;
    const xi = x[i];
    const yi = y[i];
    if (xi === yi) continue;
    if (!isPlain(xi) || !isPlain(yi) || !changedLeaves(xi, yi, [...path, pe], out, items)) return false;
  }
  return true;
}

/** Where the FieldsV1 of one entry stands on `path`: 'leaf' owns it exactly, 'atomic' owns an ancestor whole. */
function ownership(fields: Json | undefined, path: string[]): 'none' | 'leaf' | 'atomic' {
  let node = fields;
  for (let i = 0; i < path.length; i++) {
    if (!isPlain(node)) return 'none';
    const child = node[path[i] as string];
    if (child === undefined) return 'none';
    if (i === path.length - 1) return 'leaf';
    if (isPlain(child) && Object.keys(child).length === 0) return 'atomic';
    node = child;
  }
  return 'none';
}

/**
 * Sets next's managedFields to old's when the update provably leaves them unchanged (see the file
 * header); false when the full computation is needed.
 */
export function unchangedOwnership(
  old: AnyObject,
  next: AnyObject,
  manager: string,
  apiVersion: string,
  sub: string | undefined,
  ignoreStatus: boolean,
  rootDef?: string,
): boolean {
  const entries = old.metadata.managedFields;
  if (!Array.isArray(entries) || entries.length === 0) return false;
  // managedFields sent back exactly as stored (a read-modify-write that kept them) replace the
  // stored ones with themselves: the same as not sending them
  const sent = next.metadata.managedFields as Json | undefined;
  if (sent !== undefined && !deepEqual(sent, entries as unknown as Json)) return false;
  const a = old as unknown as JsonObject;
  const b = next as unknown as JsonObject;
  const top = (k: string) => k === 'apiVersion' || k === 'kind' || k === 'metadata' || (ignoreStatus && k === 'status');
  const changed: string[][] = [];
  const root = rootDef !== undefined ? listItemElements(rootDef, getDefinition) : undefined;
  if (!changedLeaves(a, b, [], changed, root, top)) return false;
  const ma = a['metadata'];
  const mb = b['metadata'];
  const metaSlot = root?.child('metadata');
  if (!isPlain(ma) || !isPlain(mb) || !changedLeaves(ma, mb, ['f:metadata'], changed, metaSlot, (k) => UNTRACKED_META.has(k))) return false;
  if (changed.length > 0) {
    const mine = entries.filter(
      (e) => e.manager === manager && e.operation === 'Update' && e.apiVersion === apiVersion && (e.subresource || undefined) === sub,
    );
    if (mine.length !== 1) return false;
    const self = mine[0];
    for (const path of changed) {
      for (const e of entries) {
        if (e.fieldsType !== undefined && e.fieldsType !== 'FieldsV1') return false;
        const own = ownership(e.fieldsV1 as Json | undefined, path);
        if (e === self ? own !== 'leaf' : own !== 'none') return false;
      }
    }
  }
  next.metadata.managedFields = entries;
  return true;
}
