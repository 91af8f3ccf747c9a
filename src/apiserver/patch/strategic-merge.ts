// Strategic merge patch (application/strategic-merge-patch+json), driven by the schema's
// patchStrategy / patchMergeKey: maps merge key by key, `null` deletes, lists with strategy
// `merge` merge by their merge key (or as a de-duplicated union for primitives), all other lists
// are replaced. Directives: `$patch` (replace|merge|delete, on maps and list items),
// `$retainKeys`, `$setElementOrder/<field>`, `$deleteFromPrimitiveList/<field>`.

import { type StatusError, badRequest } from '../../base/errors.js';
import type { Json, JsonObject } from '../../api/object.js';
import { childSlot, isObject, pathText, rootSlot, shapeOf } from './shape.js';
import type { DefinitionLookup, Shape, Slot } from './shape.js';
import { reorderList } from './smp-order.js';

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

type Path = (string | number)[];

interface Ctx {
  lookup: DefinitionLookup;
}

/**
 * Applies a strategic merge patch to `original` (not modified) and returns the result.
 * `rootDef` names the definition of the whole object, e.g. `io.k8s.api.apps.v1.Deployment`.
 */
export function applyStrategicMergePatch(original: Json | undefined, patch: Json, rootDef: string, lookup: DefinitionLookup): JsonObject {
  if (!isObject(patch)) throw badRequest('strategic merge patch must be a JSON object');
  const base: JsonObject = isObject(original) ? structuredClone(original) : {};
  return mergeMap(base, patch, shapeOf(rootSlot(rootDef), lookup), [], { lookup });
}

function bad(path: Path, msg: string): StatusError {
  return badRequest(`strategic merge patch: ${pathText(path)}: ${msg}`);
}

function mergeMap(original: JsonObject, patch: JsonObject, shape: Shape, path: Path, ctx: Ctx): JsonObject {
  const directive = patch['$patch'];
  if (directive !== undefined) {
    if (directive === 'delete') return {};
    if (directive === 'replace') {
      const rest = { ...patch };
      delete rest['$patch'];
      return mergeMap({}, rest, shape, path, ctx);
    }
    if (directive !== 'merge') throw bad(path, `unknown $patch directive ${JSON.stringify(directive)}: must be replace, merge or delete`);
  }

  const retain = patch['$retainKeys'];
  if (retain !== undefined) {
    if (!Array.isArray(retain) || !retain.every((k) => typeof k === 'string')) throw bad(path, '$retainKeys must be a list of strings');
    const keep = new Set(retain as string[]);
    for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
  }

  const orders: [string, Json[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      if (!Array.isArray(v)) throw bad([...path, field], `${k} must be a list`);
      const cur = original[field];
      if (Array.isArray(cur)) {
        const drop = new Set(v.map((x) => JSON.stringify(x)));
        original[field] = cur.filter((x) => !drop.has(JSON.stringify(x)));
      }
    } else if (k.startsWith(SET_ORDER)) {
      const field = k.slice(SET_ORDER.length);
      if (!Array.isArray(v)) throw bad([...path, field], `${k} must be a list`);
      orders.push([field, v]);
    }
  }
  const serverLists = new Map<string, Json[]>();
  for (const [field] of orders) {
    const cur = original[field];
    serverLists.set(field, Array.isArray(cur) ? cur.slice() : []);
  }

  for (const [k, pv] of Object.entries(patch)) {
    if (k.startsWith('$') && (k === '$patch' || k === '$retainKeys' || k.startsWith(SET_ORDER) || k.startsWith(DELETE_PRIMITIVE))) continue;
    if (pv === null) {
      delete original[k];
      continue;
    }
    const slot = childSlot(shape, k);
    const childShape = shapeOf(slot, ctx.lookup);
    const ov = original[k];
    const replace = (slot.field?.patchStrategy ?? '').split(',').includes('replace');
    if (isObject(pv)) {
      const mapShape: Shape = childShape.kind === 'struct' || childShape.kind === 'map' ? childShape : { kind: 'untyped' };
      original[k] = mergeMap(!replace && isObject(ov) ? ov : {}, pv, mapShape, [...path, k], ctx);
    } else if (Array.isArray(pv)) {
      original[k] = mergeList(Array.isArray(ov) ? ov : [], pv, slot, childShape, [...path, k], ctx);
    } else {
      original[k] = pv;
    }
  }

  for (const [field, order] of orders) {
    const cur = original[field];
    if (!Array.isArray(cur)) continue;
    const slot = childSlot(shape, field);
    original[field] = reorderList(cur, order, serverLists.get(field) ?? [], slot.field?.patchMergeKey);
  }
  return original;
}

function keyText(v: Json): string {
  return JSON.stringify(v);
}

function mergeList(original: Json[], patch: Json[], slot: Slot, shape: Shape, path: Path, ctx: Ctx): Json[] {
  const field = slot.field;
  const strategies = (field?.patchStrategy ?? '').split(',');
  const itemShape = shape.kind === 'list' ? shapeOf(shape.items, ctx.lookup) : ({ kind: 'untyped' } as const);
  const itemMapShape: Shape = itemShape.kind === 'struct' || itemShape.kind === 'map' ? itemShape : { kind: 'untyped' };
  if (!strategies.includes('merge')) return structuredClone(patch);

  const replaceAt = patch.findIndex((p) => isObject(p) && p['$patch'] === 'replace' && Object.keys(p).length === 1);
  if (replaceAt >= 0) {
    return patch.filter((_, i) => i !== replaceAt).map((p, i) => (isObject(p) ? mergeMap({}, p, itemMapShape, [...path, i], ctx) : p));
  }
  if (patch.length === 0) return original;

  const mergeKey = field?.patchMergeKey;
  if (!mergeKey || patch.every((p) => !isObject(p))) {
    const out = original.slice();
    const seen = new Set(out.map(keyText));
    for (const p of patch) {
      const t = keyText(p);
      if (!seen.has(t)) {
        seen.add(t);
        out.push(p);
      }
    }
    return out;
  }

  const out: (Json | undefined)[] = original.slice();
  const index = new Map<string, number>();
  out.forEach((item, i) => {
    if (isObject(item) && item[mergeKey] !== undefined) {
      const t = keyText(item[mergeKey] ?? null);
      if (!index.has(t)) index.set(t, i);
    }
  });
  patch.forEach((p, pi) => {
    const ipath = [...path, pi];
    if (!isObject(p)) throw bad(ipath, `list item must be an object with merge key "${mergeKey}"`);
    const key = p[mergeKey];
    const directive = p['$patch'];
    if (key === undefined) throw bad(ipath, `list item does not contain declared merge key "${mergeKey}"`);
    const t = keyText(key);
    const at = index.get(t);
    if (directive === 'delete') {
      if (at !== undefined) {
        out[at] = undefined;
        index.delete(t);
      }
      return;
    }
    const cur = at === undefined ? undefined : out[at];
    let merged: JsonObject;
    if (directive === 'replace') {
      const rest = { ...p };
      delete rest['$patch'];
      merged = mergeMap({}, rest, itemMapShape, ipath, ctx);
    } else {
      merged = mergeMap(isObject(cur) ? cur : {}, p, itemMapShape, ipath, ctx);
    }
    if (at === undefined) {
      index.set(t, out.length);
      out.push(merged);
    } else out[at] = merged;
  });
  return out.filter((x): x is Json => x !== undefined);
}
