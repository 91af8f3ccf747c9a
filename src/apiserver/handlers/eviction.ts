// POST pods/NAME/eviction: a delete that respects the pod's PodDisruptionBudget. The budget's
// status.disruptionsAllowed is spent with a compare-and-swap on the budget (and the pod recorded in
// disruptedPods, so the disruption controller does not count it healthy meanwhile) before the pod is
// deleted; a budget with nothing left answers 429 TooManyRequests, which kubectl drain retries.
// The pod gets upstream's DisruptionTarget condition (EvictionByEvictionAPI) just before it goes.

import type { Pod, PodDisruptionBudget } from '../../api/gen/types.js';
import type { AnyObject } from '../../api/object.js';
import { pdbKind } from '../../api/kinds/policy/pdb.js';
import { badRequest, StatusError } from '../../base/errors.js';
import { decodeBody, mediaKindOf, readBody, requireObject } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import { rfc3339Now } from '../registry/prepare.js';
import { decodeStored } from '../registry/codec.js';
import { listPrefix } from '../registry/keys.js';
import { NoChange } from '../registry/resource-store.js';
import { writeOptions } from './options.js';
import { deleteOne } from './delete.js';
import type { RequestScope } from './context.js';
import {
  canIgnorePdb,
  checkAndDecrement,
  matchingPdbs,
  MULTIPLE_PDBS,
  shouldEnforceResourceVersion,
  stillProcessing,
  unhealthyMayGo,
} from './eviction-decide.js';

type Rec = Record<string, unknown>;
type DeleteOpts = Parameters<typeof deleteOne>[2];

/** deleteOptions.dryRun (kubectl drain --dry-run=server sends it there rather than in the query). */
function bodyDryRun(body: Rec): boolean {
  const d = ((body['deleteOptions'] ?? {}) as Rec)['dryRun'];
  if (d === undefined || d === null) return false;
  if (!Array.isArray(d)) throw badRequest('deleteOptions.dryRun: must be a list of strings');
  for (const v of d) {
    if (v !== 'All')
      throw badRequest(`Invalid dry run value: deleteOptions.dryRun: Unsupported value: ${JSON.stringify(v)}: supported values: "All"`);
  }
  return d.length > 0;
}

function readEvictionOptions(name: string, body: Rec): DeleteOpts {
  const meta = (body['metadata'] ?? {}) as Rec;
  if (meta['name'] !== undefined && meta['name'] !== name) throw badRequest(`name in URL does not match name in Eviction object`);
  const del = body['deleteOptions'];
  if (del !== undefined && del !== null && (typeof del !== 'object' || Array.isArray(del))) {
    throw badRequest('deleteOptions: must be a DeleteOptions object');
  }
  const d = (del ?? {}) as Rec;
  const o: DeleteOpts = {};
  const grace = d['gracePeriodSeconds'];
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== 'number' || !Number.isInteger(grace)) throw badRequest(`deleteOptions.gracePeriodSeconds: must be an integer`);
    o.gracePeriodSeconds = Math.max(0, grace);
  }
  const pre = d['preconditions'];
  if (pre && typeof pre === 'object') o.preconditions = pre as DeleteOpts['preconditions'];
  return o;
}

const isConflict = (e: unknown) => e instanceof StatusError && e.code === 409;

/** The DisruptionTarget condition upstream writes on a pod the Eviction API is about to delete; returns its new resourceVersion. */
async function markDisruptionTarget(s: RequestScope, name: string, expectedRV: string | undefined): Promise<string | undefined> {
  const now = rfc3339Now(s.ctx.now());
  const { obj } = await s.ctx.store(s.kind).guaranteedUpdate(
    s.info.namespace,
    name,
    (cur) => {
      const status = (cur['status'] ?? {}) as Rec;
      const conds = (status['conditions'] as Rec[] | undefined) ?? [];
      const old = conds.find((c) => c['type'] === 'DisruptionTarget');
      if (old && old['status'] === 'True' && old['reason'] === 'EvictionByEvictionAPI') throw new NoChange();
      const cond = {
        type: 'DisruptionTarget',
        status: 'True',
        reason: 'EvictionByEvictionAPI',
        message: 'Eviction API: evicting',
        lastProbeTime: null,
        lastTransitionTime: now,
      };
      status['conditions'] = [...conds.filter((c) => c['type'] !== 'DisruptionTarget'), cond];
      cur['status'] = status;
      return cur;
    },
    { dryRun: false, expectedRV },
  );
  return obj.metadata.resourceVersion;
}

async function podPdbs(s: RequestScope, pod: Pod): Promise<PodDisruptionBudget[]> {
  const res = await s.ctx.backend.list(listPrefix(pdbKind, pod.metadata.namespace ?? ''));
  return matchingPdbs(
    pod,
    res.kvs.map((kv) => decodeStored<PodDisruptionBudget>(kv.value, kv.modRevision)),
  );
}

export async function handleEviction(s: RequestScope): Promise<void> {
  const name = s.info.name!;
  const body = requireObject(decodeBody(await readBody(s.req), mediaKindOf(s.req.headers['content-type'])));
  const dryRun = writeOptions(s.query).dryRun || bodyDryRun(body);
  const opts = readEvictionOptions(name, body);
  const userPinned = opts.preconditions?.resourceVersion !== undefined && opts.preconditions.resourceVersion !== '';
  const podStore = s.ctx.store(s.kind);
  const pod = (await podStore.get(s.info.namespace, name)).obj as unknown as Pod;
  let pin = false;
  let pdbName = '';
  if (!canIgnorePdb(pod)) {
    const pdbs = await podPdbs(s, pod);
    if (pdbs.length > 1) {
      sendJson(s.res, 500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: MULTIPLE_PDBS, code: 500 });
      return;
    }
    const pdb = pdbs[0];
    pdbName = pdb?.metadata.name ?? '';
    if (pdb && unhealthyMayGo(pod, pdb)) pin = true;
    else if (pdb) {
      const now = rfc3339Now(s.ctx.now());
      const spend = (cur: AnyObject) => checkAndDecrement(cur as unknown as PodDisruptionBudget, name, now, dryRun) as unknown as AnyObject;
      await s.ctx.store(pdbKind).guaranteedUpdate(pdb.metadata.namespace, pdbName, spend, { dryRun });
    }
  } else pin = shouldEnforceResourceVersion(pod);
  const o: DeleteOpts = { ...opts };
  // the version the decision was made on (or the caller's own precondition): the pod must not have
  // changed since (a pod that turned ready must be looked at again)
  const decidedOn = userPinned ? opts.preconditions?.resourceVersion : pin ? pod.metadata.resourceVersion : undefined;
  const raced = (e: unknown) => (isConflict(e) && pin && !userPinned ? stillProcessing(pdbName) : e);
  let rv = decidedOn;
  if (!dryRun && pod.metadata.deletionTimestamp == null && (decidedOn === undefined || decidedOn === pod.metadata.resourceVersion)) {
    try {
      rv = (await markDisruptionTarget(s, name, decidedOn)) ?? rv;
    } catch (e) {
      throw raced(e);
    }
    // a precondition of the caller's that held now names the version the condition write made
  }
  if (decidedOn !== undefined && rv !== undefined) o.preconditions = { ...o.preconditions, resourceVersion: rv };
  try {
    await deleteOne(s, name, o, dryRun);
  } catch (e) {
    throw raced(e);
  }
  sendJson(s.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
