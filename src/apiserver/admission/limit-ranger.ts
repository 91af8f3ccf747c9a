// LimitRanger admission, as upstream's plugin: on pod create, the Container items of the
// namespace's LimitRanges default each container's missing requests and limits (recorded in the
// kubernetes.io/limit-ranger annotation), then every item is enforced: a container's or the whole
// pod's requests and limits within min and max and under maxLimitRequestRatio, a claim's storage
// request within min and max (on create and update). A violation is a 403 with upstream's messages.

import type { Container, LimitRange, LimitRangeItem, PersistentVolumeClaim, Pod } from '../../api/gen/types.js';
import { limitRangeKind } from '../../api/kinds/core/limit-range.js';
import { podQOSClass } from '../../api/kinds/core/pod/qos.js';
import type { AnyObject } from '../../api/object.js';
import { podResources } from '../../api/quota/pod-resources.js';
import type { ResourceList } from '../../api/quota/resource-list.js';
import type { Unvalidated } from '../../api/unvalidated.js';
import { formatQuantity, isQuantity, toMilli } from '../../base/quantity.js';
import type { Backend, KeyValue } from '../../storage/backend.js';
import { decodeStored } from '../registry/codec.js';
import { listPrefix } from '../registry/keys.js';
import { admissionReads } from './lookups.js';
import type { AdmissionPlugin, AdmissionRequest } from './plugin.js';
import { admissionForbidden } from './resource-quota.js';

const LIMIT_RANGER_PLUGIN = 'LimitRanger';
const ANNOTATION = 'kubernetes.io/limit-ranger';

type Item = Unvalidated<LimitRangeItem>;
type Quantities = Record<string, string | number>;

const q = (v: string | number) => formatQuantity(String(v));
/** Whole milli-units (or whole units past what milli can hold), as upstream compares them. */
const milli = (v: string | number | undefined) => (v === undefined || !isQuantity(String(v)) ? 0 : toMilli(String(v)));
const sorted = (m: Quantities | undefined) => Object.keys(m ?? {}).sort();

function minConstraint(type: string, name: string, enforced: string | number, req: Quantities, lim: Quantities): string | undefined {
  const r = req[name];
  const l = lim[name];
  if (r === undefined) return `minimum ${name} usage per ${type} is ${q(enforced)}.  No request is specified`;
  if (milli(r) < milli(enforced)) return `minimum ${name} usage per ${type} is ${q(enforced)}, but request is ${q(r)}`;
  if (l !== undefined && milli(l) < milli(enforced)) return `minimum ${name} usage per ${type} is ${q(enforced)}, but limit is ${q(l)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: string | number, req: Quantities, lim: Quantities): string | undefined {
  const r = req[name];
  const l = lim[name];
  if (l === undefined) return `maximum ${name} usage per ${type} is ${q(enforced)}.  No limit is specified`;
  if (milli(l) > milli(enforced)) return `maximum ${name} usage per ${type} is ${q(enforced)}, but limit is ${q(l)}`;
  if (r !== undefined && milli(r) > milli(enforced)) return `maximum ${name} usage per ${type} is ${q(enforced)}, but request is ${q(r)}`;
  return undefined;
}

/** A claim's max is held against its request (claims have no limits). */
function maxRequestConstraint(type: string, name: string, enforced: string | number, req: Quantities): string | undefined {
  const r = req[name];
  if (r === undefined) return `maximum ${name} usage per ${type} is ${q(enforced)}.  No request is specified`;
  if (milli(r) > milli(enforced)) return `maximum ${name} usage per ${type} is ${q(enforced)}, but request is ${q(r)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: string | number, req: Quantities, lim: Quantities): string | undefined {
  const r = milli(req[name]);
  const l = milli(lim[name]);
  const e = q(enforced);
  if (req[name] === undefined || r === 0)
    return `${name} max limit to request ratio per ${type} is ${e}, but no request is specified or request is 0`;
  if (lim[name] === undefined || l === 0)
    return `${name} max limit to request ratio per ${type} is ${e}, but no limit is specified or limit is 0`;
  const ratio = l / r;
  if (ratio * 1000 > milli(enforced))
    return `${name} max limit to request ratio per ${type} is ${e}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

/** The min, max and ratio checks of one item against one set of requests and limits. */
function checkItem(item: Item, type: string, req: Quantities, lim: Quantities): string[] {
  const out: (string | undefined)[] = [];
  for (const k of sorted(item.min)) out.push(minConstraint(type, k, item.min?.[k] ?? 0, req, lim));
  for (const k of sorted(item.max)) out.push(maxConstraint(type, k, item.max?.[k] ?? 0, req, lim));
  for (const k of sorted(item.maxLimitRequestRatio)) out.push(ratioConstraint(type, k, item.maxLimitRequestRatio?.[k] ?? 0, req, lim));
  return out.filter((m): m is string => m !== undefined);
}

/** Fills a container's missing limits, then requests, from the defaults; answers the annotation parts. */
function defaultContainer(c: Unvalidated<Container>, defaults: { limits: ResourceList; requests: ResourceList }, prefix: string): string[] {
  const res = (c.resources ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(defaults.limits)) {
    const lim: Quantities = (res.limits ??= {});
    if (lim[k] === undefined) {
      lim[k] = v;
      setLimits.push(k);
    }
  }
  for (const [k, v] of Object.entries(defaults.requests)) {
    const req: Quantities = (res.requests ??= {});
    if (req[k] === undefined) {
      req[k] = v;
      setRequests.push(k);
    }
  }
  const parts: string[] = [];
  if (setRequests.length) parts.push(`${setRequests.sort().join(', ')} request for ${prefix} ${c.name ?? ''}`);
  if (setLimits.length) parts.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${c.name ?? ''}`);
  return parts;
}

/** Applies the Container defaults of `ranges` to the pod; true when it changed. */
export function applyLimitRangeDefaults(pod: Unvalidated<Pod>, ranges: readonly LimitRange[]): boolean {
  const spec = pod.spec;
  if (!spec) return false;
  const parts: string[] = [];
  for (const lr of ranges) {
    const defaults = { limits: {} as ResourceList, requests: {} as ResourceList };
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'Container') continue;
      for (const [k, v] of Object.entries(item.defaultRequest ?? {})) defaults.requests[k] = String(v);
      for (const [k, v] of Object.entries(item.default ?? {})) defaults.limits[k] = String(v);
    }
    if (!Object.keys(defaults.limits).length && !Object.keys(defaults.requests).length) continue;
    for (const c of spec.containers ?? []) parts.push(...defaultContainer(c, defaults, 'container'));
    for (const c of spec.initContainers ?? []) parts.push(...defaultContainer(c, defaults, 'init container'));
  }
  if (parts.length === 0) return false;
  const meta = (pod.metadata ??= {});
  meta.annotations = { ...(meta.annotations ?? {}), [ANNOTATION]: `LimitRanger plugin set: ${parts.join('; ')}` };
  // the QoS class was computed before admission added requests and limits
  if (pod.status) pod.status.qosClass = podQOSClass(spec);
  return true;
}

/** Every violation of `ranges` by the pod, in upstream's words. */
export function podLimitViolations(pod: Unvalidated<Pod>, ranges: readonly LimitRange[]): string[] {
  const errs: string[] = [];
  const spec = pod.spec ?? {};
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type === 'Container') {
        for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
          errs.push(...checkItem(item, 'Container', c.resources?.requests ?? {}, c.resources?.limits ?? {}));
        }
      } else if (item.type === 'Pod') {
        errs.push(
          ...checkItem(item, 'Pod', podResources(pod, 'requests', { overhead: false }), podResources(pod, 'limits', { overhead: false })),
        );
      }
    }
  }
  return errs;
}

/** Every violation of `ranges` by the claim's storage request. */
export function claimLimitViolations(pvc: Unvalidated<PersistentVolumeClaim>, ranges: readonly LimitRange[]): string[] {
  const errs: (string | undefined)[] = [];
  const req: Quantities = pvc.spec?.resources?.requests ?? {};
  for (const lr of ranges) {
    for (const item of lr.spec?.limits ?? []) {
      if (item.type !== 'PersistentVolumeClaim') continue;
      for (const k of sorted(item.min)) errs.push(minConstraint('PersistentVolumeClaim', k, item.min?.[k] ?? 0, req, {}));
      for (const k of sorted(item.max)) errs.push(maxRequestConstraint('PersistentVolumeClaim', k, item.max?.[k] ?? 0, req));
    }
  }
  return errs.filter((m): m is string => m !== undefined);
}

/** Upstream's aggregate error text: one message alone, several in brackets; repeats once. */
export function aggregate(msgs: readonly string[]): string {
  const unique = [...new Set(msgs)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}

export function createLimitRanger(backend: Backend): AdmissionPlugin {
  const reads = admissionReads(backend);
  // each stored version decoded once (every pod create reads them, twice)
  const decoded = new WeakMap<KeyValue, LimitRange>();
  const decode = (kv: KeyValue): LimitRange => {
    let lr = decoded.get(kv);
    if (!lr) decoded.set(kv, (lr = decodeStored<LimitRange>(kv.value, kv.modRevision)));
    return lr;
  };
  const read = async (ns: string): Promise<LimitRange[]> => (await reads.list(listPrefix(limitRangeKind, ns))).map(decode);
  const isPodCreate = (r: AdmissionRequest) =>
    r.kind.group === '' && r.kind.plural === 'pods' && r.operation === 'CREATE' && r.subresource === undefined;
  const isClaimWrite = (r: AdmissionRequest) =>
    r.kind.group === '' && r.kind.plural === 'persistentvolumeclaims' && r.operation !== 'DELETE' && r.subresource === undefined;
  const nsOf = (r: AdmissionRequest, obj: AnyObject) => r.namespace ?? obj.metadata.namespace ?? '';
  return {
    name: LIMIT_RANGER_PLUGIN,
    async mutate(r) {
      if (!isPodCreate(r) || !r.object) return false;
      const ranges = await read(nsOf(r, r.object));
      return ranges.length > 0 && applyLimitRangeDefaults(r.object as unknown as Pod, ranges);
    },
    async validate(r) {
      if (!r.object || !(isPodCreate(r) || isClaimWrite(r))) return;
      const ranges = await read(nsOf(r, r.object));
      if (ranges.length === 0) return;
      const errs = isPodCreate(r)
        ? podLimitViolations(r.object as unknown as Pod, ranges)
        : claimLimitViolations(r.object as unknown as PersistentVolumeClaim, ranges);
      if (errs.length) throw admissionForbidden(r.kind, r.name, aggregate(errs));
    },
  };
}
