// The revision step of a StatefulSet reconcile: find or make the update revision for the set's
// template (reuse the newest when it matches, renumber an older equal one on a rollback, else create
// one, stepping the collision count on a name clash with other data), pick the current revision,
// and prune history beyond revisionHistoryLimit. Orphan revisions matching the selector are adopted.

import type { ControllerRevision, Pod, StatefulSet } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { adoptPatch, controllerRefOf, newControllerRef } from '../shared/owner-refs.js';
import { selectorMatcher } from '../shared/selector-cache.js';
import { newRevision, nextRevisionNumber, revisionsToPrune, sameData, sortRevisions } from './revisions.js';
import type { StatefulSetSyncDeps } from './statefulset-sync-deps.js';

export interface SetRevisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
  /** Every revision of the set, oldest first, the update revision included. */
  all: ControllerRevision[];
}

const code = (e: unknown) => (e instanceof StatusError ? e.code : 0);
/** Name clashes tolerated before giving up for this round (each one steps the collision count). */
const MAX_COLLISIONS = 10;

async function createRevision(w: StatefulSetSyncDeps, set: StatefulSet, number: number, collisionCount: number) {
  const ns = set.metadata.namespace ?? '';
  let count = collisionCount;
  for (let i = 0; i < MAX_COLLISIONS; i++) {
    const rev = newRevision(set, number, count);
    try {
      return { rev: await w.api.createRevision(ns, rev), collisionCount: count };
    } catch (e) {
      if (code(e) !== 409) throw e;
      const have = await w.api.getRevision(ns, rev.metadata.name ?? '');
      // our own revision the cache has not shown yet, or an orphan of a set of the same name
      if (have && sameData(have, rev)) {
        const owner = controllerRefOf(have);
        if (!owner) return { rev: await adopt(w, set, have), collisionCount: count };
        if (owner.uid === set.metadata.uid) return { rev: have, collisionCount: count };
      }
      count++;
    }
  }
  throw new StatusError(500, 'InternalError', `too many ControllerRevision name collisions for StatefulSet ${set.metadata.name ?? ''}`);
}

/** Takes an ownerless revision over (guarded by its resourceVersion). */
const adopt = (w: StatefulSetSyncDeps, set: StatefulSet, rev: ControllerRevision) =>
  w.api.patchRevision(
    rev.metadata.namespace ?? set.metadata.namespace ?? '',
    rev.metadata.name ?? '',
    adoptPatch(rev, newControllerRef(set, 'apps/v1', 'StatefulSet')),
  );

/** The set's revisions: those it controls, and orphans matching its selector (adopted). */
async function claimRevisions(w: StatefulSetSyncDeps, set: StatefulSet): Promise<ControllerRevision[]> {
  const sel = selectorMatcher(set.spec?.selector);
  const mine = [...w.revisionsOf(set)];
  for (const r of w.orphanRevisionsIn(set.metadata.namespace ?? '')) {
    if (!sel.matches(r.metadata.labels ?? {})) continue;
    try {
      mine.push(await adopt(w, set, r));
    } catch (e) {
      if (code(e) !== 404) throw e;
    }
  }
  return mine;
}

export async function setRevisions(w: StatefulSetSyncDeps, set: StatefulSet): Promise<SetRevisions> {
  const sorted = sortRevisions(await claimRevisions(w, set));
  let collisionCount = set.status?.collisionCount ?? 0;
  const next = nextRevisionNumber(sorted);
  const wanted = newRevision(set, next, collisionCount);
  const equal = sorted.filter((r) => sameData(r, wanted));
  const latest = sorted.at(-1);
  const lastEqual = equal.at(-1);
  let update: ControllerRevision;
  let all = sorted;
  if (lastEqual && lastEqual === latest) update = lastEqual;
  else if (lastEqual) {
    update = await w.api.patchRevision(lastEqual.metadata.namespace ?? set.metadata.namespace ?? '', lastEqual.metadata.name ?? '', {
      revision: next,
      metadata: { resourceVersion: lastEqual.metadata.resourceVersion },
    });
    all = sortRevisions([...sorted.filter((r) => r !== lastEqual), update]);
  } else {
    const made = await createRevision(w, set, next, collisionCount);
    update = made.rev;
    collisionCount = made.collisionCount;
    all = sortRevisions([...sorted.filter((r) => r.metadata.name !== update.metadata.name), update]);
  }
  const current = all.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount, all };
}

/** Deletes the oldest revisions no pod runs once more than revisionHistoryLimit of them exist. */
export async function pruneHistory(w: StatefulSetSyncDeps, set: StatefulSet, pods: readonly Pod[], revs: SetRevisions): Promise<void> {
  const live = [revs.current.metadata.name ?? '', revs.update.metadata.name ?? ''];
  for (const r of revisionsToPrune(revs.all, pods, live, set.spec?.revisionHistoryLimit ?? 10)) {
    try {
      await w.api.deleteRevision(r.metadata.namespace ?? set.metadata.namespace ?? '', r.metadata.name ?? '');
    } catch (e) {
      if (code(e) !== 404) throw e;
    }
  }
}
