// DELETE and DELETE-collection: preconditions, grace periods, propagation finalizers.

import type { AnyObject } from '../../api/object.js';
import { badRequest, conflict } from '../../base/errors.js';
import { queryBoolOrUndefined } from '../../base/query-bool.js';
import { decodeBody, mediaKindOf, readBody } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import { rfc3339Now } from '../registry/prepare.js';
import { NoChange } from '../registry/resource-store.js';
import { writeOptions } from './options.js';
import type { RequestScope } from './context.js';
import { listObjects } from './list.js';
import { admitWithPlugins } from './run-admission.js';

type Rec = Record<string, unknown>;
type Propagation = 'Orphan' | 'Background' | 'Foreground';

interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: Propagation;
  preconditions?: { uid?: string; resourceVersion?: string };
}

async function readDeleteOptions(s: RequestScope): Promise<DeleteOptions> {
  const buf = await readBody(s.req);
  let o: Rec = {};
  if (buf.length > 0) {
    const v = decodeBody(buf, mediaKindOf(s.req.headers['content-type']));
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) o = v as Rec;
    else throw badRequest('the body of a DELETE must be a DeleteOptions object');
  }
  const q = s.query;
  const out: DeleteOptions = {};
  const g = q.get('gracePeriodSeconds') ?? o['gracePeriodSeconds'];
  if (g !== undefined && g !== null) {
    const n = Number(g);
    if (!Number.isInteger(n)) throw badRequest(`gracePeriodSeconds: Invalid value: ${JSON.stringify(g)}: must be an integer`);
    out.gracePeriodSeconds = Math.max(0, n);
  }
  const p = q.get('propagationPolicy') ?? o['propagationPolicy'];
  const orphan = queryBoolOrUndefined(q, 'orphanDependents') ?? o['orphanDependents'];
  if (p !== undefined && p !== null) {
    if (p !== 'Orphan' && p !== 'Background' && p !== 'Foreground') {
      throw badRequest(`propagationPolicy: Unsupported value: "${String(p)}": supported values: "Foreground", "Background", "Orphan"`);
    }
    if (orphan !== undefined && orphan !== null) throw badRequest('orphanDependents and propagationPolicy cannot be both set');
    out.propagationPolicy = p;
  } else if (orphan === true) out.propagationPolicy = 'Orphan';
  const pre = o['preconditions'];
  if (pre && typeof pre === 'object') out.preconditions = pre as DeleteOptions['preconditions'];
  return out;
}

/** Removes an object whose finalizers are all gone; returns what was removed. */
export async function finishDeletion(s: RequestScope, obj: AnyObject, dryRun: boolean): Promise<AnyObject | undefined> {
  const rv = Number(obj.metadata.resourceVersion ?? 'NaN');
  const removed = await s.ctx
    .store(s.kind)
    .remove(obj.metadata.namespace, obj.metadata.name ?? '', Number.isFinite(rv) ? rv : undefined, dryRun);
  if (removed && !dryRun) await s.ctx.admission.afterDelete(s.kind, removed);
  return removed;
}

function podGrace(obj: AnyObject, requested: number | undefined): number {
  const spec = (obj['spec'] ?? {}) as Rec;
  const status = (obj['status'] ?? {}) as Rec;
  if (!spec['nodeName']) return 0; // never scheduled: nothing to stop
  if (status['phase'] === 'Succeeded' || status['phase'] === 'Failed') return 0;
  const g = requested ?? (spec['terminationGracePeriodSeconds'] as number | undefined) ?? 30;
  return g;
}

/** Deletes one object; returns [http code, body]. */
export async function deleteOne(
  s: RequestScope,
  name: string,
  o: DeleteOptions,
  dryRun: boolean,
): Promise<[number, AnyObject | undefined]> {
  const kind = s.kind;
  const store = s.ctx.store(kind);
  const isPod = kind.group === '' && kind.kind === 'Pod';
  const isNamespace = kind.group === '' && kind.kind === 'Namespace';
  let removeNow = false;
  const { obj } = await store.guaranteedUpdate(
    s.info.namespace,
    name,
    async (cur) => {
      await admitWithPlugins(s, 'DELETE', undefined, cur, dryRun, undefined);
      const m = cur.metadata;
      if (o.preconditions?.uid && o.preconditions.uid !== m.uid) {
        throw conflict(
          store.q,
          name,
          `Precondition failed: UID in precondition: ${o.preconditions.uid}, UID in object meta: ${m.uid ?? ''}`,
        );
      }
      if (o.preconditions?.resourceVersion && o.preconditions.resourceVersion !== m.resourceVersion) {
        throw conflict(
          store.q,
          name,
          `Precondition failed: ResourceVersion in precondition: ${o.preconditions.resourceVersion}, ResourceVersion in object meta: ${m.resourceVersion ?? ''}`,
        );
      }
      const finalizers = new Set(m.finalizers ?? []);
      const policy = o.propagationPolicy;
      if (policy === 'Foreground') {
        finalizers.add('foregroundDeletion');
        finalizers.delete('orphan');
      }
      if (policy === 'Orphan') {
        finalizers.add('orphan');
        finalizers.delete('foregroundDeletion');
      }
      const grace = isPod ? podGrace(cur, o.gracePeriodSeconds) : 0;
      const nsFinalizers = isNamespace ? ((((cur['spec'] ?? {}) as Rec)['finalizers'] as string[] | undefined) ?? []) : [];
      if (finalizers.size === 0 && grace === 0 && nsFinalizers.length === 0) {
        removeNow = true;
        throw new NoChange();
      }
      const now = s.ctx.now();
      if (m.deletionTimestamp === undefined) {
        m.deletionTimestamp = rfc3339Now(now + grace * 1000);
        m.deletionGracePeriodSeconds = grace;
      } else if (isPod && grace < (m.deletionGracePeriodSeconds ?? Infinity)) {
        // a second delete may only shorten the grace period
        m.deletionTimestamp = rfc3339Now(now + grace * 1000);
        m.deletionGracePeriodSeconds = grace;
      }
      if (finalizers.size > 0) m.finalizers = [...finalizers];
      if (isNamespace) ((cur['status'] as Rec | undefined) ?? ((cur['status'] = {}) as Rec))['phase'] = 'Terminating';
      if (isPod && grace === 0 && finalizers.size === 0) {
        removeNow = true;
        throw new NoChange();
      }
      return cur;
    },
    { dryRun },
  );
  if (removeNow) {
    const removed = await finishDeletion(s, obj, dryRun);
    if (!removed) {
      // someone else removed it between our read and delete: report like upstream (NotFound)
      await store.get(s.info.namespace, name);
    }
    return [200, removed ?? obj];
  }
  return [202, obj];
}

export async function handleDelete(s: RequestScope): Promise<void> {
  const name = s.info.name;
  const opts = writeOptions(s.query);
  const o = await readDeleteOptions(s);
  if (name === undefined) {
    const { items } = await listObjects(s, undefined);
    const deleted: AnyObject[] = [];
    for (const it of items) {
      try {
        const [, obj] = await deleteOne(s, it.metadata.name ?? '', o, opts.dryRun);
        if (obj) deleted.push(obj);
      } catch {
        /* already gone */
      }
    }
    sendJson(s.res, 200, {
      apiVersion: s.kind.group ? `${s.kind.group}/${s.kind.version}` : s.kind.version,
      kind: s.kind.listKind,
      metadata: {},
      items: deleted,
    });
    return;
  }
  if (s.info.subresource !== undefined) throw badRequest(`DELETE is not supported on ${s.kind.plural}/${s.info.subresource}`);
  const [code, obj] = await deleteOne(s, name, o, opts.dryRun);
  sendJson(s.res, code, obj);
}
