// The garbage collector: deletes objects whose owners are gone (Background), deletes the dependents
// of owners deleted in the foreground before letting the owner go, and strips owner references for
// owners deleted with the orphan policy. Informers for every listable resource only enqueue keys;
// workers decide from the caches (pure rules in gc-decide.ts) and confirm a missing owner with a live
// GET before deleting anything.

import type { KubeObject, OwnerReference } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { retryWithBackoff } from '../../base/backoff.js';
import { discoverResources } from '../../client/discovery.js';
import { objectKey } from '../../client/object-key.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import { FINALIZER_FOREGROUND_DELETION, FINALIZER_ORPHAN_DEPENDENTS } from '../../api/well-known.js';
import {
  decideDependent,
  decideForeground,
  decideOrphan,
  finalizerRemovalPatch,
  hasFinalizer,
  isDeleting,
  ownerStateOf,
  refRemovalPatch,
  type OwnerAction,
  type OwnerState,
} from './gc-decide.js';
import { createMonitors, type Monitor, type Monitors } from './gc-monitors.js';

export interface GarbageCollectorOptions {
  /** How often an owner waiting for its dependents is looked at again regardless of events (default 5 s). */
  recheckMs?: number;
  /**
   * How often discovery is read again for resources served since (custom resources), as upstream's
   * collector resyncs its monitors (default 30 s). An owner reference to a kind no monitor serves
   * also asks for one, at most once a second.
   */
  resyncMs?: number;
}

/** Whether an update changes an object's owners, its deletion or its finalizers (all the collector acts on). */
export function gcRelevantChange(old: KubeObject, o: KubeObject): boolean {
  const a = old.metadata;
  const b = o.metadata;
  if (a.deletionTimestamp !== b.deletionTimestamp) return true;
  if (JSON.stringify(a.finalizers ?? []) !== JSON.stringify(b.finalizers ?? [])) return true;
  return JSON.stringify(a.ownerReferences ?? []) !== JSON.stringify(b.ownerReferences ?? []);
}

const NAME = 'garbage-collector';
const ignorable = (e: unknown) => e instanceof StatusError && (e.code === 404 || e.code === 409);

export function startGarbageCollector(deps: ControllerDeps & GarbageCollectorOptions): RunningController {
  const { client } = deps;
  const log = deps.log.child(NAME);
  const recheckMs = deps.recheckMs ?? 5000;
  const queue = createWorkQueue<string>({ name: 'garbage_collector_attempt_to_delete' });
  let monitors: Monitors | undefined;

  const itemOf = (m: Monitor, obj: KubeObject) => `${m.id}|${objectKey(obj)}`;
  const enqueueOwners = (obj: KubeObject) => {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const m = monitors?.forRef(ref);
      if (!m) continue;
      const ns = m.res.namespaced ? obj.metadata.namespace : undefined;
      queue.add(`${m.id}|${ns ? `${ns}/${ref.name}` : ref.name}`);
    }
  };
  const enqueueDependents = (obj: KubeObject) => {
    for (const d of monitors?.dependentsOf(obj.metadata.uid ?? '') ?? []) queue.add(itemOf(d.monitor, d.obj));
  };

  async function ownerState(dep: KubeObject, ref: OwnerReference): Promise<OwnerState> {
    const m = monitors?.forRef(ref);
    if (!m) {
      requestResync();
      return 'unknown';
    }
    if (m.res.namespaced && !dep.metadata.namespace) return 'absent'; // a cluster-scoped object cannot have a namespaced owner
    const ns = m.res.namespaced ? dep.metadata.namespace : undefined;
    const cached = m.informer.get(ns ? `${ns}/${ref.name}` : ref.name);
    const fromCache = ownerStateOf(ref, cached);
    if (fromCache !== 'absent') return fromCache;
    // the cache may simply lag: only a live answer says the owner is gone
    const live = await m.api.namespace(ns ?? '').getOrUndefined(ref.name);
    return ownerStateOf(ref, live);
  }

  /**
   * Deletes `obj` as the collector saw it. `decidedOn` (a dependent whose owners were judged gone)
   * adds its resourceVersion as a precondition: the decision was made on the cached copy, and an
   * update since may have given the object a new owner (an upload handed to a new token, an adoption);
   * the conflict then sends it back through the queue to be judged on its new version.
   */
  async function deleteObj(m: Monitor, obj: KubeObject, policy: 'Background' | 'Foreground', decidedOn = false): Promise<void> {
    const preconditions = decidedOn ? { uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion } : { uid: obj.metadata.uid };
    try {
      await m.api.namespace(obj.metadata.namespace ?? '').delete(obj.metadata.name ?? '', { propagationPolicy: policy, preconditions });
    } catch (e) {
      if (decidedOn && e instanceof StatusError && e.code === 409)
        throw new Error(`${objectKey(obj)} changed while it was judged: judged again`, { cause: e });
      if (!ignorable(e)) throw e;
    }
  }

  async function patch(m: Monitor, obj: KubeObject, body: Record<string, unknown>): Promise<void> {
    await m.api.namespace(obj.metadata.namespace ?? '').patch(obj.metadata.name ?? '', body, 'merge');
  }

  async function solidMap(obj: KubeObject): Promise<Map<string, OwnerState>> {
    const states = new Map<string, OwnerState>();
    for (const ref of obj.metadata.ownerReferences ?? []) states.set(ref.uid, await ownerState(obj, ref));
    return states;
  }

  async function runOwnerActions(
    m: Monitor,
    owner: KubeObject,
    actions: OwnerAction[],
    monitorOf: (o: KubeObject) => Monitor | undefined,
  ): Promise<boolean> {
    let finished = false;
    for (const a of actions) {
      switch (a.type) {
        case 'deleteDependent': {
          const dm = monitorOf(a.obj);
          if (dm) await deleteObj(dm, a.obj, 'Foreground');
          break;
        }
        case 'removeRef': {
          const dm = monitorOf(a.obj);
          if (dm)
            await patch(dm, a.obj, refRemovalPatch(a.obj, [a.uid])).catch((e: unknown) => {
              if (!(e instanceof StatusError && e.code === 404)) throw e;
            });
          break;
        }
        case 'removeFinalizer':
          await patch(m, owner, finalizerRemovalPatch(owner, a.finalizer)).catch((e: unknown) => {
            if (!(e instanceof StatusError && e.code === 404)) throw e;
          });
          finished = true;
          break;
        default: {
          const never: never = a;
          void never;
        }
      }
    }
    return finished;
  }

  async function process(item: string): Promise<void> {
    const bar = item.indexOf('|');
    const m = monitors?.byId(item.slice(0, bar));
    if (!m) return;
    const obj = m.informer.get(item.slice(bar + 1));
    if (!obj) return;
    if (isDeleting(obj)) {
      const uid = obj.metadata.uid ?? '';
      const found = monitors?.dependentsOf(uid) ?? [];
      const owning = new Map(found.map((d) => [d.obj, d.monitor]));
      const deps = found.map((d) => d.obj);
      const monitorOf = (o: KubeObject) => owning.get(o);
      if (hasFinalizer(obj, FINALIZER_ORPHAN_DEPENDENTS)) {
        if (!(await runOwnerActions(m, obj, decideOrphan(obj, deps), monitorOf))) queue.addAfter(item, 200);
      } else if (hasFinalizer(obj, FINALIZER_FOREGROUND_DELETION)) {
        const solid = new Map<string, boolean>();
        for (const d of deps) {
          for (const r of d.metadata.ownerReferences ?? []) {
            if (r.uid !== uid && !solid.has(r.uid)) solid.set(r.uid, (await ownerState(d, r)) === 'solid');
          }
        }
        const actions = decideForeground(obj, deps, (_d, r) => solid.get(r.uid) === true);
        if (!(await runOwnerActions(m, obj, actions, monitorOf))) queue.addAfter(item, recheckMs);
      }
      return;
    }
    if ((obj.metadata.ownerReferences ?? []).length === 0) return;
    const action = decideDependent(obj, await solidMap(obj));
    switch (action.type) {
      case 'none':
        return;
      case 'delete':
        await deleteObj(m, obj, action.policy, true);
        return;
      case 'removeRefs':
        await patch(m, obj, refRemovalPatch(obj, action.uids));
        log.info('removed owner references', { resource: m.res.resource, object: objectKey(obj), owners: action.uids.join(',') });
        return;
      default: {
        const never: never = action;
        void never;
      }
    }
  }

  /** handler registrations, removed at stop: some informers are shared ones that outlive the collector */
  const registrations: Array<{ remove(): void }> = [];
  const attach = (mon: Monitor) => {
    const reg = mon.informer.addHandlers({
      onAdd: (o) => queue.add(itemOf(mon, o)),
      // as upstream's graph builder: an update matters only when it changes what the collector decides
      // on (owners, deletion, finalizers); the steady stream of status and Lease updates queues nothing
      onUpdate: (old, o) => {
        if (!gcRelevantChange(old, o)) return;
        queue.add(itemOf(mon, o));
        enqueueOwners(old);
        enqueueOwners(o);
      },
      onDelete: (o) => {
        enqueueDependents(o);
        enqueueOwners(o);
      },
    });
    registrations.push(reg);
  };

  // resources served after start (CRDs): monitored once discovery shows them, dropped when it stops
  let resyncTimer: NodeJS.Timeout | undefined;
  let resyncSoon: NodeJS.Timeout | undefined;
  let resyncing = false;
  let stopped = false;
  async function resync(): Promise<void> {
    const ms = monitors;
    if (!ms || resyncing || stopped) return;
    resyncing = true;
    try {
      const resources = await discoverResources(client);
      if (stopped) return;
      const added: Monitor[] = [];
      for (const res of resources) {
        const m = ms.add(res);
        if (!m) continue;
        attach(m);
        m.informer.start();
        added.push(m);
      }
      const served = new Set(resources.map((r) => `${r.group ? `${r.group}/${r.version}` : r.version}/${r.resource}`));
      for (const m of [...ms.all()]) if (!served.has(m.id)) await ms.remove(m.id);
      if (added.length === 0) return;
      log.info('monitoring resources served since start', { resources: added.map((m) => m.id).join(',') });
      // dependents looked at while their owners' kind had no monitor are looked at again
      const kinds = new Set(added.map((m) => `${m.res.group}/${m.res.kind}`));
      const groupOf = (av: string) => (av.includes('/') ? av.slice(0, av.indexOf('/')) : '');
      for (const m of ms.all())
        for (const o of m.informer.list())
          if ((o.metadata.ownerReferences ?? []).some((r) => kinds.has(`${groupOf(r.apiVersion)}/${r.kind}`))) queue.add(itemOf(m, o));
    } catch (e) {
      log.warn('resource discovery for the garbage collector failed', { error: e instanceof Error ? e.message : String(e) });
    } finally {
      resyncing = false;
    }
  }
  let lastAsked = 0;
  function requestResync(): void {
    if (stopped || resyncSoon || Date.now() - lastAsked < 1000) return;
    lastAsked = Date.now();
    resyncSoon = setTimeout(() => {
      resyncSoon = undefined;
      void resync();
    }, 200);
  }

  /** Discovery first (retried until it answers or the collector stops), then one informer per resource. */
  async function makeMonitors(signal: AbortSignal): Promise<Monitors[]> {
    const resources = await retryWithBackoff(() => discoverResources(client), {
      initialMs: 500,
      maxMs: 5000,
      steps: 1000,
      retryable: () => !signal.aborted,
    });
    const ms = createMonitors(client, resources, log, deps.informers);
    monitors = ms;
    for (const mon of ms.all()) attach(mon);
    resyncTimer = setInterval(() => void resync(), deps.resyncMs ?? 30_000);
    resyncTimer.unref();
    return [ms];
  }

  return runController({
    name: NAME,
    log,
    informers: makeMonitors,
    queue,
    workers: deps.workers ?? 2,
    sync: process,
    onStop: () => {
      stopped = true;
      if (resyncTimer) clearInterval(resyncTimer);
      if (resyncSoon) clearTimeout(resyncSoon);
      for (const r of registrations.splice(0)) r.remove();
      return monitors?.stop();
    },
  });
}
