import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../base/errors.js';
import type { JSONSchemaProps } from '../gen/types.js';
import {
  applySchemaDefaults,
  pruneUnknownFields,
  toDefinitions,
  validateAgainstSchema,
  validateCrdSchema,
  validateStatusRootSchema,
} from './index.js';

// validateCrdSchema beyond the table of validate-schema.test.ts: defaults as upstream's own case,
// malformed schemas, and the root rules of the status subresource.

const P = 'spec.versions[0].schema.openAPIV3Schema';
const texts = (s: JSONSchemaProps): string[] => validateCrdSchema(s, P).map(fieldErrorText);
const root = (specSchema: JSONSchemaProps, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: specSchema },
  ...extra,
});
const j = (v: unknown): never => v as never;
test('schemas with members of the wrong JSON type do not crash any function', () => {
  const bad = j({
    type: 'object',
    required: { not: 'a list' },
    allOf: { not: 'a list' },
    properties: { spec: { type: 'object', properties: 5, items: 'x', enum: 'e', pattern: 7 }, n: 3 },
    additionalProperties: 'x',
  });
  const obj = { spec: { a: 1 }, other: [1] };
  assert.deepEqual(texts(bad), []);
  assert.deepEqual(validateAgainstSchema(structuredClone(obj), bad), []);
  const pruned = structuredClone(obj) as Record<string, unknown>;
  assert.deepEqual(pruneUnknownFields(pruned, bad), ['other', 'spec.a']);
  applySchemaDefaults(pruned, bad);
  assert.ok(toDefinitions(bad, 'r', { group: 'g', version: 'v1', kind: 'K' })['r']);
});

test('validateStatusRootSchema: only some keywords at the root with the status subresource', () => {
  const at = 'spec.versions[0].schema';
  assert.deepEqual(validateStatusRootSchema(root({ type: 'object' }, { required: ['spec'], description: 'd' }), at), []);
  assert.deepEqual(validateStatusRootSchema({ type: 'array', items: { type: 'string' } }, at).map(fieldErrorText), [
    'spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "array": only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
  ]);
  const errs = validateStatusRootSchema(root({ type: 'object' }, { anyOf: [{ required: ['spec'] }] }), at);
  assert.equal(errs.length, 1);
  assert.equal(errs[0]!.field, 'spec.versions[0].schema.openAPIV3Schema');
  assert.match(
    errs[0]!.detail,
    /^only \[Description Type Format .* XValidations\] fields are allowed at the root of the schema if the status subresource is enabled$/,
  );
});

test('defaults: the fields upstream flags in its "invalid defaults, structural schema" case', () => {
  const str: JSONSchemaProps = { type: 'string' };
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      a: { type: 'object', properties: { foo: str }, default: j({ foo: 'abc', bar: 42 }) },
      b: { type: 'object', properties: { foo: str }, default: j({ foo: 'abc' }) },
      c: { type: 'object', properties: { foo: str }, default: j({ foo: 42 }) },
      d: {
        type: 'object',
        properties: { good: { type: 'string', pattern: 'a' }, bad: { type: 'string', pattern: 'b' } },
        default: j({ good: 'a', bad: 'a' }),
      },
      e: {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
        properties: {
          preserveUnknownFields: { type: 'object', default: j({ foo: 'abc', bar: 42 }) },
          nestedProperties: { type: 'object', properties: { foo: str }, default: j({ foo: 'abc', bar: 42 }) },
        },
      },
      'embedded-fine': {
        type: 'object',
        'x-kubernetes-embedded-resource': true,
        properties: { foo: str },
        default: j({ foo: 'abc', apiVersion: 'foo/v1', kind: 'v1', metadata: { name: 'foo' } }),
      },
      'embedded-preserve-unpruned-objectmeta': {
        type: 'object',
        'x-kubernetes-embedded-resource': true,
        'x-kubernetes-preserve-unknown-fields': true,
        properties: { foo: str },
        default: j({ foo: 'abc', apiVersion: 'foo/v1', kind: 'v1', metadata: { name: 'foo', unspecified: 'bar' }, bar: 42 }),
      },
    },
  };
  const fields = validateCrdSchema(schema, 'spec.validation.openAPIV3Schema').map((e) => `${e.type} ${e.field}`);
  const at = 'spec.validation.openAPIV3Schema.properties';
  assert.deepEqual(fields.sort(), [
    `FieldValueInvalid ${at}[a].default`,
    `FieldValueInvalid ${at}[d].default.bad`,
    `FieldValueInvalid ${at}[e].properties[nestedProperties].default`,
    `FieldValueInvalid ${at}[e].properties[preserveUnknownFields].default`,
    `FieldValueTypeInvalid ${at}[c].default.foo`,
  ]);
});
