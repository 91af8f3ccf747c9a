// Table shared by core/v1 Events and events.k8s.io/v1 Events (one storage upstream, one printer).

import type { TableDef } from '../../kind.js';
import type { KubeObject } from '../../object.js';
import { col, nameColumn, since } from './table.js';

/** The printer's view of an event, whichever group it came from. */
export interface EventView {
  name: string;
  type: string;
  reason: string;
  message: string;
  object: { kind: string; name: string; fieldPath: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  count?: number;
  series?: { count?: number; lastObservedTime?: string | null };
  sourceComponent: string;
  sourceHost: string;
  reportingController: string;
  reportingInstance: string;
}

function eventRow(e: EventView, now: number): unknown[] {
  const first = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
  let last = e.lastTimestamp ? since(e.lastTimestamp, now) : first;
  let count = e.count ?? 0;
  if (e.series) {
    last = since(e.series.lastObservedTime, now);
    count = e.series.count ?? 0;
  } else if (count === 0) {
    count = 1;
  }
  const kind = e.object.kind.toLowerCase();
  const target = e.object.name ? `${kind}/${e.object.name}` : kind;
  const component = e.sourceComponent || e.reportingController;
  const instance = e.sourceHost || e.reportingInstance;
  const source = instance ? `${component}, ${instance}` : component;
  return [last, e.type, e.reason, target, e.object.fieldPath, source, e.message.trim(), first, count, e.name];
}

export function eventTable<T extends KubeObject>(view: (obj: T) => EventView): TableDef<T> {
  return {
    columns: [
      col('Last Seen', 'string', 'Time since the event was last observed.'),
      col('Type', 'string', 'Normal or Warning.'),
      col('Reason', 'string', 'Short machine-readable reason.'),
      col('Object', 'string', 'The object the event is about.'),
      col('Subobject', 'string', 'Field path within the object.', 1),
      col('Source', 'string', 'Component (and host) that reported the event.', 1),
      col('Message', 'string', 'Human-readable description.'),
      col('First Seen', 'string', 'Time since the event was first observed.', 1),
      col('Count', 'string', 'Times the event occurred.', 1),
      { ...nameColumn, priority: 1 },
    ],
    row: (obj, now) => eventRow(view(obj), now),
  };
}
