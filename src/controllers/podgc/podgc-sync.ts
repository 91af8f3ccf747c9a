// One pass of the pod garbage collector against an injected world (podgc-sync-deps.ts), in
// upstream's order over one snapshot of the pod cache: terminated pods beyond the threshold,
// terminating pods on out-of-service nodes, pods of nodes that are gone (after the quarantine and a
// live GET, so that a cache that has not caught up never costs a pod), terminating pods that were
// never scheduled. Every pod collected is first moved to Failed when it has not finished (nothing
// else will: its kubelet is gone or never had it), then deleted with grace 0.

import type { Pod, PodCondition } from '../../api/gen/types.js';
import { StatusError } from '../../base/errors.js';
import { objectRef } from '../../base/log.js';
import { errorText } from '../shared/error-text.js';
import {
  failedStatusPatch,
  missingNodes,
  ORPHANED_POD_CONDITION,
  podsOnNodes,
  stepQuarantine,
  terminatedToCollect,
  terminatingOnOutOfServiceNodes,
  unscheduledTerminating,
} from './podgc-decide.js';
import type { PodGcSyncDeps } from './podgc-sync-deps.js';

interface PodGcSettings {
  /** Terminated pods kept before the oldest are collected; 0 turns that collection off. */
  terminatedPodGcThreshold: number;
  /** How long a node must be missing from the cache before the API is asked whether it is gone. */
  quarantineMs: number;
}

/** Why a pod was collected: upstream's metric reasons. */
type Reason = 'terminated' | 'terminating-out-of-service' | 'orphaned' | 'terminating-unscheduled';

/** Pods force-deleted in one pass, by reason, and the attempts that failed. */
type PassResult = Record<Reason, number> & { failed: number };

interface PodGc {
  /** One pass; failures are logged and counted, never thrown (the next pass tries again). */
  run(): Promise<PassResult>;
}

const gone = (e: unknown) => e instanceof StatusError && e.code === 404;

export function createPodGc(w: PodGcSyncDeps, s: PodGcSettings): PodGc {
  const { log } = w;
  const inFlight = Math.max(1, w.inFlight ?? 32);
  /** node name -> when its quarantine ends */
  let waiting = new Map<string, number>();

  /** Moves the pod to Failed when it has not finished, then deletes it with grace 0. */
  async function markFailedAndDelete(p: Pod, condition?: Omit<PodCondition, 'lastTransitionTime'>): Promise<void> {
    const patch = failedStatusPatch(p, w.now(), condition);
    try {
      if (patch) await w.api.patchPodStatus(p, patch);
      await w.api.forceDeletePod(p);
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }

  async function collect(
    result: PassResult,
    handled: Set<string>,
    reason: Reason,
    pods: readonly Pod[],
    condition?: Omit<PodCondition, 'lastTransitionTime'>,
  ): Promise<void> {
    // a pod can qualify twice in one pass (a terminated pod of a deleted node): one delete is enough
    const todo = pods.filter((p) => !handled.has(p.metadata.uid ?? objectRef(p)));
    for (const p of todo) handled.add(p.metadata.uid ?? objectRef(p));
    if (todo.length === 0) return;
    log.info('force-deleting pods', { reason, count: todo.length });
    let next = 0;
    const lane = async () => {
      while (next < todo.length) {
        const p = todo[next++] as Pod;
        try {
          await markFailedAndDelete(p, condition);
          result[reason]++;
          log.info('force-deleted pod', { pod: objectRef(p), reason, node: p.spec?.nodeName });
        } catch (e) {
          result.failed++;
          log.warn('could not force-delete pod', { pod: objectRef(p), reason, error: errorText(e) });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, todo.length) }, lane));
  }

  /** The nodes whose quarantine ended that the API confirms are gone. */
  async function goneNodes(pods: readonly Pod[]): Promise<Set<string>> {
    const cached = (n: string) => w.getNode(n) !== undefined;
    const step = stepQuarantine(waiting, missingNodes(pods, cached), w.now(), s.quarantineMs);
    waiting = step.waiting;
    const out = new Set<string>();
    for (const n of step.due) {
      if (cached(n)) continue;
      try {
        if (!(await w.api.nodeExists(n))) out.add(n);
      } catch (e) {
        // the node comes back into quarantine on the next pass if its pods are still there
        log.warn('could not check whether a node exists', { node: n, error: errorText(e) });
      }
    }
    return out;
  }

  return {
    async run() {
      const result: PassResult = { terminated: 0, 'terminating-out-of-service': 0, orphaned: 0, 'terminating-unscheduled': 0, failed: 0 };
      const handled = new Set<string>();
      const pods = w.listPods();
      await collect(result, handled, 'terminated', terminatedToCollect(pods, s.terminatedPodGcThreshold));
      await collect(result, handled, 'terminating-out-of-service', terminatingOnOutOfServiceNodes(pods, w.getNode));
      await collect(result, handled, 'orphaned', podsOnNodes(pods, await goneNodes(pods)), ORPHANED_POD_CONDITION);
      await collect(result, handled, 'terminating-unscheduled', unscheduledTerminating(pods));
      return result;
    },
  };
}
