// The kinds one API server serves, changeable at run time: the built-in kinds it starts with, plus
// kinds added and removed while it runs (the served versions of CustomResourceDefinitions). Lookups
// read the current set; discovery and OpenAPI rebuild when `generation` moves.

import type { KindDef } from '../kind.js';

export interface KindRegistry {
  /** Every kind served now: the built-in ones first, then the added ones by owner. */
  all(): readonly KindDef[];
  /** The kind served at /api(s)/<group>/<version>/<plural>; group '' is core. */
  byResource(group: string, version: string, plural: string): KindDef | undefined;
  byGVK(group: string, version: string, kind: string): KindDef | undefined;
  /** True for kinds the server started with (not added at run time). */
  isBuiltIn(group: string, plural: string): boolean;
  /** Replaces the kinds added under `owner` (e.g. a CRD's name); an empty list removes them. */
  set(owner: string, kinds: readonly KindDef[]): void;
  /** Moves on every change. */
  readonly generation: number;
  /** Called after every change; returns the unsubscribe function. */
  onChange(cb: () => void): () => void;
}

const resKey = (g: string, v: string, r: string) => `${g}/${v}/${r}`;

export function createKindRegistry(builtIn: readonly KindDef[]): KindRegistry {
  const owned = new Map<string, readonly KindDef[]>();
  const builtInResources = new Set(builtIn.map((k) => `${k.group}/${k.plural}`));
  let all: readonly KindDef[] = builtIn;
  let byResource = new Map<string, KindDef>();
  let byGVK = new Map<string, KindDef>();
  let generation = 0;
  const listeners = new Set<() => void>();
  const rebuild = () => {
    all = [...builtIn, ...[...owned.values()].flat()];
    byResource = new Map();
    byGVK = new Map();
    // the first definition of a resource wins: a custom kind never shadows a built-in one
    for (const k of all) {
      const rk = resKey(k.group, k.version, k.plural);
      if (!byResource.has(rk)) byResource.set(rk, k);
      const gk = resKey(k.group, k.version, k.kind);
      if (!byGVK.has(gk)) byGVK.set(gk, k);
    }
  };
  rebuild();
  return {
    all: () => all,
    byResource: (g, v, r) => byResource.get(resKey(g, v, r)),
    byGVK: (g, v, k) => byGVK.get(resKey(g, v, k)),
    isBuiltIn: (g, r) => builtInResources.has(`${g}/${r}`),
    set(owner, kinds) {
      if (kinds.length === 0 && !owned.has(owner)) return;
      if (kinds.length === 0) owned.delete(owner);
      else owned.set(owner, kinds);
      rebuild();
      generation++;
      for (const cb of listeners) cb();
    },
    get generation() {
      return generation;
    },
    onChange(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
  };
}
