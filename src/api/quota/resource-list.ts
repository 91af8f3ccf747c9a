// Arithmetic on resource lists (`{cpu: '500m', pods: '3'}`) for quota: exact sums and comparisons
// on the decimal quantity parser, masks, and upstream's `k=v,k=v` form of quota messages.

import { addQuantities, compareQuantities, formatQuantity, isQuantity } from '../../base/quantity.js';

/** A resource list as the API writes it: resource name to quantity text. */
export type ResourceList = Record<string, string>;

const ZERO = '0';

/** The quantity as text; anything unparseable counts as zero (validation keeps it out of stored objects). */
const text = (v: string | number | undefined): string => {
  if (v === undefined) return ZERO;
  const s = String(v);
  return isQuantity(s) ? s : ZERO;
};

/** a + b, key by key (keys of either). */
export function addLists(a: Readonly<ResourceList>, b: Readonly<ResourceList>): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const x = a[k];
    // as upstream's Add: a zero takes the other operand's format (0 + 256Mi is 256Mi, not 268435456)
    if (x === undefined || compareQuantities(text(x), ZERO) === 0) out[k] = text(v);
    else out[k] = formatQuantity(addQuantities(text(x), text(v)));
  }
  return out;
}

/** Only the keys of `list` named in `names`. */
export function maskList(list: Readonly<ResourceList>, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) {
    const v = list[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/** Names of `a` whose value exceeds the same name in `b` (names missing from `b` are not limited). */
export function exceeded(a: Readonly<ResourceList>, b: Readonly<ResourceList>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(a)) {
    const limit = b[k];
    if (limit !== undefined && compareQuantities(text(v), text(limit)) > 0) out.push(k);
  }
  return out;
}

/** True when both lists carry the same keys with equal quantities (`1` equals `1000m`). */
export function sameLists(a: Readonly<ResourceList> | undefined, b: Readonly<ResourceList> | undefined): boolean {
  const x = a ?? {};
  const y = b ?? {};
  const ka = Object.keys(x);
  if (ka.length !== Object.keys(y).length) return false;
  return ka.every((k) => y[k] !== undefined && compareQuantities(text(x[k]), text(y[k])) === 0);
}

/** Upstream's quota message form: sorted `name=quantity` joined with commas. */
export function formatList(list: Readonly<ResourceList>): string {
  return Object.keys(list)
    .sort()
    .map((k) => `${k}=${formatQuantity(text(list[k]))}`)
    .join(',');
}

/** The canonical text of a quantity (`0` when absent). */
export const quantityText = (v: string | number | undefined): string => formatQuantity(text(v));
