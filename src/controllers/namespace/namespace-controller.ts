// The namespace controller: for a Namespace being deleted, delete every object of every namespaced
// resource in it (propagation Background), wait until nothing is left, then remove the `kubernetes`
// finalizer through PUT on the namespace's `finalize` subresource so the server can remove it.

import type { Namespace } from '../../api/gen/types.js';
import { namespaceKind } from '../../api/kinds/core/namespace.js';
import type { KubeObject } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import { rfc3339 } from '../../base/time.js';
import { createWorkQueue } from '../../base/work-queue.js';
import { discoverResources, resourceRef, type ApiResource } from '../../client/discovery.js';
import type { ControllerDeps } from '../shared/controller-deps.js';
import { errorText } from '../shared/error-text.js';
import { runController, type RunningController } from '../shared/run-controller.js';
import {
  contentResources,
  deletionConditions,
  finalizeBody,
  needsCleanup,
  recheckDelay,
  toDelete,
  type ContentReport,
} from './namespace-decide.js';

export interface NamespaceControllerOptions {
  /** How long discovered resources are reused (default 30 s). */
  discoveryTtlMs?: number;
}

const NAME = 'namespace';

export function startNamespaceController(deps: ControllerDeps & NamespaceControllerOptions): RunningController {
  const { client } = deps;
  const log = deps.log.child(NAME);
  const now = deps.now ?? Date.now;
  const ttl = deps.discoveryTtlMs ?? 30_000;
  const queue = createWorkQueue<string>({ name: 'namespace' });
  const informer = deps.informers.for(namespaceKind);
  const namespaces = client.resource(namespaceKind);
  let discovered: { at: number; list: ApiResource[] } | undefined;

  const enqueue = (ns: Namespace) => {
    if (needsCleanup(ns)) queue.add(ns.metadata.name ?? '');
  };
  informer.addHandlers({ onAdd: enqueue, onUpdate: (_old, ns) => enqueue(ns) });

  async function resources(): Promise<ApiResource[]> {
    if (!discovered || now() - discovered.at > ttl) discovered = { at: now(), list: contentResources(await discoverResources(client)) };
    return discovered.list;
  }

  /** Deletes what can be deleted in one resource; answers what is still there. */
  async function clear(r: ApiResource, ns: string): Promise<KubeObject[]> {
    const objects = client.resource(resourceRef(r)).namespace(ns);
    const first = (await objects.list()).items ?? [];
    let deleted = 0;
    for (const o of toDelete(first)) {
      try {
        await objects.delete(o.metadata.name ?? '', { propagationPolicy: 'Background', preconditions: { uid: o.metadata.uid } });
        deleted++;
      } catch (e) {
        if (!(e instanceof StatusError && (e.code === 404 || e.code === 409))) throw e;
      }
    }
    if (deleted === 0 && first.length === 0) return [];
    return (await objects.list()).items ?? [];
  }

  async function setConditions(name: string, reports: ContentReport[], failures: string[]): Promise<void> {
    const live = await namespaces.getOrUndefined(name);
    if (!live) return;
    const status = live.status ?? {};
    const next = deletionConditions(reports, failures, rfc3339(now()));
    const same = next.every((c) =>
      (status.conditions ?? []).some((o) => o.type === c.type && o.status === c.status && o.message === c.message),
    );
    if (same) return;
    const keep = (status.conditions ?? []).filter((o) => !next.some((c) => c.type === o.type));
    await namespaces.updateStatus({ ...live, status: { ...status, conditions: [...keep, ...next] } });
  }

  async function process(name: string, freshDiscovery = false): Promise<void> {
    if (!needsCleanup(informer.get(name))) return;
    const readNow = freshDiscovery || !discovered || now() - discovered.at > ttl;
    if (freshDiscovery) discovered = undefined;
    const rs = await resources();
    const remaining: KubeObject[] = [];
    const reports: ContentReport[] = [];
    const failures: string[] = [];
    for (const r of rs) {
      try {
        const left = await clear(r, name);
        remaining.push(...left);
        reports.push({ resource: r.group ? `${r.resource}.${r.group}` : r.resource, count: left.length });
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) {
          discovered = undefined;
          continue;
        } // resource went away
        failures.push(r.group ? `${r.resource}.${r.group}` : r.resource);
        log.warn('could not clear a resource', { namespace: name, resource: r.resource, error: errorText(e) });
      }
    }
    if (remaining.length === 0 && failures.length === 0) {
      // a resource served since discovery was last read (a CustomResourceDefinition created since) is
      // emptied too before the namespace goes: the last pass always works from a fresh discovery
      if (!readNow) return process(name, true);
      const live = await namespaces.getOrUndefined(name);
      if (!needsCleanup(live)) return;
      await namespaces.updateSubresource(name, 'finalize', finalizeBody(live));
      return;
    }
    await setConditions(name, reports, failures).catch((e: unknown) =>
      log.warn('could not write the status conditions', { namespace: name, error: errorText(e) }),
    );
    if (failures.length > 0) throw new Error(`could not clear ${failures.join(', ')}`);
    queue.addAfter(name, recheckDelay(remaining, now()));
  }

  return runController({ name: NAME, log, informers: [informer], queue, workers: deps.workers ?? 2, sync: (name) => process(name) });
}
