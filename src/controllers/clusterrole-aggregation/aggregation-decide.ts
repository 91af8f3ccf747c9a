// The rules an aggregated ClusterRole should hold: every rule of every other ClusterRole matched by
// one of its clusterRoleSelectors, selectors in order and matched roles by name, each rule once.

import type { ClusterRole, PolicyRule } from '../../api/gen/types.js';
import { selectorMatches } from '../../api/label-selector.js';
import { jsonEqual } from '../../api/validation/index.js';

export function aggregatedRules(role: ClusterRole, all: readonly ClusterRole[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const sorted = [...all].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  for (const sel of role.aggregationRule?.clusterRoleSelectors ?? []) {
    for (const other of sorted) {
      if (other.metadata.name === role.metadata.name || !selectorMatches(sel, other.metadata.labels)) continue;
      for (const r of other.rules ?? []) if (!out.some((x) => jsonEqual(x, r))) out.push(r);
    }
  }
  return out;
}

/** True when the role's rules differ from what aggregation makes them (an update is due). */
export const needsUpdate = (role: ClusterRole, want: readonly PolicyRule[]): boolean => !jsonEqual(role.rules ?? [], want);
