import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyObject } from '../../api/object.js';
import { decodeStored, encodeForStorage, metadataText, withResourceVersion } from './codec.js';

const pod = (meta: Record<string, unknown>, rest: Record<string, unknown> = { spec: { a: 1 } }) =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: meta, ...rest }) as unknown as AnyObject;

test('stored JSON: apiVersion, kind, metadata first; no resourceVersion or selfLink; managedFields last in metadata', () => {
  const text = encodeForStorage(
    pod({ managedFields: [{ manager: 'm' }], name: 'p', resourceVersion: '9', selfLink: '/x', labels: { a: 'b' } }),
  );
  assert.equal(
    text,
    '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"b"},"managedFields":[{"manager":"m"}]},"spec":{"a":1}}',
  );
});

test('stored JSON: managedFields given as text win over the object, and fit empty metadata and no other fields', () => {
  const mf = '[{"manager":"kubectl","fieldsV1":{"f:spec":{}}}]';
  assert.equal(
    encodeForStorage(pod({ name: 'p', managedFields: [{ manager: 'old' }] }), mf),
    `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","managedFields":${mf}},"spec":{"a":1}}`,
  );
  assert.equal(encodeForStorage(pod({}, {}), mf), `{"apiVersion":"v1","kind":"Pod","metadata":{"managedFields":${mf}}}`);
  assert.equal(encodeForStorage(pod({}, {})), '{"apiVersion":"v1","kind":"Pod","metadata":{}}');
});

test('resourceVersion is spliced in on the way out and set on decode', () => {
  const text = encodeForStorage(pod({ name: 'p' }));
  assert.equal(
    withResourceVersion(text, 42),
    '{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":"42","name":"p"},"spec":{"a":1}}',
  );
  assert.equal(
    withResourceVersion(encodeForStorage(pod({}, {})), 7),
    '{"apiVersion":"v1","kind":"Pod","metadata":{"resourceVersion":"7"}}',
  );
  assert.equal(decodeStored(text, 5).metadata.resourceVersion, '5');
});

test('metadataText cuts the top-level metadata object out of stored and wire JSON', () => {
  const text = encodeForStorage(
    pod({ name: 'p', annotations: { 'a"}{': '{"metadata":{}}' }, managedFields: [{ manager: 'm', fieldsV1: { 'f:x': {} } }] }),
  );
  const meta = metadataText(text);
  assert.deepEqual(JSON.parse(meta ?? 'null'), JSON.parse(text).metadata);
  assert.equal(metadataText(withResourceVersion(encodeForStorage(pod({}, {})), 3)), '{"resourceVersion":"3"}');
  // metadata need not come first, nor be the first key named so at any depth
  assert.equal(metadataText('{"spec":{"metadata":{"x":1}}, "kind":"K",\n "metadata" : {"name":"n","l":["}"]}}'), '{"name":"n","l":["}"]}');
  assert.equal(metadataText('{"spec":{"metadata":{"x":1}}}'), undefined);
  assert.equal(metadataText('{"metadata":null}'), undefined);
  assert.equal(metadataText('{"kind":"metadata","x":"metadata"}'), undefined);
  assert.equal(metadataText('{"metadata":{"name":"cut'), undefined);
});
