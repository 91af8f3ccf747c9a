// core/v1 Event.

import type { FieldError } from '../../../base/errors.js';
import type { Event } from '../../gen/types.js';
import type { UnvalidatedObject } from '../../unvalidated.js';
import { invalidValue, required, validateDNS1123Subdomain, validateQualifiedName } from '../../validation/index.js';
import { defineKind, STANDARD_VERBS } from '../common/define.js';
import { eventTable, type EventView } from '../common/event-table.js';

type CoreEventIn = UnvalidatedObject<Event>;

/** Checks shared by both Event APIs; `controllerField` names the reporting controller field. */
export function validateEventCommon(
  e: {
    namespace: string;
    involvedNamespace: string;
    eventTime?: string | null;
    reportingController: string;
    reportingInstance: string;
    action: string;
    reason: string;
    message: string;
  },
  paths: { involvedNamespace: string; controller: string; message: string },
): FieldError[] {
  const errs: FieldError[] = [];
  if (!e.eventTime) {
    if (e.involvedNamespace === '') {
      if (e.namespace !== '' && e.namespace !== 'default')
        errs.push(invalidValue(paths.involvedNamespace, e.involvedNamespace, 'does not match event.namespace'));
    } else if (e.namespace !== e.involvedNamespace) {
      errs.push(invalidValue(paths.involvedNamespace, e.involvedNamespace, 'does not match event.namespace'));
    }
  } else {
    if (e.involvedNamespace === '' && e.namespace !== 'default' && e.namespace !== 'kube-system') {
      errs.push(invalidValue(paths.involvedNamespace, e.involvedNamespace, 'does not match event.namespace'));
    }
    if (!e.reportingController) errs.push(required(paths.controller));
    errs.push(...validateQualifiedName(e.reportingController, paths.controller));
    if (!e.reportingInstance) errs.push(required('reportingInstance'));
    if (e.reportingInstance.length > 128) errs.push(invalidValue('reportingInstance', '', 'can have at most 128 characters'));
    if (!e.action) errs.push(required('action'));
    if (e.action.length > 128) errs.push(invalidValue('action', '', 'can have at most 128 characters'));
    if (!e.reason) errs.push(required('reason'));
    if (e.reason.length > 128) errs.push(invalidValue('reason', '', 'can have at most 128 characters'));
    if (e.message.length > 1024) errs.push(invalidValue(paths.message, '', 'can have at most 1024 characters'));
  }
  if (e.namespace) errs.push(...validateDNS1123Subdomain(e.namespace, 'namespace'));
  return errs;
}

export function validateCoreEvent(e: CoreEventIn): FieldError[] {
  return validateEventCommon(
    {
      namespace: e.metadata.namespace ?? '',
      involvedNamespace: e.involvedObject?.namespace ?? '',
      eventTime: e.eventTime,
      reportingController: e.reportingComponent ?? '',
      reportingInstance: e.reportingInstance ?? '',
      action: e.action ?? '',
      reason: e.reason ?? '',
      message: e.message ?? '',
    },
    { involvedNamespace: 'involvedObject.namespace', controller: 'reportingComponent', message: 'message' },
  );
}

const view = (e: CoreEventIn): EventView => ({
  name: e.metadata.name ?? '',
  type: e.type ?? '',
  reason: e.reason ?? '',
  message: e.message ?? '',
  object: { kind: e.involvedObject?.kind ?? '', name: e.involvedObject?.name ?? '', fieldPath: e.involvedObject?.fieldPath ?? '' },
  firstTimestamp: e.firstTimestamp,
  lastTimestamp: e.lastTimestamp,
  eventTime: e.eventTime,
  count: e.count,
  series: e.series,
  sourceComponent: e.source?.component ?? '',
  sourceHost: e.source?.host ?? '',
  reportingController: e.reportingComponent ?? '',
  reportingInstance: e.reportingInstance ?? '',
});

export const coreEventKind = defineKind<Event>({
  group: '',
  version: 'v1',
  kind: 'Event',
  listKind: 'EventList',
  plural: 'events',
  singular: 'event',
  shortNames: ['ev'],
  categories: [],
  namespaced: true,
  verbs: STANDARD_VERBS,
  schema: 'io.k8s.api.core.v1.Event',
  subresources: [],
  generation: false,
  hasStatus: false,
  validate: validateCoreEvent,
  table: eventTable(view),
  fieldSelectors: {
    'involvedObject.kind': (e) => e.involvedObject?.kind ?? '',
    'involvedObject.namespace': (e) => e.involvedObject?.namespace ?? '',
    'involvedObject.name': (e) => e.involvedObject?.name ?? '',
    'involvedObject.uid': (e) => e.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (e) => e.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (e) => e.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (e) => e.involvedObject?.fieldPath ?? '',
    reason: (e) => e.reason ?? '',
    reportingComponent: (e) => e.reportingComponent ?? '',
    source: (e) => e.source?.component ?? '',
    type: (e) => e.type ?? '',
  },
});
