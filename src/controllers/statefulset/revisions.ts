// A StatefulSet's ControllerRevisions: what one records (the pod template as a strategic merge
// patch that replaces spec.template, so that `kubectl rollout undo` can apply it as is), its hash
// and name (upstream's: FNV-1 32 over the data's JSON and the collision count written in decimal,
// safe-encoded, `<set>-<hash>`), equality, ordering, and which old revisions the history limit
// lets go.

import type { ControllerRevision, Pod, StatefulSet } from '../../api/gen/types.js';
import { LABEL_CONTROLLER_REVISION_HASH } from '../../api/well-known.js';
import { newControllerRef } from '../shared/owner-refs.js';
import { canonicalJson, jsonEqual, safeEncode } from '../shared/template-hash.js';

/** The label on a revision with its hash (upstream's ControllerRevisionHashLabel). */
const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/** JSON with object keys sorted at every level, as Go encodes the map it builds the patch from. */
function sortedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v === null || typeof v !== 'object') return v;
  const rec = v as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(rec)
      .sort()
      .filter((k) => rec[k] !== undefined)
      .map((k) => [k, sortedKeys(rec[k])]),
  );
}

/** The data of the revision for the set's current template: `{"spec":{"template":{…,"$patch":"replace"}}}`. */
export function revisionData(set: StatefulSet): Record<string, unknown> {
  const template = { ...(structuredClone(set.spec?.template ?? {}) as Record<string, unknown>), $patch: 'replace' };
  return sortedKeys({ spec: { template } }) as Record<string, unknown>;
}

/** FNV-1 (multiply, then xor), 32 bits, over the UTF-8 bytes of `s`, continuing from `seed`. */
export function fnv1(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of Buffer.from(s, 'utf8')) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h;
}

/** The revision hash of `data` with the set's collision count. */
export function revisionHash(data: unknown, collisionCount: number): string {
  const h = fnv1(String(collisionCount), fnv1(JSON.stringify(data)));
  return safeEncode(String(h));
}

/** `<set>-<hash>`, the set's name cut to 223 characters so that the result fits in 253. */
export const revisionName = (setName: string, hash: string): string => `${setName.slice(0, 223)}-${hash}`;

/** The revision object for the set's template, numbered `revision`, named for `collisionCount`. */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const data = revisionData(set);
  const hash = revisionHash(data, collisionCount);
  const meta: ControllerRevision['metadata'] = {
    name: revisionName(set.metadata.name ?? '', hash),
    namespace: set.metadata.namespace,
    labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
    ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
  };
  // the set's annotations travel with the revision (kubernetes.io/change-cause shows in rollout history)
  if (set.metadata.annotations && Object.keys(set.metadata.annotations).length) meta.annotations = { ...set.metadata.annotations };
  return { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta, data, revision };
}

/** Two revisions record the same template. */
export const sameData = (a: ControllerRevision, b: ControllerRevision): boolean =>
  canonicalJson(a.data) === canonicalJson(b.data) || jsonEqual(a.data, b.data);

/** Oldest first: by revision number, then creation time, then name. */
export function sortRevisions(revs: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort(
    (a, b) =>
      a.revision - b.revision ||
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

export const nextRevisionNumber = (sorted: readonly ControllerRevision[]): number => (sorted.at(-1)?.revision ?? 0) + 1;

/** The revision a pod was made from (its controller-revision-hash label holds the revision's name). */
export const podRevision = (p: Pod): string => p.metadata.labels?.[LABEL_CONTROLLER_REVISION_HASH] ?? '';

/**
 * The revisions to delete so that at most `limit` revisions no pod runs and that are neither the
 * current nor the update revision remain; the oldest go first.
 */
export function revisionsToPrune(
  sorted: readonly ControllerRevision[],
  pods: readonly Pod[],
  live: readonly string[],
  limit: number,
): ControllerRevision[] {
  const used = new Set([...live, ...pods.map(podRevision)]);
  const history = sorted.filter((r) => !used.has(r.metadata.name ?? ''));
  if (limit < 0 || history.length <= limit) return [];
  return history.slice(0, history.length - limit);
}
