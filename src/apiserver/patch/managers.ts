// The managedFields list as a working set: decoding entries into field sets, identities (one
// Apply entry per manager+subresource, one Update entry per manager+apiVersion+subresource),
// upstream's sort order, and encoding back to the wire form.

import { badRequest } from '../../base/errors.js';
import type { JsonObject, ManagedFieldsEntry } from '../../api/object.js';
import { FieldSet } from './field-set.js';
import { isObject } from './shape.js';

export interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion?: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
  /** The entry's fieldsV1 as it came, when it is exactly what encoding `decoded` gives: reused while `set` is still `decoded`. */
  raw?: { decoded: FieldSet; fieldsV1: JsonObject };
}

// Decoded FieldsV1 by their JSON text. The entries of objects stamped from one template (every pod
// of a ReplicaSet, the scheduler's binding, a kubelet's status) are the same text, and every write
// of an object decodes all of them: a hit skips the walk and, when the text is canonical, the
// re-encoding of an entry whose set the write leaves alone. FieldSets are never changed in place
// once built, so one instance serves every object.
const DECODED_MAX = 1024;
const DECODED_TEXT_MAX = 32_768;
const decoded = new Map<string, { set: FieldSet; canonical: boolean }>();

function decodeFieldsV1(v: JsonObject, where: string): { set: FieldSet; canonical: boolean } {
  const text = JSON.stringify(v);
  const hit = decoded.get(text);
  if (hit) return hit;
  const set = FieldSet.fromFieldsV1(v, where);
  const made = { set, canonical: JSON.stringify(set.toFieldsV1()) === text };
  if (text.length <= DECODED_TEXT_MAX) {
    if (decoded.size >= DECODED_MAX) decoded.delete(decoded.keys().next().value as string);
    decoded.set(text, made);
  }
  return made;
}

export function managerId(
  manager: string,
  operation: 'Apply' | 'Update',
  apiVersion: string | undefined,
  subresource: string | undefined,
): string {
  return JSON.stringify([manager, operation, operation === 'Apply' ? '' : (apiVersion ?? ''), subresource ?? '']);
}

export const idOf = (m: Manager): string => managerId(m.manager, m.operation, m.apiVersion, m.subresource);

/** How a manager is named in conflict messages: `"kubectl"` or `"kube-controller-manager" using apps/v1`. */
export function printManager(m: Manager): string {
  const name = JSON.stringify(m.manager);
  return m.operation === 'Update' ? `${name} using ${m.apiVersion ?? ''}` : name;
}

/** Decodes `metadata.managedFields`; malformed entries are a 400 naming the entry. */
export function decodeManagers(list: unknown): Map<string, Manager> {
  const out = new Map<string, Manager>();
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw badRequest('metadata.managedFields: must be a list');
  list.forEach((raw: unknown, i) => {
    const where = `metadata.managedFields[${i}]`;
    if (!isObject(raw as JsonObject)) throw badRequest(`${where}: must be an object`);
    const e = raw as Record<string, unknown>;
    if (typeof e['manager'] !== 'string') throw badRequest(`${where}.manager: must be a string`);
    if (e['operation'] !== 'Apply' && e['operation'] !== 'Update') throw badRequest(`${where}.operation: must be Apply or Update`);
    if (e['fieldsType'] !== undefined && e['fieldsType'] !== 'FieldsV1') throw badRequest(`${where}.fieldsType: must be FieldsV1`);
    const fv = e['fieldsV1'] as JsonObject | undefined;
    const d = fv === undefined ? undefined : decodeFieldsV1(fv, `${where}.fieldsV1`);
    const m: Manager = { manager: e['manager'], operation: e['operation'], set: d ? d.set : new FieldSet() };
    if (d?.canonical && fv) m.raw = { decoded: d.set, fieldsV1: fv };
    if (typeof e['apiVersion'] === 'string') m.apiVersion = e['apiVersion'];
    if (typeof e['subresource'] === 'string' && e['subresource'] !== '') m.subresource = e['subresource'];
    if (typeof e['time'] === 'string') m.time = e['time'];
    const id = idOf(m);
    const prev = out.get(id);
    if (prev) prev.set = prev.set.union(m.set);
    else out.set(id, m);
  });
  return out;
}

/** Like decodeManagers, but an unreadable list counts as empty (stored objects must not wedge writes). */
export function decodeManagersLenient(list: unknown): Map<string, Manager> {
  try {
    return decodeManagers(list);
  } catch {
    return new Map();
  }
}

/** Wire form, without empty entries, sorted Apply before Update, then by time, manager, apiVersion, subresource. */
export function encodeManagers(managers: Iterable<Manager>): ManagedFieldsEntry[] {
  const list = [...managers].filter((m) => !m.set.isEmpty());
  const secs = (t: string | undefined) => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  list.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      secs(p.time) - secs(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion ?? '', q.apiVersion ?? '') ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return list.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation };
    if (m.apiVersion !== undefined) e.apiVersion = m.apiVersion;
    if (m.time !== undefined) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.raw?.decoded === m.set ? m.raw.fieldsV1 : m.set.toFieldsV1();
    if (m.subresource !== undefined) e.subresource = m.subresource;
    return e;
  });
}
