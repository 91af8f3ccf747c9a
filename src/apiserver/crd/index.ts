// CustomResourceDefinitions inside the API server, as upstream's apiextensions-apiserver does it: a
// list and watch of the CRDs in the store drives (1) their status (accepted names, NamesAccepted,
// Established, storedVersions), (2) the served kinds and schema definitions (discovery and OpenAPI
// follow the kind registry), and (3) the deletion of every custom object when a CRD is deleted
// (the customresourcecleanup finalizer, added by the CRD's DELETE).

import type { CustomResourceDefinition } from '../../api/gen/types.js';
import type { KindDef } from '../../api/kind.js';
import type { KindRegistry } from '../../api/kinds/kind-registry.js';
import type { AnyObject } from '../../api/object.js';
import { CRD_CLEANUP_FINALIZER } from '../../api/kinds/apiextensions/crd.js';
import { customKindsOf } from '../../api/kinds/apiextensions/custom-kinds.js';
import { schemaRegistry } from '../../api/schema/registry.js';
import { jsonEqual } from '../../api/validation/index.js';
import type { Logger } from '../../base/log.js';
import type { StorageEvent } from '../../storage/backend.js';
import type { ApiContext } from '../handlers/context.js';
import { handleDelete } from '../handlers/delete.js';
import { writeOptions } from '../handlers/options.js';
import { rfc3339Now } from '../registry/prepare.js';
import { NoChange, objectOf } from '../registry/resource-store.js';
import { addTaken, desiredStatus, isEstablished, setCondition, type TakenNames } from './conditions.js';
import { refuseWhileTerminating } from './terminating.js';

export interface CrdServing {
  stop(): void;
}

const GROUP = 'apiextensions.k8s.io';
const RESOURCE = 'customresourcedefinitions';

/** Where a custom resource's objects are stored (the layout of registry/keys.ts; the group is never core). */
const objectsPrefix = (crd: CustomResourceDefinition) => `/registry/${crd.spec.group}/${crd.spec.names.plural}/`;

export async function installCrdServing(ctx: ApiContext, registry: KindRegistry, log?: Logger): Promise<CrdServing> {
  const crdKind = ctx.kindFor(GROUP, 'v1', RESOURCE)!;
  const store = ctx.store(crdKind);
  const crds = new Map<string, CustomResourceDefinition>();
  /** what each CRD serves now: a fingerprint of what it was built from, and its definition names */
  const served = new Map<string, { print: string; defs: string[] }>();
  let stopped = false;

  // the first DELETE of a CRD adds the cleanup finalizer and the Terminating condition, then deletes as usual
  ctx.custom.add(GROUP, RESOURCE, undefined, 'delete', async (s) => {
    const name = s.info.name;
    if (name !== undefined && !writeOptions(s.query).dryRun) {
      await store
        .guaranteedUpdate(
          undefined,
          name,
          (cur) => {
            const m = cur.metadata;
            if (m.deletionTimestamp !== undefined) throw new NoChange();
            m.finalizers = [...new Set([...(m.finalizers ?? []), CRD_CLEANUP_FINALIZER])];
            const crd = cur as unknown as CustomResourceDefinition;
            const status = (crd.status ??= {});
            status.conditions = setCondition(
              status.conditions ?? [],
              {
                type: 'Terminating',
                status: 'True',
                reason: 'InstanceDeletionInProgress',
                message: 'CustomResource deletion is in progress',
              },
              rfc3339Now(ctx.now()),
            );
            return cur;
          },
          { dryRun: false },
        )
        .catch((e: unknown) => {
          // a missing CRD answers the usual NotFound from the delete itself
          if (!(e instanceof Error && 'code' in e && (e as { code: number }).code === 404)) throw e;
        });
    }
    return handleDelete(s);
  });
  ctx.admissionPlugins.push(
    refuseWhileTerminating((group, plural) =>
      [...crds.values()].some((c) => c.metadata.deletionTimestamp !== undefined && objectsPrefix(c) === `/registry/${group}/${plural}/`),
    ),
  );

  const builtInNames = (group: string): TakenNames => {
    const taken: TakenNames = { resources: new Set(), kinds: new Set() };
    for (const k of registry.all()) {
      if (k.group !== group || !registry.isBuiltIn(k.group, k.plural)) continue;
      addTaken(taken, { plural: k.plural, singular: k.singular, shortNames: [...k.shortNames], kind: k.kind, listKind: k.listKind });
    }
    return taken;
  };

  /** Brings one CRD's status to what it should be; true when it wrote. */
  const reconcileStatus = async (crd: CustomResourceDefinition): Promise<boolean> => {
    if (crd.metadata.deletionTimestamp !== undefined) return false;
    const taken = builtInNames(crd.spec.group);
    for (const other of crds.values())
      if (other !== crd && other.spec.group === crd.spec.group) addTaken(taken, other.status?.acceptedNames);
    const want = desiredStatus(crd, taken, rfc3339Now(ctx.now()));
    if (
      jsonEqual(want, {
        acceptedNames: crd.status?.acceptedNames,
        conditions: crd.status?.conditions,
        storedVersions: crd.status?.storedVersions,
      })
    )
      return false;
    await store.guaranteedUpdate(
      undefined,
      crd.metadata.name ?? '',
      (cur) => {
        if (cur.metadata.uid !== crd.metadata.uid) throw new NoChange();
        (cur as unknown as CustomResourceDefinition).status = { ...(cur['status'] as object), ...want };
        return cur;
      },
      { dryRun: false },
    );
    return true;
  };

  /**
   * Why a deleted CRD's objects must not be deleted: it never served any (its plural may even be a
   * built-in's, refused by the naming check), or its storage is a built-in resource's.
   */
  const keepInstances = (crd: CustomResourceDefinition): { reason: string; message: string } | undefined => {
    if (registry.isBuiltIn(crd.spec.group, crd.spec.names.plural))
      return { reason: 'OverlappingBuiltInResource', message: 'instances overlap with built-in resources in storage' };
    if (!isEstablished(crd)) return { reason: 'NeverEstablished', message: 'resource was never established' };
    return undefined;
  };

  /** Deletes every object of a deleted CRD, then lets the CRD go. */
  const cleanup = async (crd: CustomResourceDefinition) => {
    const keep = keepInstances(crd);
    if (!keep) {
      const { kvs } = await ctx.backend.list(objectsPrefix(crd));
      for (const kv of kvs) await ctx.backend.delete(kv.key).catch(() => undefined);
    }
    const { obj } = await store.guaranteedUpdate(
      undefined,
      crd.metadata.name ?? '',
      (cur) => {
        if (cur.metadata.uid !== crd.metadata.uid) throw new NoChange();
        cur.metadata.finalizers = (cur.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
        if (cur.metadata.finalizers.length === 0) delete cur.metadata.finalizers;
        const c = cur as unknown as CustomResourceDefinition;
        const status = (c.status ??= {});
        status.conditions = setCondition(
          status.conditions ?? [],
          keep
            ? { type: 'Terminating', status: 'False', ...keep }
            : { type: 'Terminating', status: 'True', reason: 'InstanceDeletionCompleted', message: 'removed all instances' },
          rfc3339Now(ctx.now()),
        );
        return cur;
      },
      { dryRun: false },
    );
    if (!obj.metadata.finalizers?.length)
      await store.remove(undefined, obj.metadata.name ?? '', Number(obj.metadata.resourceVersion), false);
  };

  /** Serves what each established CRD defines; drops what deleted ones did. */
  const syncServed = () => {
    let changed = false;
    for (const [name, was] of served) {
      const crd = crds.get(name);
      if (crd && isEstablished(crd)) continue;
      registry.set(name, []);
      schemaRegistry.remove(was.defs);
      served.delete(name);
      changed = true;
    }
    for (const [name, crd] of crds) {
      if (!isEstablished(crd)) continue;
      const print = JSON.stringify([crd.spec, crd.status?.acceptedNames]);
      if (served.get(name)?.print === print) continue;
      let kinds: KindDef[];
      let defs: string[];
      try {
        const built = customKindsOf(crd);
        schemaRegistry.remove(served.get(name)?.defs ?? []);
        schemaRegistry.add(built.definitions);
        kinds = built.kinds;
        defs = Object.keys(built.definitions);
      } catch (e) {
        log?.error('cannot serve custom resource definition', { name, error: e instanceof Error ? e.message : String(e) });
        continue;
      }
      served.set(name, { print, defs });
      registry.set(name, kinds);
      changed = true;
    }
    return changed;
  };

  // one pass at a time; events during a pass ask for another
  let running: Promise<void> | undefined;
  let again = false;
  let retryPass: NodeJS.Timeout | undefined;
  const pass = async () => {
    syncServed();
    let failed = false;
    for (const crd of [...crds.values()]) {
      if (stopped) return;
      try {
        if (crd.metadata.deletionTimestamp !== undefined) {
          if (crd.metadata.finalizers?.includes(CRD_CLEANUP_FINALIZER)) await cleanup(crd);
        } else await reconcileStatus(crd);
      } catch (e) {
        failed = true;
        log?.warn('custom resource definition status', { name: crd.metadata.name, error: e instanceof Error ? e.message : String(e) });
      }
    }
    // a write the store refused (unreachable, failing over) is tried again without waiting for an event
    if (failed && !retryPass) {
      retryPass = setTimeout(() => {
        retryPass = undefined;
        kick();
      }, 1000);
    }
  };
  const kick = () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
  };

  const apply = (evs: StorageEvent[]) => {
    for (const ev of evs) {
      const obj = objectOf(ev.kv) as AnyObject as unknown as CustomResourceDefinition;
      const name = obj.metadata.name ?? '';
      if (ev.type === 'delete') {
        crds.delete(name);
        // a CRD removed without its finalizer's cleanup (deletecollection, a store edit) leaves no objects behind
        if (keepInstances(obj)) continue;
        void ctx.backend
          .list(objectsPrefix(obj))
          .then(async ({ kvs }) => {
            if (crds.has(name)) return;
            for (const kv of kvs) await ctx.backend.delete(kv.key).catch(() => undefined);
          })
          .catch(() => undefined);
      } else crds.set(name, obj);
    }
    kick();
  };

  const first = await ctx.backend.list(store.prefix(undefined));
  apply(first.kvs.map((kv) => ({ type: 'create', kv })));
  let watch: { cancel(): void } | undefined;
  let retry: NodeJS.Timeout | undefined;
  // a list that fails (the store unreachable, an etcd member failing over) is tried again with
  // back-off: a server that gave up would never serve a CRD created through another server
  const relist = (delay: number) => {
    if (stopped) return;
    ctx.backend.list(store.prefix(undefined)).then(
      (r) => {
        if (stopped) return;
        crds.clear();
        apply(r.kvs.map((kv) => ({ type: 'create', kv })));
        startWatch(r.revision);
      },
      (e: unknown) => {
        log?.warn('listing custom resource definitions failed; retrying', { error: e instanceof Error ? e.message : String(e) });
        retry = setTimeout(() => relist(Math.min(delay * 2, 5000)), delay);
      },
    );
  };
  const startWatch = (after: number) => {
    watch = store.watch(undefined, after, apply, (err) => {
      if (stopped) return;
      log?.warn('custom resource definition watch ended; relisting', { error: err.message });
      relist(50);
    });
  };
  startWatch(first.revision);
  await running;
  return {
    stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      if (retryPass) clearTimeout(retryPass);
      watch?.cancel();
    },
  };
}
