// Server-side printing: meta.k8s.io/v1 Table responses built from a kind's TableDef.

import type { KindDef } from '../../api/kind.js';
import type { AnyObject } from '../../api/object.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObjectOf(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function rowObject(kind: KindDef, obj: AnyObject, inc: IncludeObject): unknown {
  if (inc === 'None') return undefined;
  if (inc === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export function tableRow(kind: KindDef, obj: AnyObject, inc: IncludeObject, now: number): Record<string, unknown> {
  let cells: unknown[];
  try {
    cells = kind.table.row(obj, now);
  } catch {
    // a printer must never fail a whole list: show what we can
    cells = kind.table.columns.map((c, i) => (i === 0 ? (obj.metadata.name ?? '') : c.type === 'string' ? '<unknown>' : 0));
  }
  const row: Record<string, unknown> = { cells };
  const o = rowObject(kind, obj, inc);
  if (o !== undefined) row['object'] = o;
  return row;
}

export function buildTable(
  kind: KindDef,
  objects: readonly AnyObject[],
  inc: IncludeObject,
  now: number,
  meta: { resourceVersion?: string; continue?: string },
  withColumns = true,
): Record<string, unknown> {
  const t: Record<string, unknown> = {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: meta,
    columnDefinitions: withColumns ? kind.table.columns : [],
    rows: objects.map((o) => tableRow(kind, o, inc, now)),
  };
  return t;
}
