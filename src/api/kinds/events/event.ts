// events.k8s.io/v1 Event: the same objects as core/v1 Events upstream, with renamed fields and
// stricter rules on create.

import type { FieldError } from '../../../base/errors.js';
import type { EventsV1Event } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { invalidValue, required } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { eventTable, type EventView } from '../common/event-table.js';
import { validateEventCommon } from '../core/event.js';

type EventsV1EventIn = UnvalidatedObject<EventsV1Event>;

export function validateEventsV1(e: EventsV1EventIn, old: EventsV1EventIn | undefined): FieldError[] {
  const errs = validateEventCommon(
    {
      namespace: e.metadata.namespace ?? '',
      involvedNamespace: e.regarding?.namespace ?? '',
      eventTime: e.eventTime,
      reportingController: e.reportingController ?? '',
      reportingInstance: e.reportingInstance ?? '',
      action: e.action ?? '',
      reason: e.reason ?? '',
      message: e.note ?? '',
    },
    { involvedNamespace: 'regarding.namespace', controller: 'reportingController', message: 'note' },
  );
  if (old) return errs;
  if (!e.eventTime) errs.push(required('eventTime'));
  if (e.type !== 'Normal' && e.type !== 'Warning') errs.push(invalidValue('type', '', `has invalid value: ${e.type ?? ''}`));
  if (e.deprecatedFirstTimestamp) errs.push(invalidValue('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (e.deprecatedLastTimestamp) errs.push(invalidValue('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (e.deprecatedCount) errs.push(invalidValue('deprecatedCount', '', 'needs to be unset'));
  if (e.deprecatedSource?.component || e.deprecatedSource?.host) errs.push(invalidValue('deprecatedSource', '', 'needs to be unset'));
  return errs;
}

const view = (e: EventsV1EventIn): EventView => ({
  name: e.metadata.name ?? '',
  type: e.type ?? '',
  reason: e.reason ?? '',
  message: e.note ?? '',
  object: { kind: e.regarding?.kind ?? '', name: e.regarding?.name ?? '', fieldPath: e.regarding?.fieldPath ?? '' },
  firstTimestamp: e.deprecatedFirstTimestamp,
  lastTimestamp: e.deprecatedLastTimestamp,
  eventTime: e.eventTime,
  count: e.deprecatedCount,
  series: e.series,
  sourceComponent: e.deprecatedSource?.component ?? '',
  sourceHost: e.deprecatedSource?.host ?? '',
  reportingController: e.reportingController ?? '',
  reportingInstance: e.reportingInstance ?? '',
});

export const eventsV1EventKind = defineKind<EventsV1Event>({
  group: 'events.k8s.io',
  version: 'v1',
  kind: 'Event',
  listKind: 'EventList',
  plural: 'events',
  singular: 'event',
  shortNames: ['ev'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.events.v1.Event',
  subresources: [],
  generation: false,
  hasStatus: false,
  validate: validateEventsV1,
  table: eventTable(view),
  fieldSelectors: {
    'regarding.kind': (e) => e.regarding?.kind ?? '',
    'regarding.namespace': (e) => e.regarding?.namespace ?? '',
    'regarding.name': (e) => e.regarding?.name ?? '',
    'regarding.uid': (e) => e.regarding?.uid ?? '',
    'regarding.apiVersion': (e) => e.regarding?.apiVersion ?? '',
    'regarding.resourceVersion': (e) => e.regarding?.resourceVersion ?? '',
    'regarding.fieldPath': (e) => e.regarding?.fieldPath ?? '',
    reason: (e) => e.reason ?? '',
    reportingController: (e) => e.reportingController ?? '',
    deprecatedSource: (e) => e.deprecatedSource?.component ?? '',
    type: (e) => e.type ?? '',
  },
});
