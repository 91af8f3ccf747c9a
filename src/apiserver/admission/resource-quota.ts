// ResourceQuota admission, as upstream's plugin: a create (or an update of a Service or a claim,
// charged what it adds) that counts against a quota of its namespace (its evaluator tracks some of the quota's status.hard and the quota's scopes match it)
// is refused with 403 when it would take usage over a hard limit, when a pod leaves out a cpu or
// memory figure the quota constrains, or when the quota controller has not yet reported usage for
// what it constrains. Otherwise the usage is charged at once: status.used is written with a
// compare-and-swap on the quota's revision, so parallel creates cannot both take the last unit
// (the quota controller later recounts from the objects). Creates in one namespace are evaluated
// one at a time in this process, so they do not fight over the revision; a conflict with another
// writer (the controller) re-reads the quotas and evaluates again.

import type { ResourceQuota } from '../../api/gen/types.js';
import type { KindDef } from '../../api/kind.js';
import { resourceQuotaKind } from '../../api/kinds/core/resource-quota.js';
import type { AnyObject } from '../../api/object.js';
import { evaluatorFor, quotaMatches } from '../../api/quota/evaluators.js';
import { addLists, exceeded, formatList, maskList, type ResourceList } from '../../api/quota/resource-list.js';
import { forbidden, type StatusError } from '../../base/errors.js';
import { addQuantities, formatQuantity } from '../../base/quantity.js';
import { ConflictError, type Backend, type KeyValue } from '../../storage/backend.js';
import { decodeStored, encodeForStorage } from '../registry/codec.js';
import { listPrefix } from '../registry/keys.js';
import { admissionReads } from './lookups.js';
import type { AdmissionPlugin, AdmissionRequest } from './plugin.js';

const RESOURCE_QUOTA_PLUGIN = 'ResourceQuota';
const MAX_ATTEMPTS = 10;

interface StoredQuota {
  kv: KeyValue;
  quota: ResourceQuota;
}

const asList = (l: Record<string, string | number> | undefined): ResourceList =>
  Object.fromEntries(Object.entries(l ?? {}).map(([k, v]) => [k, String(v)]));

/** `pods "web-1" is forbidden: …`, with the group for non-core resources as upstream's GroupResource prints it. */
export function admissionForbidden(kind: KindDef, name: string, why: string): StatusError {
  const resource = kind.group ? `${kind.plural}.${kind.group}` : kind.plural;
  return forbidden(`${resource} "${name}" is forbidden: ${why}`);
}

/** What `next` uses beyond `prev`, resource by resource (never negative; unchanged resources drop out). */
function growth(next: ResourceList, prev: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(next)) {
    const before = prev[k];
    if (before === undefined) out[k] = v;
    else if (exceeded({ [k]: v }, { [k]: before }).length) out[k] = formatQuantity(addQuantities(v, `-${formatQuantity(before)}`));
  }
  return out;
}

/** Updates upstream charges: a Service (its type decides node ports and load balancers) and a claim (expansion). */
const CHARGED_ON_UPDATE = new Set(['services', 'persistentvolumeclaims']);

/** A quota to charge: its stored pair and the usage it would have after the create. */
interface Charge {
  stored: StoredQuota;
  used: ResourceList;
}

/**
 * What the create costs each quota, or a refusal. `charged` names quotas already charged by an
 * earlier attempt (a conflict on a later quota does not charge the earlier ones twice).
 */
function evaluate(
  r: AdmissionRequest,
  obj: AnyObject,
  quotas: readonly StoredQuota[],
  charged: ReadonlySet<string>,
  now: number,
): Charge[] {
  const ev = evaluatorFor(r.kind.group, r.kind.plural);
  const interesting: StoredQuota[] = [];
  for (const s of quotas) {
    const hardNames = Object.keys(s.quota.status?.hard ?? {});
    if (!quotaMatches(s.quota, ev, hardNames, obj)) continue;
    const restricted = ev.matchingResources(hardNames);
    const missing = ev.constraints?.(restricted, obj);
    if (missing) throw admissionForbidden(r.kind, r.name, `failed quota: ${s.quota.metadata.name ?? ''}: ${missing}`);
    const used = s.quota.status?.used ?? {};
    const unknown = restricted.filter((n) => used[n] === undefined);
    if (unknown.length)
      throw admissionForbidden(
        r.kind,
        r.name,
        `status unknown for quota: ${s.quota.metadata.name ?? ''}, resources: ${[...unknown].sort().join(',')}`,
      );
    interesting.push(s);
  }
  if (interesting.length === 0) return [];
  let delta = ev.usage(obj, now);
  // an update is charged only what it adds (a Service turning NodePort, a claim growing)
  if (r.oldObject) delta = growth(delta, ev.usage(r.oldObject, now));
  const out: Charge[] = [];
  for (const s of interesting) {
    const hard = asList(s.quota.status?.hard);
    const used = asList(s.quota.status?.used);
    const requested = maskList(delta, Object.keys(hard));
    if (Object.keys(requested).length === 0) continue;
    const next = addLists(used, requested);
    const over = exceeded(maskList(next, Object.keys(requested)), hard);
    if (over.length) {
      throw admissionForbidden(
        r.kind,
        r.name,
        `exceeded quota: ${s.quota.metadata.name ?? ''}, requested: ${formatList(maskList(requested, over))}, used: ${formatList(
          maskList(used, over),
        )}, limited: ${formatList(maskList(hard, over))}`,
      );
    }
    if (!charged.has(s.quota.metadata.name ?? '')) out.push({ stored: s, used: next });
  }
  return out;
}

export interface ResourceQuotaAdmissionOptions {
  backend: Backend;
  now?: () => number;
}

export function createResourceQuotaAdmission(o: ResourceQuotaAdmissionOptions): AdmissionPlugin {
  const { backend } = o;
  const now = o.now ?? Date.now;
  /** the tail of each namespace's chain of evaluations */
  const lanes = new Map<string, Promise<unknown>>();

  const reads = admissionReads(backend);
  // the first attempt reads the cache; one that lost its compare-and-swap (the cache was behind) reads live
  const readQuotas = async (ns: string, live: boolean): Promise<StoredQuota[]> => {
    const dir = listPrefix(resourceQuotaKind, ns);
    const kvs = live ? await reads.listLive(dir) : await reads.list(dir);
    return kvs.map((kv) => ({ kv, quota: decodeStored<ResourceQuota>(kv.value, kv.modRevision) }));
  };

  const admit = async (r: AdmissionRequest, obj: AnyObject, ns: string) => {
    const charged = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      const quotas = await readQuotas(ns, attempt > 1);
      if (quotas.length === 0) return;
      const charges = evaluate(r, obj, quotas, charged, now());
      if (r.dryRun) return;
      try {
        for (const c of charges) {
          const quota = structuredClone(c.stored.quota);
          quota.status = { ...(quota.status ?? {}), used: c.used };
          await backend.update(c.stored.kv.key, encodeForStorage(quota as unknown as AnyObject), c.stored.kv.modRevision);
          charged.add(quota.metadata.name ?? '');
        }
        return;
      } catch (e) {
        if (!(e instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw e;
      }
    }
  };

  return {
    name: RESOURCE_QUOTA_PLUGIN,
    async validate(r) {
      // upstream charges creates, and updates of Services and claims (pod resizes Tandem does not have)
      if (r.subresource !== undefined || !r.object || !r.kind.namespaced) return;
      if (r.operation !== 'CREATE' && !(r.operation === 'UPDATE' && r.kind.group === '' && CHARGED_ON_UPDATE.has(r.kind.plural))) return;
      const ns = r.namespace ?? r.object.metadata.namespace ?? '';
      const obj = r.object;
      const prev = lanes.get(ns) ?? Promise.resolve();
      const run = prev.then(
        () => admit(r, obj, ns),
        () => admit(r, obj, ns),
      );
      const tail = run.catch(() => undefined);
      lanes.set(ns, tail);
      void tail.then(() => {
        if (lanes.get(ns) === tail) lanes.delete(ns);
      });
      await run;
    },
  };
}
