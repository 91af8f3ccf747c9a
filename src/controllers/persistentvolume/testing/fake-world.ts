// An in-memory PvWorld for the binder's tests: maps of objects, merge patches applied in place
// (resourceVersion preconditions checked), events recorded.

import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../../../api/gen/types.js';
import { StatusError } from '../../../base/errors.js';
import type { PvWorld } from '../pv-world.js';

type Obj = { metadata: { resourceVersion?: string } } & Record<string, unknown>;

function merge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      const cur = target[k];
      const next = cur && typeof cur === 'object' && !Array.isArray(cur) ? (cur as Record<string, unknown>) : {};
      merge(next, v as Record<string, unknown>);
      target[k] = next;
    } else target[k] = v;
  }
}

export interface FakeWorld extends PvWorld {
  claims: Map<string, PersistentVolumeClaim>;
  pvs: Map<string, PersistentVolume>;
  classes: Map<string, StorageClass>;
  pods: Pod[];
  nodes: Map<string, Node>;
  events: string[];
}

export function createFakeWorld(): FakeWorld {
  let rv = 1;
  const claims = new Map<string, PersistentVolumeClaim>();
  const pvs = new Map<string, PersistentVolume>();
  const apply = <T>(obj: T | undefined, what: string, patch: unknown): T => {
    if (!obj) throw new StatusError(404, 'NotFound', `${what} not found`);
    const o = obj as unknown as Obj;
    const p = structuredClone(patch) as { metadata?: { resourceVersion?: string } };
    const want = p.metadata?.resourceVersion;
    if (want !== undefined && want !== o.metadata.resourceVersion) throw new StatusError(409, 'Conflict', `${what} changed`);
    if (p.metadata) delete p.metadata.resourceVersion;
    merge(o, p as Record<string, unknown>);
    o.metadata.resourceVersion = String(++rv);
    return obj;
  };
  const w: FakeWorld = {
    claims,
    pvs,
    classes: new Map(),
    pods: [],
    nodes: new Map(),
    events: [],
    claim: (ns, name) => claims.get(`${ns}/${name}`),
    liveClaim: async (ns, name) => claims.get(`${ns}/${name}`),
    volume: (name) => pvs.get(name),
    volumes: () => [...pvs.values()],
    storageClass: (name) => w.classes.get(name),
    node: (name) => w.nodes.get(name),
    podsIn: (ns) => w.pods.filter((p) => p.metadata.namespace === ns),
    patchClaim: async (ns, name, p) => apply(claims.get(`${ns}/${name}`), `claim ${name}`, p),
    patchClaimStatus: async (ns, name, p) => apply(claims.get(`${ns}/${name}`), `claim ${name}`, p),
    patchVolume: async (name, p) => apply(pvs.get(name), `volume ${name}`, p),
    patchVolumeStatus: async (name, p) => apply(pvs.get(name), `volume ${name}`, p),
    event: (obj, _type, reason) => w.events.push(`${obj.metadata.name ?? ''} ${reason}`),
    now: () => Date.parse('2024-05-01T12:00:00Z'),
  };
  return w;
}
