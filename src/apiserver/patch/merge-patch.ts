// RFC 7386 JSON merge patch (application/merge-patch+json): objects merge key by key, `null`
// deletes, everything else (arrays included) replaces.

import type { Json, JsonObject } from '../../api/object.js';
import { isObject } from './shape.js';

/** Returns `original` with `patch` merged in; neither argument is modified or shared. */
export function applyMergePatch(original: Json | undefined, patch: Json): Json {
  return mergeInto(original === undefined ? undefined : structuredClone(original), patch);
}

function mergeInto(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeInto(out[k], v);
  }
  return out;
}
