// A schema position for callers outside the patch engines (registry/managed-fast.ts) that walk an
// object themselves and only need to know, per member, whether a list is associative and the
// `k:{...}` element of each of its items: the same elements the ownership computation uses, so a
// shortcut built on them names the fields exactly as FieldsV1 does.

import type { Json } from '../../api/object.js';
import { childSlot, rootSlot, shapeOf } from './shape.js';
import type { DefinitionLookup, Slot } from './shape.js';
import { itemElements, listKind } from './ssa-walk.js';
import type { Walker } from './ssa-walk.js';

export interface ListItemSlot {
  /** The position of member `key` of an object here. */
  child(key: string): ListItemSlot;
  /** The item of a list here. */
  items(): ListItemSlot;
  /** `k:{...}` of each item when the list here is associative (undefined where an item has no key or repeats one); else undefined. */
  itemElements(items: readonly Json[]): (string | undefined)[] | undefined;
  /** True when a list here is one value for ownership (x-kubernetes-list-type atomic, or no schema for it). */
  atomicList(): boolean;
}

// one wrapper per schema slot object: slots are immutable and shared, so walks allocate little
const wrappers = new WeakMap<DefinitionLookup, WeakMap<Slot, ListItemSlot>>();

function wrap(slot: Slot, w: Walker): ListItemSlot {
  let byLookup = wrappers.get(w.lookup);
  if (!byLookup) {
    byLookup = new WeakMap();
    wrappers.set(w.lookup, byLookup);
  }
  const known = byLookup.get(slot);
  if (known) return known;
  const made: ListItemSlot = {
    child: (key) => {
      const shape = shapeOf(slot, w.lookup);
      const c = childSlot(shape, key);
      // childSlot makes a fresh slot object per call for struct fields: key the wrapper by the field definition
      const f = c.field ?? c.type;
      return f ? wrapKeyed(f, c, w) : wrap(c, w);
    },
    items: () => {
      const shape = shapeOf(slot, w.lookup);
      return shape.kind === 'list' ? wrap(shape.items, w) : wrap({}, w);
    },
    itemElements: (items) => {
      const shape = shapeOf(slot, w.lookup);
      if (shape.kind !== 'list' || listKind(shape, w).kind !== 'map') return undefined;
      return itemElements(shape, items, [], w);
    },
    atomicList: () => {
      const shape = shapeOf(slot, w.lookup);
      return shape.kind === 'untyped' || (shape.kind === 'list' && listKind(shape, w).kind === 'atomic');
    },
  };
  byLookup.set(slot, made);
  return made;
}

const byDef = new WeakMap<object, Slot>();
function wrapKeyed(key: object, slot: Slot, w: Walker): ListItemSlot {
  let s = byDef.get(key);
  if (!s || s.type !== slot.type || s.field !== slot.field) {
    s = slot;
    byDef.set(key, s);
  }
  return wrap(s, w);
}

/** The root position of objects of definition `rootDef` (e.g. `io.k8s.api.core.v1.Pod`). */
export function listItemElements(rootDef: string, lookup: DefinitionLookup): ListItemSlot {
  return wrap(rootSlot(rootDef), { lookup, strict: false });
}
