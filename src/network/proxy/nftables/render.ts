// The table spec as `nft -f` input: one transaction the kernel applies whole or not at all.
// A full render replaces the table (first apply of a process, or after a failed one: what is in
// the kernel is then unknown); established flows survive it, since their NAT lives in conntrack.
// An update render starts from the spec last applied: it rewrites only chains whose rules changed,
// rebuilds the dispatch maps, keeps the affinity sets (their entries are the clients' stickiness),
// and empties chains that are no longer used. Such chains are deleted by a later update
// (`deletable`): kernels before 6.2 may still see them referenced just after their map element
// went, so kube-proxy waits a moment too.

import type { TableSpec } from './table-spec.js';

const FAMILY = 'ip';

function objects(spec: TableSpec, t: string, out: string[], chains: Iterable<string>, newAffinity: Iterable<string>) {
  for (const c of chains) {
    const hook = spec.hooks.get(c);
    out.push(hook ? `add chain ${t} ${c} { ${hook} }` : `add chain ${t} ${c}`);
  }
  for (const [name, m] of spec.maps) out.push(`add ${m.decl.includes(':') ? 'map' : 'set'} ${t} ${name} { ${m.decl} }`);
  for (const name of newAffinity)
    out.push(`add set ${t} ${name} { type ipv4_addr; flags dynamic,timeout; timeout ${spec.affinitySets.get(name)}s; }`);
}

function contents(spec: TableSpec, t: string, out: string[], chains: Iterable<string>) {
  for (const c of chains) for (const r of spec.chains.get(c) ?? []) out.push(`add rule ${t} ${c} ${r}`);
  for (const [name, m] of spec.maps) if (m.elements.length > 0) out.push(`add element ${t} ${name} { ${m.elements.join(', ')} }`);
}

/** The whole table, replacing whatever a table of that name holds. */
export function renderFull(spec: TableSpec): string {
  const t = `${FAMILY} ${spec.name}`;
  const out = [`add table ${t}`, `delete table ${t}`, `add table ${t} { comment "tandem service proxy"; }`];
  objects(spec, t, out, spec.chains.keys(), spec.affinitySets.keys());
  contents(spec, t, out, spec.chains.keys());
  return `${out.join('\n')}\n`;
}

const sameRules = (a: readonly string[] | undefined, b: readonly string[]) =>
  a !== undefined && a.length === b.length && a.every((r, i) => r === b[i]);

export interface UpdateRender {
  text: string;
  /** Chains emptied by this update, to delete in a later one. */
  emptied: string[];
}

/** The changes from `prev` (what the kernel holds) to `next`; `deletable`: chains emptied earlier, now safe to delete. */
export function renderUpdate(prev: TableSpec, next: TableSpec, deletable: Iterable<string> = []): UpdateRender {
  const t = `${FAMILY} ${next.name}`;
  const changed = [...next.chains.keys()].filter((c) => !sameRules(prev.chains.get(c), next.chains.get(c)!));
  const newAffinity = [...next.affinitySets.keys()].filter((s) => prev.affinitySets.get(s) !== next.affinitySets.get(s));
  const out = [`add table ${t}`];
  objects(next, t, out, changed, newAffinity);
  for (const c of changed) if (prev.chains.has(c)) out.push(`flush chain ${t} ${c}`);
  for (const [name, m] of next.maps) out.push(`flush ${m.decl.includes(':') ? 'map' : 'set'} ${t} ${name}`);
  const emptied = [...prev.chains.keys()].filter((c) => !next.chains.has(c));
  for (const c of emptied) out.push(`flush chain ${t} ${c}`);
  for (const c of deletable) if (!next.chains.has(c) && !emptied.includes(c)) out.push(`delete chain ${t} ${c}`);
  contents(next, t, out, changed);
  // rules naming a stale set were flushed above, in this same transaction
  for (const s of prev.affinitySets.keys()) if (!next.affinitySets.has(s)) out.push(`delete set ${t} ${s}`);
  return { text: `${out.join('\n')}\n`, emptied };
}

/** Removes the table (and with it every rule, map and set of this proxy). */
export function renderDelete(name: string): string {
  return `add table ${FAMILY} ${name}\ndelete table ${FAMILY} ${name}\n`;
}
