import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from '../gen/types.js';
import { applySchemaDefaults, pruneUnknownFields } from './index.js';

const j = (v: unknown): never => v as never;

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        ports: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' } } } },
        labels: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } },
        free: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { known: { type: 'object', properties: { a: { type: 'string' } } } },
        },
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } },
        },
        anything: { type: 'object', additionalProperties: j(true) },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'boolean' } } },
  },
};

test('pruneUnknownFields drops unknown fields everywhere and reports their paths', () => {
  const obj: Record<string, unknown> = {
    apiVersion: 'x/v1',
    kind: 'X',
    metadata: { name: 'a', whatever: 1 },
    extra: 1,
    spec: {
      replicas: 2,
      bogus: true,
      ports: [{ port: 80, name: 'http' }, { port: 81 }],
      labels: { k: { v: 'x', w: 'y' } },
      free: { kept: { deep: 1 }, known: { a: 'x', b: 'y' } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'a', y: 'b' }, junk: 1 },
      anything: { scalar: 1, obj: { gone: true } },
    },
    status: { ready: true, phase: 'Up' },
  };
  const dropped = pruneUnknownFields(obj, schema);
  assert.deepEqual(dropped, [
    'extra',
    'spec.anything.obj.gone',
    'spec.bogus',
    'spec.free.known.b',
    'spec.labels.k.w',
    'spec.ports[0].name',
    'spec.template.junk',
    'spec.template.spec.y',
    'status.phase',
  ]);
  assert.deepEqual(obj, {
    apiVersion: 'x/v1',
    kind: 'X',
    metadata: { name: 'a', whatever: 1 },
    spec: {
      replicas: 2,
      ports: [{ port: 80 }, { port: 81 }],
      labels: { k: { v: 'x' } },
      free: { kept: { deep: 1 }, known: { a: 'x' } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'a' } },
      anything: { scalar: 1, obj: {} },
    },
    status: { ready: true },
  });
});

test('pruneUnknownFields keeps everything under a preserve-unknown-fields root', () => {
  const obj = { apiVersion: 'x/v1', kind: 'X', metadata: {}, a: { b: [1, { c: 2 }] } };
  assert.deepEqual(pruneUnknownFields(obj, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }), []);
  assert.deepEqual(obj.a, { b: [1, { c: 2 }] });
});

test('pruneUnknownFields: nested preserve-unknown-fields inside arrays', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: {
      items: {
        type: 'array',
        items: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { n: { type: 'object', properties: { a: { type: 'integer' } } } },
        },
      },
    },
  };
  const obj = { items: [{ x: 1, n: { a: 1, b: 2 } }] };
  assert.deepEqual(pruneUnknownFields(obj, s), ['items[0].n.b']);
  assert.deepEqual(obj, { items: [{ x: 1, n: { a: 1 } }] });
});

const defaulting: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      default: j({}),
      properties: {
        replicas: { type: 'integer', default: j(1) },
        strategy: {
          type: 'object',
          default: j({ type: 'Rolling' }),
          properties: { type: { type: 'string' }, maxSurge: { 'x-kubernetes-int-or-string': true, default: j('25%') } },
        },
        ports: {
          type: 'array',
          items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string', default: j('TCP') } } },
        },
        names: { type: 'array', items: { type: 'string', default: j('unnamed') } },
        byName: { type: 'object', additionalProperties: { type: 'object', properties: { weight: { type: 'integer', default: j(10) } } } },
        nullable: { type: 'string', nullable: true, default: j('d') },
        plain: { type: 'string' },
      },
    },
  },
};

test('applySchemaDefaults fills missing fields top-down, including defaults inside defaults', () => {
  const obj: Record<string, unknown> = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' } };
  applySchemaDefaults(obj, defaulting);
  assert.deepEqual(obj.spec, { replicas: 1, strategy: { type: 'Rolling', maxSurge: '25%' }, nullable: 'd' });
});

test('applySchemaDefaults: array items, map values, nulls', () => {
  const obj: Record<string, unknown> = {
    spec: {
      replicas: null,
      ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }],
      names: ['a', null],
      byName: { x: {}, y: { weight: 3 } },
      nullable: null,
      plain: null,
      strategy: { type: 'Recreate' },
    },
  };
  applySchemaDefaults(obj, defaulting);
  assert.deepEqual(obj.spec, {
    replicas: 1,
    ports: [
      { port: 80, protocol: 'TCP' },
      { port: 53, protocol: 'UDP' },
    ],
    names: ['a', 'unnamed'],
    byName: { x: { weight: 10 }, y: { weight: 3 } },
    nullable: null,
    strategy: { type: 'Recreate', maxSurge: '25%' },
  });
});

test('applySchemaDefaults does not share default values between objects', () => {
  const a: Record<string, unknown> = {};
  const b: Record<string, unknown> = {};
  applySchemaDefaults(a, defaulting);
  applySchemaDefaults(b, defaulting);
  (a.spec as { strategy: { type: string } }).strategy.type = 'changed';
  assert.equal((b.spec as { strategy: { type: string } }).strategy.type, 'Rolling');
  assert.equal((defaulting.properties!.spec!.properties!.strategy!.default as unknown as { type: string }).type, 'Rolling');
});
