// The generic object lifecycle rules that apply to every kind: system-set metadata on create,
// what an update may and may not change, generation tracking, and the status split.

import { randomUUID, randomInt } from 'node:crypto';
import type { KindDef } from '../../api/kind.js';
import type { AnyObject, ObjectMeta } from '../../api/object.js';
import { badRequest } from '../../base/errors.js';
import { initialStatus } from './strategy.js';

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** Upstream appends 5 random characters from a consonant/digit alphabet to generateName. */
function generateNameSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += NAME_CHARS[randomInt(NAME_CHARS.length)];
  return s;
}

// Every write of a second stamps the same text: keep the last one.
let stampSecond = Number.NaN;
let stampText = '';

export function rfc3339Now(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== stampSecond) {
    stampText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
    stampSecond = second;
  }
  return stampText;
}

const apiVersionOf = (k: KindDef) => (k.group ? `${k.group}/${k.version}` : k.version);

/** Checks apiVersion/kind of a body against the endpoint and fills them in when absent. */
export function checkTypeMeta(
  kind: KindDef,
  obj: Record<string, unknown>,
  expectKind = kind.kind,
  expectApiVersion = apiVersionOf(kind),
): void {
  const av = obj['apiVersion'];
  const k = obj['kind'];
  if (av !== undefined && av !== expectApiVersion) {
    throw badRequest(`the API version in the data (${String(av)}) does not match the expected API version (${expectApiVersion})`);
  }
  if (k !== undefined && k !== expectKind) {
    throw badRequest(`the kind in the data (${String(k)}) does not match the expected kind (${expectKind})`);
  }
  obj['apiVersion'] = expectApiVersion;
  obj['kind'] = expectKind;
  const meta = obj['metadata'];
  if (meta === undefined || meta === null) obj['metadata'] = {};
  else if (typeof meta !== 'object' || Array.isArray(meta)) throw badRequest('metadata must be an object');
}

/** Namespace in the body must agree with the URL; cluster-scoped kinds drop it. */
export function settleNamespace(kind: KindDef, meta: ObjectMeta, urlNamespace: string | undefined): void {
  if (!kind.namespaced) {
    delete meta.namespace;
    return;
  }
  if (meta.namespace !== undefined && meta.namespace !== '' && urlNamespace !== undefined && meta.namespace !== urlNamespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (urlNamespace !== undefined) meta.namespace = urlNamespace;
}

/** System fields on create. */
export function prepareCreate(kind: KindDef, obj: AnyObject, now: number): void {
  const m = obj.metadata;
  if (m.resourceVersion !== undefined && m.resourceVersion !== '') {
    throw badRequest('resourceVersion should not be set on objects to be created');
  }
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  if ((!m.name || m.name === '') && m.generateName) m.name = m.generateName + generateNameSuffix();
  m.uid = randomUUID();
  m.creationTimestamp = rfc3339Now(now);
  if (kind.generation) m.generation = 1;
  else delete m.generation;
  if (kind.hasStatus) {
    const st = initialStatus(kind, obj);
    if (st === undefined) delete obj['status'];
    else obj['status'] = st;
  }
}

function specPart(o: AnyObject): string {
  const { metadata: _m, status: _s, ...rest } = o;
  return JSON.stringify(rest);
}

/** Rules for a write to the main resource. `next` is modified in place. */
export function prepareUpdate(kind: KindDef, next: AnyObject, old: AnyObject): void {
  const m = next.metadata;
  const o = old.metadata;
  if (m.name !== undefined && m.name !== o.name) {
    throw badRequest(`the name of the object (${m.name}) does not match the name on the URL (${o.name ?? ''})`);
  }
  m.name = o.name;
  if (o.namespace !== undefined) m.namespace = o.namespace;
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  if (o.deletionTimestamp !== undefined) m.deletionTimestamp = o.deletionTimestamp;
  else delete m.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  if (kind.hasStatus) {
    if (old['status'] !== undefined) next['status'] = old['status'];
    else delete next['status'];
  }
  if (kind.generation) {
    const g = o.generation ?? 1;
    m.generation = specPart(next) !== specPart(old) ? g + 1 : g;
  } else if (o.generation !== undefined) {
    m.generation = o.generation;
  } else {
    delete m.generation;
  }
}

/**
 * Rules for a write to the status subresource: only status (and system metadata) changes. The
 * result shares every member but metadata and status with `old`, which must be the caller's own
 * copy of the stored object (the write path's is): what stays the same is then the same object,
 * which also lets the managed-fields comparison skip it at once.
 */
export function prepareStatusUpdate(next: AnyObject, old: AnyObject): AnyObject {
  const result: AnyObject = { ...old, metadata: { ...old.metadata } };
  if (next['status'] === undefined) delete result['status'];
  else result['status'] = next['status'];
  if (next.metadata.managedFields !== undefined) result.metadata.managedFields = next.metadata.managedFields;
  return result;
}

/**
 * An object whose deletion was requested with no grace period left and which has no finalizers
 * left is removed by the write that clears its last finalizer (as upstream: a pod still within its
 * grace period stays until its node deletes it).
 */
export function readyToRemove(obj: AnyObject): boolean {
  return (
    obj.metadata.deletionTimestamp !== undefined &&
    (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0 &&
    (obj.metadata.finalizers?.length ?? 0) === 0
  );
}
