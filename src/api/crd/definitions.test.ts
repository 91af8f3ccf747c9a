import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../gen/types.js';
import { checkObject } from '../schema/check.js';
import { createSchemaRegistry } from '../schema/registry.js';
import { schemaClosure } from '../schema/openapi-v3-schemas.js';
import { fieldAtPath } from '../schema/walk.js';
import { toDefinitions } from './index.js';

const j = (v: unknown): never => v as never;
const ROOT = 'com.example.v1.Widget';
const gvk = { group: 'example.com', version: 'v1', kind: 'Widget' };

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', format: 'int32', default: j(1) },
        color: { type: 'string', enum: j(['red', 'blue']) },
        port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
        },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        labels: { type: 'object', additionalProperties: { type: 'string' }, 'x-kubernetes-map-type': 'atomic' },
        raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        partly: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'boolean' } } },
  },
};

test('toDefinitions: the kind and its nested objects with derived names', () => {
  const defs = toDefinitions(schema, ROOT, gvk);
  assert.deepEqual(Object.keys(defs).sort(), [
    ROOT,
    `${ROOT}.spec`,
    `${ROOT}.spec.partly`,
    `${ROOT}.spec.ports.item`,
    `${ROOT}.spec.template`,
    `${ROOT}.status`,
  ]);
  const root = defs[ROOT]!;
  assert.equal(root.kind, 'object');
  if (root.kind !== 'object') return;
  assert.deepEqual(root.gvk, [gvk]);
  assert.deepEqual(root.fields.metadata!.type, { kind: 'ref', ref: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
  const spec = defs[`${ROOT}.spec`];
  assert.ok(spec?.kind === 'object');
  assert.deepEqual(spec.required, ['size']);
  assert.deepEqual(spec.fields.size, { type: { kind: 'prim', type: 'integer', format: 'int32' }, default: 1 });
  assert.deepEqual(spec.fields.color!.type, { kind: 'prim', type: 'string', enum: ['red', 'blue'] });
  assert.deepEqual(spec.fields.port!.type, { kind: 'prim', type: 'string', format: 'int-or-string' });
  assert.deepEqual(spec.fields.ports, {
    type: { kind: 'array', items: { kind: 'ref', ref: `${ROOT}.spec.ports.item` } },
    listType: 'map',
    listMapKeys: ['name'],
  });
  assert.deepEqual(spec.fields.tags, { type: { kind: 'array', items: { kind: 'prim', type: 'string' } }, listType: 'set' });
  assert.deepEqual(spec.fields.labels, { type: { kind: 'map', values: { kind: 'prim', type: 'string' } }, mapType: 'atomic' });
  assert.deepEqual(spec.fields.raw!.type, { kind: 'any' });
  const partly = defs[`${ROOT}.spec.partly`];
  assert.ok(partly?.kind === 'object' && partly.preserveUnknownFields === true);
  const tmpl = defs[`${ROOT}.spec.template`];
  assert.ok(tmpl?.kind === 'object' && tmpl.preserveUnknownFields === true && 'metadata' in tmpl.fields);
});

test('toDefinitions: the registry resolves and checks custom objects like built-in ones', () => {
  const reg = createSchemaRegistry();
  reg.add(toDefinitions(schema, ROOT, gvk));
  assert.equal(reg.definitionForGVK(gvk), ROOT);
  assert.deepEqual(fieldAtPath(ROOT, 'spec.ports', reg)?.listMapKeys, ['name']);
  const obj = {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', labels: { a: 'b' } },
    spec: {
      size: 1,
      port: 'http',
      ports: [{ name: 'a', port: 1, extra: 1 }],
      raw: { x: 1 },
      partly: { b: 1 },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} },
    },
  };
  const r = checkObject(ROOT, obj, 'Strict', { registry: reg });
  assert.deepEqual(r.unknown, ['spec.ports[0].extra']);
  assert.deepEqual(r.typeErrors, []);
});

test('toDefinitions: the OpenAPI v3 schemas carry list types, map keys, int-or-string and preserve-unknown-fields', () => {
  const reg = createSchemaRegistry();
  reg.add(toDefinitions(schema, ROOT, gvk));
  const out = schemaClosure([ROOT], reg);
  const spec = out[`${ROOT}.spec`] as { properties: Record<string, Record<string, unknown>>; required: string[] };
  assert.deepEqual(spec.required, ['size']);
  assert.deepEqual(spec.properties.ports!['x-kubernetes-list-map-keys'], ['name']);
  assert.equal(spec.properties.ports!['x-kubernetes-list-type'], 'map');
  assert.deepEqual(spec.properties.port, { 'x-kubernetes-int-or-string': true });
  assert.deepEqual(spec.properties.size, { type: 'integer', format: 'int32', default: 1 });
  assert.equal(out[`${ROOT}.spec.partly`]!['x-kubernetes-preserve-unknown-fields'], true);
  assert.deepEqual(out[ROOT]!['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
  assert.ok('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' in out);
});
