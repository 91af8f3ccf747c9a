// Picking a free member of a numeric range (Service ClusterIPs, NodePorts) on top of AllocationKeys.
// Like upstream since 1.27, dynamic allocation prefers the upper part of the range and keeps the
// lower band for addresses and ports users ask for by value (so a manifest with a well-known
// clusterIP does not collide with an earlier random pick); `reserved` members (the `kubernetes`
// and `kube-dns` Service addresses) are never handed out dynamically.

import type { AllocationKeys, AllocationOwner } from './alloc-keys.js';

export interface NumericRange {
  first: number;
  last: number;
  /** how many members at the start of the range dynamic allocation uses only when the rest is full */
  lowerBand: number;
  /** never picked dynamically (may still be asked for by value) */
  reserved: ReadonlySet<number>;
}

/** Upstream's static sub-range size: a sixteenth (ClusterIPs) or thirty-second (NodePorts), clamped. */
export function lowerBandSize(size: number, divisor: number, min: number, max: number): number {
  return Math.min(Math.max(min, Math.floor(size / divisor)), max, size);
}

const RANDOM_PROBES = 16;

/**
 * Takes a free member for `owner` (or, for a dry run, finds one without taking it); undefined when
 * the range is full. Random probes first; when they keep hitting taken members, one listing of the
 * entries and a scan from a random start.
 */
export async function allocateNext(
  range: NumericRange,
  keys: AllocationKeys,
  toItem: (n: number) => string,
  owner: AllocationOwner,
  dryRun: boolean,
): Promise<number | undefined> {
  const take = (n: number) => (dryRun ? keys.isFree(toItem(n)) : keys.claim(toItem(n), { ...owner, at: Date.now() }));
  const upperFirst = range.first + range.lowerBand;
  const bands: Array<[number, number]> = [];
  if (upperFirst <= range.last) bands.push([upperFirst, range.last]);
  if (range.lowerBand > 0) bands.push([range.first, Math.min(upperFirst - 1, range.last)]);
  const first = bands[0];
  if (first) {
    const [lo, hi] = first;
    for (let i = 0; i < RANDOM_PROBES; i++) {
      const n = lo + Math.floor(Math.random() * (hi - lo + 1));
      if (!range.reserved.has(n) && (await take(n))) return n;
    }
  }
  const taken = await keys.list();
  for (const [lo, hi] of bands) {
    const span = hi - lo + 1;
    const start = Math.floor(Math.random() * span);
    for (let k = 0; k < span; k++) {
      const n = lo + ((start + k) % span);
      if (range.reserved.has(n) || taken.has(toItem(n))) continue;
      if (await take(n)) return n;
    }
  }
  return undefined;
}
