// The FieldsV1 of a whole object built in one walk, without an intermediate FieldSet: the fast
// path for writes that create an object (every field is new, so there is nothing to compare).
// Produces exactly what collectFields(...) followed by FieldSet.toFieldsV1() produces.

import type { Json, JsonObject } from '../../api/object.js';
import { comparePE, fieldPE } from './field-set.js';
import { childSlot, isObject, shapeOf } from './shape.js';
import type { Slot } from './shape.js';
import { isLeaf, itemElements } from './ssa-walk.js';
import type { Walker } from './ssa-walk.js';

/** The FieldsV1 node of `v`, or undefined when it contributes no field at all. */
export function fieldsV1Of(v: Json, slot: Slot, w: Walker, self: boolean, root: boolean): JsonObject | undefined {
  const shape = shapeOf(slot, w.lookup);
  if (!root && isLeaf(shape, v, w)) return {};
  const member = !root && (self || (w.mapsAsMembers === true && (shape.kind === 'map' || shape.kind === 'untyped')));
  const children: Array<[string, JsonObject]> = [];
  if (Array.isArray(v)) {
    if (shape.kind === 'list') {
      const pes = itemElements(shape, v, [], w);
      for (let i = 0; i < v.length; i++) {
        const pe = pes[i];
        if (pe === undefined) continue;
        if (pe.startsWith('v:')) children.push([pe, {}]);
        else {
          const c = fieldsV1Of(v[i] ?? null, shape.items, w, true, false);
          if (c) children.push([pe, c]);
        }
      }
    }
  } else if (isObject(v)) {
    const entriesAreMembers = shape.kind === 'map' || shape.kind === 'untyped';
    for (const k of Object.keys(v)) {
      const c = fieldsV1Of(v[k] ?? null, childSlot(shape, k), w, entriesAreMembers, false);
      if (c) children.push([fieldPE(k), c]);
    }
  }
  if (children.length === 0) return member ? {} : undefined;
  children.sort((a, b) => comparePE(a[0], b[0]));
  const out: JsonObject = {};
  if (member) out['.'] = {};
  for (const [k, c] of children) out[k] = c;
  return out;
}
