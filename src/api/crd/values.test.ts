import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../base/errors.js';
import type { JSONSchemaProps } from '../gen/types.js';
import { validateAgainstSchema } from './index.js';

/** A root schema with `spec` holding `field`. */
const spec = (field: JSONSchemaProps): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: { type: 'object', properties: { f: field } } },
});
const ej = (...v: unknown[]): never => v as never;
const texts = (schema: JSONSchemaProps, obj: Record<string, unknown>): string[] => validateAgainstSchema(obj, schema).map(fieldErrorText);
const withF = (f: JSONSchemaProps, v: unknown): string[] =>
  texts(spec(f), { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' }, spec: { f: v } });

const cases: [string, JSONSchemaProps, unknown, string[]][] = [
  ['integer ok', { type: 'integer' }, 3, []],
  ['integral float is an integer', { type: 'integer' }, 3.0, []],
  ['string for integer', { type: 'integer' }, 'x', ['spec.f: Invalid value: "string": spec.f in body must be of type integer: "string"']],
  ['float for integer', { type: 'integer' }, 1.5, ['spec.f: Invalid value: "number": spec.f in body must be of type integer: "number"']],
  ['integer is a number', { type: 'number' }, 2, []],
  ['bool for string', { type: 'string' }, true, ['spec.f: Invalid value: "boolean": spec.f in body must be of type string: "boolean"']],
  ['array for object', { type: 'object' }, [], ['spec.f: Invalid value: "array": spec.f in body must be of type object: "array"']],
  ['null not nullable', { type: 'string' }, null, ['spec.f: Invalid value: "null": spec.f in body must be of type string: "null"']],
  ['null nullable', { type: 'string', nullable: true }, null, []],
  ['enum ok', { type: 'string', enum: ej('a', 'b') }, 'a', []],
  ['enum bad', { type: 'string', enum: ej('a', 'b') }, 'c', ['spec.f: Unsupported value: "c": supported values: "a", "b"']],
  ['enum numbers', { type: 'integer', enum: ej(1, 2) }, 3, ['spec.f: Unsupported value: 3: supported values: "1", "2"']],
  ['pattern ok', { type: 'string', pattern: '^[a-z]+$' }, 'abc', []],
  ['pattern bad', { type: 'string', pattern: '^[a-z]+$' }, 'aB', [`spec.f: Invalid value: "aB": spec.f in body should match '^[a-z]+$'`]],
  ['pattern RE2 flag', { type: 'string', pattern: '(?i)^abc$' }, 'ABC', []],
  ['pattern RE2 unicode class', { type: 'string', pattern: '^\\pL+$' }, 'äbc', []],
  [
    'pattern RE2 POSIX class',
    { type: 'string', pattern: '^[[:alpha:]]+$' },
    'ab1',
    [`spec.f: Invalid value: "ab1": spec.f in body should match '^[[:alpha:]]+$'`],
  ],
  ['maxLength', { type: 'string', maxLength: 3 }, 'abcd', ['spec.f: Too long: may not be more than 3 bytes']],
  ['maxLength counts runes', { type: 'string', maxLength: 3 }, 'äöü', []],
  ['maxLength counts a surrogate pair as one rune', { type: 'string', maxLength: 2 }, '😀😀', []],
  [
    'minLength counts a surrogate pair as one rune',
    { type: 'string', minLength: 3 },
    '😀😀',
    ['spec.f: Invalid value: "😀😀": spec.f in body should be at least 3 chars long'],
  ],
  ['minLength', { type: 'string', minLength: 3 }, 'ab', ['spec.f: Invalid value: "ab": spec.f in body should be at least 3 chars long']],
  ['maximum', { type: 'integer', maximum: 10 }, 11, ['spec.f: Invalid value: 11: spec.f in body should be less than or equal to 10']],
  ['maximum equal', { type: 'integer', maximum: 10 }, 10, []],
  [
    'exclusive maximum',
    { type: 'integer', maximum: 10, exclusiveMaximum: true },
    10,
    ['spec.f: Invalid value: 10: spec.f in body should be less than 10'],
  ],
  [
    'minimum',
    { type: 'number', minimum: 0.5 },
    0.25,
    ['spec.f: Invalid value: 0.25: spec.f in body should be greater than or equal to 0.5'],
  ],
  [
    'exclusive minimum',
    { type: 'integer', minimum: 0, exclusiveMinimum: true },
    0,
    ['spec.f: Invalid value: 0: spec.f in body should be greater than 0'],
  ],
  ['multipleOf', { type: 'integer', multipleOf: 5 }, 12, ['spec.f: Invalid value: 12: spec.f in body should be a multiple of 5']],
  [
    'multipleOf not positive',
    { type: 'integer', multipleOf: -2 },
    4,
    ['spec.f: Invalid value: 4: factor MultipleOf declared for spec.f must be positive: -2'],
  ],
  [
    'float bound printed as Go does',
    { type: 'number', maximum: 1500000 },
    1500000.5,
    ['spec.f: Invalid value: 1500000.5: spec.f in body should be less than or equal to 1.5e+06'],
  ],
  [
    'integer bound for integer values',
    { type: 'number', maximum: 1500000 },
    1500001,
    ['spec.f: Invalid value: 1500001: spec.f in body should be less than or equal to 1500000'],
  ],
  [
    'fractional bound of an integer schema',
    { type: 'integer', maximum: 2.5 },
    3,
    ['spec.f: Invalid value: 3: spec.f in body should be less than or equal to 2.5'],
  ],
  ['multipleOf fraction', { type: 'number', multipleOf: 0.5 }, 1.5, []],
  [
    'minItems',
    { type: 'array', items: { type: 'string' }, minItems: 2 },
    ['a'],
    ['spec.f: Invalid value: 1: spec.f in body should have at least 2 items'],
  ],
  ['maxItems', { type: 'array', items: { type: 'string' }, maxItems: 1 }, ['a', 'b'], ['spec.f: Too many: 2: must have at most 1 items']],
  [
    'uniqueItems',
    { type: 'array', items: { type: 'integer' }, uniqueItems: true },
    [1, 1],
    [`spec.f: Invalid value: "": spec.f in body shouldn't contain duplicates`],
  ],
  [
    'item type',
    { type: 'array', items: { type: 'integer' } },
    [1, 'x'],
    ['spec.f[1]: Invalid value: "string": spec.f[1] in body must be of type integer: "string"'],
  ],
  [
    'minProperties',
    { type: 'object', minProperties: 2, additionalProperties: { type: 'string' } },
    { a: 'x' },
    ['spec.f: Invalid value: 1: spec.f in body should have at least 2 properties'],
  ],
  [
    'maxProperties',
    { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } },
    { a: 'x', b: 'y' },
    ['spec.f: Too many: 2: must have at most 1 items'],
  ],
  [
    'additionalProperties schema',
    { type: 'object', additionalProperties: { type: 'integer' } },
    { a: 1, b: 'x' },
    ['spec.f.b: Invalid value: "string": spec.f.b in body must be of type integer: "string"'],
  ],
  [
    'additionalProperties false',
    { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false as never },
    { a: 'x', b: 'y' },
    ['spec.f: Invalid value: "b": spec.f.b in body is a forbidden property'],
  ],
  ['required', { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] }, {}, ['spec.f.a: Required value']],
  ['int-or-string int', { 'x-kubernetes-int-or-string': true }, 5, []],
  ['int-or-string string', { 'x-kubernetes-int-or-string': true }, '50%', []],
  [
    'int-or-string bool',
    { 'x-kubernetes-int-or-string': true },
    true,
    ['spec.f: Invalid value: "boolean": spec.f in body must be of type integer,string: "boolean"'],
  ],
  [
    'int-or-string float',
    { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
    1.5,
    ['spec.f: Invalid value: "number": spec.f in body must be of type integer,string: "number"'],
  ],
  ['preserve-unknown without type', { 'x-kubernetes-preserve-unknown-fields': true }, { any: [1, { b: 2 }] }, []],
  ['format int32 not checked', { type: 'integer', format: 'int32' }, 2 ** 40, []],
  ['format unknown not checked', { type: 'string', format: 'whatever' }, 'x', []],
  ['date-time ok', { type: 'string', format: 'date-time' }, '2024-05-01T10:00:00Z', []],
  [
    'date-time bad',
    { type: 'string', format: 'date-time' },
    '2024-13-01',
    ['spec.f: Invalid value: "2024-13-01": spec.f in body must be of type date-time: "2024-13-01"'],
  ],
  ['date ok', { type: 'string', format: 'date' }, '2024-02-29', []],
  [
    'date bad',
    { type: 'string', format: 'date' },
    '2023-02-29',
    ['spec.f: Invalid value: "2023-02-29": spec.f in body must be of type date: "2023-02-29"'],
  ],
  ['byte ok', { type: 'string', format: 'byte' }, 'aGVsbG8=', []],
  ['byte bad', { type: 'string', format: 'byte' }, 'a!', ['spec.f: Invalid value: "a!": spec.f in body must be of type byte: "a!"']],
  ['uuid ok', { type: 'string', format: 'uuid' }, '123e4567-e89b-12d3-a456-426614174000', []],
  ['uuid bad', { type: 'string', format: 'uuid' }, 'nope', ['spec.f: Invalid value: "nope": spec.f in body must be of type uuid: "nope"']],
  [
    'uuid4 bad version',
    { type: 'string', format: 'uuid4' },
    '123e4567-e89b-12d3-a456-426614174000',
    [
      'spec.f: Invalid value: "123e4567-e89b-12d3-a456-426614174000": spec.f in body must be of type uuid4: "123e4567-e89b-12d3-a456-426614174000"',
    ],
  ],
  [
    'ipv4',
    { type: 'string', format: 'ipv4' },
    '10.0.0.300',
    ['spec.f: Invalid value: "10.0.0.300": spec.f in body must be of type ipv4: "10.0.0.300"'],
  ],
  ['ipv6 ok', { type: 'string', format: 'ipv6' }, 'fd00::1', []],
  [
    'cidr',
    { type: 'string', format: 'cidr' },
    '10.0.0.0/33',
    ['spec.f: Invalid value: "10.0.0.0/33": spec.f in body must be of type cidr: "10.0.0.0/33"'],
  ],
  ['hostname ok', { type: 'string', format: 'hostname' }, 'a.example.com', []],
  ['email ok', { type: 'string', format: 'email' }, 'me@example.com', []],
  ['mac ok', { type: 'string', format: 'mac' }, '00:1a:2b:3c:4d:5e', []],
  ['duration ok', { type: 'string', format: 'duration' }, '1h30m', []],
  [
    'duration bad',
    { type: 'string', format: 'duration' },
    'soon',
    ['spec.f: Invalid value: "soon": spec.f in body must be of type duration: "soon"'],
  ],
  [
    'anyOf none',
    { type: 'integer', anyOf: [{ minimum: 10 }, { maximum: 2 }] },
    5,
    [
      '<nil>: Invalid value: "": "spec.f" must validate at least one schema (anyOf)',
      'spec.f: Invalid value: 5: spec.f in body should be greater than or equal to 10',
    ],
  ],
  ['anyOf one', { type: 'integer', anyOf: [{ minimum: 10 }, { maximum: 6 }] }, 5, []],
  [
    'allOf',
    { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 3 }] },
    5,
    [
      'spec.f: Invalid value: 5: spec.f in body should be less than or equal to 3',
      '<nil>: Invalid value: "": "spec.f" must validate all the schemas (allOf)',
    ],
  ],
  [
    'oneOf two',
    { type: 'integer', oneOf: [{ minimum: 1 }, { maximum: 9 }] },
    5,
    ['<nil>: Invalid value: "": "spec.f" must validate one and only one schema (oneOf). Found 2 valid alternatives'],
  ],
  ['not', { type: 'string', not: { enum: ej('x') } }, 'x', ['<nil>: Invalid value: "": "spec.f" must not validate the schema (not)']],
  [
    'set uniqueness',
    { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    ['a', 'b', 'a', 'a'],
    ['spec.f[2]: Duplicate value: "a"'],
  ],
  [
    'set of objects',
    {
      type: 'array',
      'x-kubernetes-list-type': 'set',
      items: { type: 'object', 'x-kubernetes-map-type': 'atomic', 'x-kubernetes-preserve-unknown-fields': true },
    },
    [{ a: 1 }, { a: 1 }],
    ['spec.f[1]: Duplicate value: {"a":1}'],
  ],
  [
    'map list uniqueness',
    {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', properties: { name: { type: 'string' }, v: { type: 'integer' } } },
    },
    [
      { name: 'a', v: 1 },
      { name: 'a', v: 2 },
    ],
    ['spec.f[1]: Duplicate value: {"name":"a"}'],
  ],
  [
    'map list two keys',
    {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['port', 'protocol'],
      items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } },
    },
    [
      { port: 80, protocol: 'TCP' },
      { port: 80, protocol: 'UDP' },
      { port: 80, protocol: 'TCP' },
    ],
    ['spec.f[2]: Duplicate value: {"port":80,"protocol":"TCP"}'],
  ],
  [
    'map list non-object',
    {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
    ['x'],
    [
      'spec.f[0]: Invalid value: "string": spec.f[0] in body must be of type object: "string"',
      'spec.f[0]: Invalid value: "x": must be an object for an array of list-type map',
    ],
  ],
  [
    'embedded ok',
    { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } },
    [],
  ],
  [
    'embedded missing kind',
    { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
    { apiVersion: 'v1' },
    ['spec.f.kind: Required value: must not be empty'],
  ],
  [
    'embedded bad metadata name',
    { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a/b' } },
    [`spec.f.metadata.name: Invalid value: "a/b": may not contain '/'`],
  ],
  [
    'embedded bad kind',
    { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
    { apiVersion: 'v1', kind: 'a_b' },
    [
      "spec.f.kind: Invalid value: \"a_b\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ],
  ],
];

for (const [name, schema, value, want] of cases) {
  test(`validateAgainstSchema: ${name}`, () => assert.deepEqual(withF(schema, value), want));
}

test('validateAgainstSchema: metadata, apiVersion and kind are not checked here', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: { metadata: { type: 'object' }, spec: { type: 'object' } },
  };
  assert.deepEqual(texts(schema, { apiVersion: 1, kind: [], metadata: 'x', spec: {} }), []);
  assert.deepEqual(texts(schema, { apiVersion: 'a/v1', kind: 'A', metadata: {} }), ['spec: Required value']);
});

test('validateAgainstSchema: a CRD may restrict metadata.name', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 5 } } } },
  };
  assert.deepEqual(texts(schema, { metadata: { name: 'toolong', labels: { a: 'b' } } }), [
    'metadata.name: Too long: may not be more than 5 bytes',
  ]);
  assert.deepEqual(texts(schema, { metadata: { name: 'ok' } }), []);
});

test('validateAgainstSchema: nested paths through arrays and maps', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          ports: { type: 'array', items: { type: 'object', required: ['port'], properties: { port: { type: 'integer', minimum: 1 } } } },
          extra: { type: 'object', additionalProperties: { type: 'object', properties: { n: { type: 'integer' } } } },
        },
      },
    },
  };
  assert.deepEqual(texts(schema, { spec: { ports: [{ port: 0 }, {}], extra: { k: { n: 'x' } } } }), [
    'spec.ports[0].port: Invalid value: 0: spec.ports[0].port in body should be greater than or equal to 1',
    'spec.ports[1].port: Required value',
    'spec.extra.k.n: Invalid value: "string": spec.extra.k.n in body must be of type integer: "string"',
  ]);
});

test('validateAgainstSchema: list-type checks reach into additionalProperties values with upstream key paths', () => {
  const schema: JSONSchemaProps = spec({
    type: 'object',
    additionalProperties: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'integer' } },
  });
  assert.deepEqual(texts(schema, { spec: { f: { k: [1, 1] } } }), ['spec.f[k][1]: Duplicate value: 1']);
});
