import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CustomResourceDefinition } from '../../gen/types.js';
import { crdKind } from './crd.js';
import { customKindsOf, versionPriority } from './custom-kinds.js';

const base = (): CustomResourceDefinition => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.g.example.com' },
  spec: {
    group: 'g.example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } },
        },
        subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size' } },
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
      },
      { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
    ],
  },
});
const fields = (c: CustomResourceDefinition, old?: CustomResourceDefinition) => {
  crdKind.defaults!(c);
  return crdKind.validate!(c, old).map((e) => `${e.field}: ${e.detail}`);
};

test('defaults: singular, listKind, conversion None; a valid CRD passes', () => {
  const c = base();
  assert.deepEqual(fields(c), []);
  assert.equal(c.spec.names.singular, 'widget');
  assert.equal(c.spec.names.listKind, 'WidgetList');
  assert.deepEqual(c.spec.conversion, { strategy: 'None' });
});

test('upstream rules on names, versions, subresources, columns and conversion', () => {
  const cases: [(c: CustomResourceDefinition) => void, string][] = [
    [(c) => (c.metadata.name = 'widgets.other.com'), 'metadata.name: must be spec.names.plural+"."+spec.group'],
    [(c) => ((c.spec.group = 'local'), (c.metadata.name = 'widgets.local')), 'spec.group: should be a domain with at least one dot'],
    [(c) => (c.spec.versions[1]!.storage = true), 'spec.versions: must have exactly one version marked as storage version'],
    [(c) => (c.spec.versions[1]!.name = 'v1'), 'spec.versions: must contain unique version names'],
    [(c) => delete c.spec.versions[1]!.schema, 'spec.versions[1].schema.openAPIV3Schema: schemas are required'],
    [
      (c) => (c.spec.versions[0]!.subresources!.scale!.specReplicasPath = '.status.x'),
      'spec.versions[0].subresources.scale.specReplicasPath: should be a json path under .spec',
    ],
    [
      (c) => (c.spec.versions[0]!.additionalPrinterColumns![0]!.type = 'float'),
      'spec.versions[0].additionalPrinterColumns[0].type: must be one of boolean,date,integer,number,string',
    ],
    [
      (c) => (c.spec.versions[0]!.additionalPrinterColumns![0]!.jsonPath = 'spec.size'),
      'spec.versions[0].additionalPrinterColumns[0].jsonPath: must be a simple json path starting with .',
    ],
    [(c) => (c.spec.names.listKind = 'Widget'), 'spec.names.listKind: kind and listKind may not be the same'],

    [(c) => (c.spec.scope = 'Global'), 'spec.scope: supported values: "Cluster", "Namespaced"'],
    [
      (c) => (c.spec.conversion = { strategy: 'Webhook' }),
      'spec.conversion.strategy: Webhook conversion is not supported by this server; use None (objects are served at every version with only apiVersion changed)',
    ],
  ];
  for (const [change, want] of cases) {
    const c = base();
    change(c);
    assert.ok(fields(c).includes(want), `${want}\n got ${fields(c).join('\n')}`);
  }
});

test('with the status subresource, the root schema may only use some keywords (upstream)', () => {
  const c = base();
  c.spec.versions[0]!.schema!.openAPIV3Schema!.anyOf = [{ required: ['spec'] }];
  const got = fields(c).filter((f) => f.startsWith('spec.versions[0].schema.openAPIV3Schema: only ['));
  assert.equal(got.length, 1, fields(c).join('\n'));
  assert.match(got[0] ?? '', /fields are allowed at the root of the schema if the status subresource is enabled$/);
  // without the subresource the same schema is fine
  const d = base();
  d.spec.versions[0]!.schema!.openAPIV3Schema!.anyOf = [{ required: ['spec'] }];
  delete d.spec.versions[0]!.subresources!.status;
  assert.deepEqual(fields(d), []);
});

test('updates: scope is immutable, a stored version cannot leave spec.versions', () => {
  const old = base();
  crdKind.defaults!(old);
  old.status = { storedVersions: ['v1beta1', 'v1'] };
  const c = structuredClone(old);
  c.spec.scope = 'Cluster';
  c.spec.versions = [c.spec.versions[0]!];
  const errs = fields(c, old);
  assert.ok(errs.includes('spec.scope: field is immutable'), errs.join('\n'));
  assert.ok(
    errs.some((e) => e.startsWith('status.storedVersions[0]: missing from spec.versions; v1beta1 was previously a storage version')),
    errs.join('\n'),
  );
});

test('a CRD serves one kind per served version, stored at the storage version, with its columns and scale paths', () => {
  const c = base();
  crdKind.defaults!(c);
  const { kinds, definitions } = customKindsOf(c);
  assert.deepEqual(
    kinds.map((k) => [k.version, k.storageVersion, k.schema]),
    [
      ['v1', 'v1', 'com.example.g.v1.Widget'],
      ['v1beta1', 'v1', 'com.example.g.v1beta1.Widget'],
    ],
  );
  const v1 = kinds[0]!;
  assert.deepEqual(
    v1.subresources.map((s) => s.name),
    ['status', 'scale'],
  );
  assert.ok(v1.hasStatus && !kinds[1]!.hasStatus);
  assert.deepEqual(v1.scalePaths, { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size' });
  assert.deepEqual(
    v1.table.columns.map((x) => x.name),
    ['Name', 'Size'],
  );
  assert.deepEqual(v1.table.row({ apiVersion: 'g.example.com/v1', kind: 'Widget', metadata: { name: 'a' }, spec: { size: 2 } }, 0), [
    'a',
    2,
  ]);
  assert.deepEqual(
    kinds[1]!.table.columns.map((x) => x.name),
    ['Name', 'Age'],
    'Age when a version has no columns',
  );
  const beta = structuredClone(c);
  beta.spec.versions.reverse();
  assert.deepEqual(
    customKindsOf(beta).kinds.map((k) => k.version),
    ['v1', 'v1beta1'],
    'the preferred (GA) version comes first whatever the spec order',
  );
  assert.deepEqual(
    ['v1alpha1', 'foo', 'v2', 'v1beta2', 'v1', 'v1beta1'].sort((a, b) => versionPriority(b) - versionPriority(a)),
    ['v2', 'v1', 'v1beta2', 'v1beta1', 'v1alpha1', 'foo'],
  );
  const root = definitions['com.example.g.v1.Widget'];
  assert.ok(root?.kind === 'object' && root.fields['metadata'] && root.fields['spec']);
});
