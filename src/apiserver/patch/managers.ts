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
    const m: Manager = {
      manager: e['manager'],
      operation: e['operation'],
      set: e['fieldsV1'] === undefined ? new FieldSet() : FieldSet.fromFieldsV1(e['fieldsV1'] as JsonObject, `${where}.fieldsV1`),
    };
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
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource !== undefined) e.subresource = m.subresource;
    return e;
  });
}
