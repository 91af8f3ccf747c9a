// Building blocks for server-side printing (kubectl get): column definitions and cell formats.

import { humanDuration } from '../../../base/duration.js';
import type { ColumnDefinition } from '../../kind.js';
import type { KubeObject } from '../../object.js';

export function col(name: string, type: ColumnDefinition['type'], description: string, priority: 0 | 1 = 0): ColumnDefinition {
  return { name, type, format: '', description, priority };
}

export const nameColumn: ColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name of the object, unique within its namespace.',
  priority: 0,
};
export const ageColumn: ColumnDefinition = col('Age', 'string', 'Time since the object was created.');
export const containersColumn = col('Containers', 'string', 'Names of the containers in the pod template.', 1);
export const imagesColumn = col('Images', 'string', 'Images used by the containers in the pod template.', 1);
export const selectorColumn = col('Selector', 'string', 'Label query selecting the pods.', 1);

/** Age of a timestamp at `now`, `<unknown>` when absent or unparsable. */
export function since(ts: string | undefined | null, now: number): string {
  if (!ts) return '<unknown>';
  const t = Date.parse(ts);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

export const age = (obj: KubeObject, now: number): string => since(obj.metadata.creationTimestamp, now);

/** `a=1,b=2` with sorted keys, `<none>` when empty. */
export function formatLabels(m: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(m ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${m?.[k] ?? ''}`).join(',');
}

/** Container names and images joined with commas. */
export function containerCells(containers: ReadonlyArray<{ name?: string; image?: string }> | undefined): [string, string] {
  const cs = containers ?? [];
  return [cs.map((c) => c.name ?? '').join(','), cs.map((c) => c.image ?? '').join(',')];
}

/** `a,b,c + 2 more...` for lists longer than `max`; `<unset>`-style empty text given by the caller. */
export function listWithMore(items: readonly string[], total: number, max: number, empty: string): string {
  const text = items.slice(0, max).join(',');
  if (total > max) return `${text} + ${total - max} more...`;
  return text === '' ? empty : text;
}
