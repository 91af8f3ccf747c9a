import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../base/errors.js';
import { leaseKind, validateLease } from './coordination/lease.js';
import { defaultEndpointSlice, endpointSliceKind, validateEndpointSlice } from './discovery/endpoint-slice.js';
import { eventsV1EventKind, validateEventsV1 } from './events/event.js';
import { runtimeClassKind, validateRuntimeClass } from './node/runtime-class.js';
import type {
  EndpointSlice as EndpointSliceT,
  EventsV1Event as EventsV1EventT,
  Lease as LeaseT,
  RuntimeClass as RuntimeClassT,
} from '../gen/types.js';
import type { UnvalidatedObject } from '../unvalidated.js';

type Lease = UnvalidatedObject<LeaseT>;
type EndpointSlice = UnvalidatedObject<EndpointSliceT>;
type EventsV1Event = UnvalidatedObject<EventsV1EventT>;
type RuntimeClass = UnvalidatedObject<RuntimeClassT>;

const NOW = Date.parse('2024-05-01T12:00:00Z');
const meta = (name: string, namespace?: string) => ({
  name,
  ...(namespace ? { namespace } : {}),
  creationTimestamp: '2024-05-01T11:00:00Z',
});

test('leases', () => {
  const l: Lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: meta('node-1', 'kube-node-lease'),
    spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 },
  };
  assert.deepEqual(validateLease(l), []);
  assert.deepEqual(leaseKind.table.row(l, NOW), ['node-1', 'node-1', '60m']);
  l.spec!.leaseDurationSeconds = 0;
  assert.deepEqual(validateLease(l).map(fieldErrorText), ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
  assert.deepEqual(leaseKind.table.row({ ...l, spec: {} }, NOW)[1], '');
});

test('runtime classes', () => {
  const rc: RuntimeClass = {
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: meta('hyperv'),
    handler: 'runhcs-wcow-hypervisor',
  };
  assert.deepEqual(validateRuntimeClass(rc, undefined), []);
  assert.deepEqual(runtimeClassKind.table.row(rc, NOW), ['hyperv', 'runhcs-wcow-hypervisor', '60m']);
  assert.deepEqual(validateRuntimeClass({ ...rc, handler: 'runhcs-wcow-process' }, rc).map(fieldErrorText), [
    'handler: Invalid value: "runhcs-wcow-process": field is immutable',
  ]);
  assert.match(
    fieldErrorText(validateRuntimeClass({ ...rc, handler: 'Bad_Handler' }, undefined)[0]!),
    /^handler: Invalid value: "Bad_Handler": a lowercase RFC 1123 label/,
  );
});

test('endpoint slices', () => {
  const s: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: meta('web-abc', 'default'),
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'] }, { addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'] }],
    ports: [{ name: 'http', port: 80 }],
  };
  defaultEndpointSlice(s);
  assert.equal(s.ports?.[0]?.protocol, 'TCP');
  assert.deepEqual(validateEndpointSlice(s, undefined), []);
  assert.deepEqual(endpointSliceKind.table.row(s, NOW), ['web-abc', 'IPv4', '80', '10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...', '60m']);
  assert.deepEqual(endpointSliceKind.table.row({ ...s, endpoints: [], ports: [] }, NOW).slice(2, 4), ['<unset>', '<unset>']);
  const bad: EndpointSlice = { ...s, addressType: 'IPv5', endpoints: [{ addresses: [] }] };
  assert.deepEqual(validateEndpointSlice(bad, undefined).map(fieldErrorText), [
    'addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
    'endpoints[0].addresses: Required value: must contain at least 1 address',
  ]);
});

test('events.k8s.io events', () => {
  const e: EventsV1Event = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: meta('web.1', 'default'),
    eventTime: '2024-05-01T11:59:00.000000Z',
    reportingController: 'tandem.io/scheduler',
    reportingInstance: 'sched-1',
    action: 'Binding',
    reason: 'Scheduled',
    type: 'Normal',
    regarding: { kind: 'Pod', name: 'web', namespace: 'default' },
    note: 'Successfully assigned default/web to node-1',
  };
  assert.deepEqual(validateEventsV1(e, undefined), []);
  assert.deepEqual(eventsV1EventKind.table.row(e, NOW), [
    '60s',
    'Normal',
    'Scheduled',
    'pod/web',
    '',
    'tandem.io/scheduler, sched-1',
    'Successfully assigned default/web to node-1',
    '60s',
    1,
    'web.1',
  ]);
  const bad: EventsV1Event = { ...e, eventTime: undefined, type: 'Info', reportingController: undefined };
  assert.deepEqual(validateEventsV1(bad, undefined).map(fieldErrorText), [
    'eventTime: Required value',
    'type: Invalid value: "": has invalid value: Info',
  ]);
  const noCtl: EventsV1Event = { ...e, reportingController: '' };
  assert.equal(fieldErrorText(validateEventsV1(noCtl, undefined)[0]!), 'reportingController: Required value');
});
