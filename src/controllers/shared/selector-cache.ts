// Parsed label selectors, cached by their JSON form: controllers match the same few selectors
// against many objects, and parsing (with validation) is the expensive part.

import type { LabelSelector } from '../../api/gen/types.js';
import { fromLabelSelector } from '../../api/label-selector.js';
import { nothing, type LabelMatcher } from '../../base/label-selector.js';

const MAX = 10_000;
const cache = new Map<string, LabelMatcher>();

/** The matcher of a structured selector; an invalid selector matches nothing. */
export function selectorMatcher(sel: LabelSelector | null | undefined): LabelMatcher {
  const key = JSON.stringify(sel ?? null);
  let m = cache.get(key);
  if (!m) {
    try {
      m = fromLabelSelector(sel);
    } catch {
      m = nothing();
    }
    if (cache.size >= MAX) cache.clear();
    cache.set(key, m);
  }
  return m;
}
