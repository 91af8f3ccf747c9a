import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../base/errors.js';
import type { JSONSchemaProps } from '../gen/types.js';
import { validateCrdSchema } from './index.js';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const S = `${P}.properties[spec]`;
const texts = (s: JSONSchemaProps): string[] => validateCrdSchema(s, P).map(fieldErrorText);
/** A root schema with `spec` = the given schema. */
const root = (specSchema: JSONSchemaProps, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: specSchema },
  ...extra,
});
const j = (v: unknown): never => v as never;

const cases: [string, JSONSchemaProps, string[]][] = [
  [
    'a valid schema',
    root({
      type: 'object',
      properties: { replicas: { type: 'integer', default: j(1), minimum: 0 }, name: { type: 'string', pattern: '^[a-z]+$' } },
    }),
    [],
  ],
  ['root without type', { properties: { spec: { type: 'object' } } }, [`${P}.type: Required value: must not be empty at the root`]],
  ['root not object', { type: 'string' }, [`${P}.type: Invalid value: "string": must be object at the root`]],
  ['field without type', root({}), [`${S}.type: Required value: must not be empty for specified object fields`]],
  [
    'item without type',
    root({ type: 'array', items: {} }),
    [`${S}.items.type: Required value: must not be empty for specified array items`],
  ],
  ['array without items', root({ type: 'array' }), [`${S}.items: Required value: must be specified`]],
  ['preserve-unknown allows no type', root({ 'x-kubernetes-preserve-unknown-fields': true }), []],
  [
    'root additionalProperties',
    { type: 'object', additionalProperties: { type: 'string' } },
    [`${P}.additionalProperties: Forbidden: must not be used at the root`],
  ],
  [
    'additionalProperties with properties',
    root({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } }),
    [`${S}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`],
  ],
  [
    'additionalProperties true with properties is allowed',
    root({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: j(true) }),
    [],
  ],
  [
    'type in anyOf',
    root({ type: 'string', anyOf: [{ type: 'string' }, { maxLength: 2 }] }),
    [`${S}.anyOf[0].type: Forbidden: must be empty to be structural`],
  ],
  [
    'nested junctor keywords',
    root({
      type: 'object',
      properties: { a: { type: 'string' } },
      allOf: [
        {
          properties: {
            a: { description: 'd', nullable: true, default: j('x'), title: 't', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      ],
    }),
    [
      `${S}.allOf[0].properties[a].default: Forbidden: must be undefined to be structural`,
      `${S}.allOf[0].properties[a].description: Forbidden: must be empty to be structural`,
      `${S}.allOf[0].properties[a].nullable: Forbidden: must be false to be structural`,
      `${S}.allOf[0].properties[a].title: Forbidden: must be empty to be structural`,
      `${S}.allOf[0].properties[a].x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural`,
    ],
  ],
  [
    'additionalProperties in a junctor',
    root(
      { type: 'object', additionalProperties: { type: 'string' } },
      {
        anyOf: [
          { properties: { spec: { additionalProperties: { maxLength: 1 } } } },
          { properties: { spec: { additionalProperties: j(false) } } },
        ],
      },
    ),
    [`${P}.anyOf[0].properties[spec].additionalProperties: Forbidden: must be undefined to be structural`],
  ],
  [
    'junctor field not specified',
    root(
      { type: 'object', properties: { a: { type: 'string' } } },
      { anyOf: [{ properties: { spec: { properties: { b: { maxLength: 1 } } } } }] },
    ),
    [`${P}.properties[spec].properties[b]: Required value: because it is defined in ${P}.anyOf[0].properties[spec].properties[b]`],
  ],
  [
    'metadata in a junctor',
    root({ type: 'object' }, { oneOf: [{ properties: { metadata: { maxProperties: 1 } } }] }),
    [
      `${P}.oneOf[0].properties[metadata]: Forbidden: must not be specified in a nested context`,
      `${P}.properties[metadata]: Required value: because it is defined in ${P}.oneOf[0].properties[metadata]`,
    ],
  ],
  ['int-or-string anyOf form', root({ 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }), []],
  [
    'int-or-string allOf form',
    root({ 'x-kubernetes-int-or-string': true, allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, { pattern: '^\\d+%?$' }] }),
    [],
  ],
  [
    'int-or-string anyOf without the extension',
    root({ anyOf: [{ type: 'integer' }, { type: 'string' }] }),
    [`${S}.type: Required value: must not be empty for specified object fields`],
  ],
  [
    'int-or-string with preserve',
    root({ 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true }),
    [`${S}.x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`],
  ],
  [
    'int-or-string with embedded',
    root({ 'x-kubernetes-int-or-string': true, 'x-kubernetes-embedded-resource': true }),
    [
      `${S}.properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
      `${S}.type: Required value: must be object if x-kubernetes-embedded-resource is true`,
      `${S}.x-kubernetes-embedded-resource: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
    ],
  ],
  [
    'embedded without properties',
    root({ type: 'object', 'x-kubernetes-embedded-resource': true }),
    [
      `${S}.properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
    ],
  ],
  [
    'embedded with wrong type',
    root({
      type: 'array',
      items: { type: 'string' },
      'x-kubernetes-embedded-resource': true,
      'x-kubernetes-preserve-unknown-fields': true,
    }),
    [`${S}.type: Invalid value: "array": must be object if x-kubernetes-embedded-resource is true`],
  ],
  [
    'embedded kind must be string',
    root({ type: 'object', 'x-kubernetes-embedded-resource': true, properties: { kind: { type: 'integer' } } }),
    [`${S}.properties[kind].type: Invalid value: "integer": must be string`],
  ],
  [
    'root metadata name only',
    root(
      { type: 'object' },
      { properties: { spec: { type: 'object' }, metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } } } },
    ),
    [],
  ],
  [
    'root metadata more',
    { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } },
    [
      `${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    ],
  ],
  [
    'root metadata not object',
    { type: 'object', properties: { metadata: { type: 'string' } } },
    [`${P}.properties[metadata].type: Invalid value: "string": must be object`],
  ],
  ['root nullable', { type: 'object', nullable: true }, [`${P}.nullable: Forbidden: nullable cannot be true at the root`]],
  [
    'bad pattern',
    root({ type: 'string', pattern: '([a-z' }),
    [
      `${S}.pattern: Invalid value: "([a-z": must be a valid regular expression, but isn't: error parsing regexp: Invalid regular expression: /([a-z/: Unterminated character class`,
    ],
  ],
  [
    'look-ahead pattern',
    root({ type: 'string', pattern: '^(?!x)' }),
    [
      `${S}.pattern: Invalid value: "^(?!x)": must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: \`(?!\``,
    ],
  ],
  ['$ref', root({ $ref: '#/definitions/x' }), [`${S}.$ref: Forbidden: $ref is not supported`]],
  [
    'id, definitions, patternProperties, dependencies, additionalItems',
    root({
      type: 'object',
      id: 'x',
      definitions: { a: { type: 'string' } },
      patternProperties: { '^a': { type: 'string' } },
      dependencies: {},
      additionalItems: j(false),
    }),
    [
      `${S}.id: Forbidden: id is not supported`,
      `${S}.additionalItems: Forbidden: additionalItems is not supported`,
      `${S}.patternProperties: Forbidden: patternProperties is not supported`,
      `${S}.definitions: Forbidden: definitions is not supported`,
      `${S}.dependencies: Forbidden: dependencies is not supported`,
    ],
  ],
  [
    'type null',
    root({ type: 'null' }),
    [
      `${S}.type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"`,
      `${S}.type: Forbidden: type cannot be set to null, use nullable as an alternative`,
    ],
  ],
  [
    'unknown type',
    root({ type: 'int' }),
    [`${S}.type: Unsupported value: "int": supported values: "array", "boolean", "integer", "number", "object", "string"`],
  ],
  [
    'items array',
    root({ type: 'array', items: j([{ type: 'string' }]) }),
    [`${S}.items: Forbidden: items must be a schema object and not an array`],
  ],
  [
    'uniqueItems',
    root({ type: 'array', items: { type: 'string' }, uniqueItems: true }),
    [`${S}.uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`],
  ],
  [
    'preserve false',
    root({ type: 'object', 'x-kubernetes-preserve-unknown-fields': false }),
    [`${S}.x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`],
  ],
  [
    'map-type on array',
    root({ type: 'array', items: { type: 'string' }, 'x-kubernetes-map-type': 'atomic' }),
    [`${S}.type: Invalid value: "array": must be object if x-kubernetes-map-type is specified`],
  ],
  [
    'map-type unknown',
    root({ type: 'object', 'x-kubernetes-map-type': 'fancy' }),
    [`${S}.x-kubernetes-map-type: Unsupported value: "fancy": supported values: "atomic", "granular"`],
  ],
  [
    'list-type on object',
    root({ type: 'object', 'x-kubernetes-list-type': 'set' }),
    [`${S}.type: Invalid value: "object": must be array if x-kubernetes-list-type is specified`],
  ],
  [
    'list-type unknown',
    root({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'bag' }),
    [`${S}.x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`],
  ],
  [
    'list-map-keys without map',
    root({
      type: 'array',
      items: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
      'x-kubernetes-list-type': 'atomic',
      'x-kubernetes-list-map-keys': ['a'],
    }),
    [`${S}.x-kubernetes-list-type: Invalid value: "atomic": must be map if x-kubernetes-list-map-keys is non-empty`],
  ],
  [
    'map list without keys',
    root({ type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'map' }),
    [`${S}.x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`],
  ],
  [
    'map list of strings',
    root({ type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['a'] }),
    [`${S}.items.type: Invalid value: "string": must be object if parent array's x-kubernetes-list-type is map`],
  ],
  [
    'map list key not a property',
    root({
      type: 'array',
      items: { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['b'],
    }),
    [`${S}.x-kubernetes-list-map-keys: Invalid value: ["b"]: entries must all be names of item properties`],
  ],
  [
    'map list key not scalar',
    root({
      type: 'array',
      items: { type: 'object', properties: { a: { type: 'object' } }, required: ['a'] },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['a'],
    }),
    [`${S}.items.properties[a].type: Invalid value: "object": must be a scalar type if parent array's x-kubernetes-list-type is map`],
  ],
  [
    'map list key optional without default',
    root({
      type: 'array',
      items: { type: 'object', properties: { a: { type: 'string' } } },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['a'],
    }),
    [
      `${S}.items.properties[a].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
    ],
  ],
  [
    'map list key with default',
    root({
      type: 'array',
      items: { type: 'object', properties: { a: { type: 'string', default: j('x') } } },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['a'],
    }),
    [],
  ],
  [
    'set of granular objects',
    root({ type: 'array', items: { type: 'object' }, 'x-kubernetes-list-type': 'set' }),
    [`${S}.items.x-kubernetes-map-type: Invalid value: null: must be atomic as item of a list with x-kubernetes-list-type=set`],
  ],
  [
    'set items nullable',
    root({ type: 'array', items: { type: 'string', nullable: true }, 'x-kubernetes-list-type': 'set' }),
    [`${S}.items.nullable: Forbidden: cannot be nullable when x-kubernetes-list-type is set`],
  ],
  [
    'default of wrong type',
    root({ type: 'object', properties: { replicas: { type: 'integer', default: j('three') } } }),
    [
      `${S}.properties[replicas].default: Invalid value: "string": ${S}.properties[replicas].default in body must be of type integer: "string"`,
    ],
  ],
  [
    'default not pruned',
    root({ type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } }, default: j({ b: 'x', c: 'y' }) } } }),
    [`${S}.properties[a].default: Invalid value: {"b":"x","c":"y"}: must not have unknown fields`],
  ],
  [
    'default violating a nested rule',
    root({
      type: 'object',
      properties: { a: { type: 'object', properties: { b: { type: 'integer', maximum: 3 } }, default: j({ b: 5 }) } },
    }),
    [`${S}.properties[a].default.b: Invalid value: 5: b in body should be less than or equal to 3`],
  ],
  [
    'default in top-level metadata',
    { type: 'object', properties: { metadata: { type: 'object', default: j({}) } } },
    [`${P}.properties[metadata].default: Forbidden: must not be set in top-level metadata`],
  ],
  [
    'embedded inside metadata',
    { type: 'object', properties: { kind: { type: 'string', 'x-kubernetes-embedded-resource': true } } },
    [
      `${P}.properties[kind].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
      `${P}.properties[kind].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`,
      `${P}.properties[kind].x-kubernetes-embedded-resource: Forbidden: must not be used inside of resource meta`,
    ],
  ],
  [
    'validation rule without rule',
    root({ type: 'object', 'x-kubernetes-validations': [{ rule: ' ' }] }),
    [`${S}.x-kubernetes-validations[0].rule: Required value: rule is not specified`],
  ],
];

for (const [name, schema, want] of cases) {
  test(`validateCrdSchema: ${name}`, () => assert.deepEqual(texts(schema), want));
}
