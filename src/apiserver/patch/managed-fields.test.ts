import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Json, JsonObject, ManagedFieldsEntry } from '../../api/object.js';
import { StatusError } from '../../base/errors.js';
import { applyJsonPatch } from './json-patch.js';
import { applyPatch, createManagedFieldsJson, updateManagedFields } from './managed-fields.js';
import { DEPLOYMENT, lookup } from './testing/fixture.js';

const T1 = '2025-01-01T00:00:00Z';
const T2 = '2025-01-02T00:00:00Z';
const base = { apiVersion: 'apps/v1', time: T1, rootDef: DEPLOYMENT, lookup, ignoreStatus: true };
const K = (name: string) => `k:{"name":"${name}"}`;

function manifest(opts: { replicas?: number; containers?: JsonObject[]; labels?: Record<string, string> } = {}): JsonObject {
  const spec: JsonObject = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: opts.containers ?? [{ name: 'nginx', image: 'nginx:1.25' }] } },
  };
  if (opts.replicas !== undefined) spec['replicas'] = opts.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...(opts.labels ? { labels: opts.labels } : {}) },
    spec,
  };
}
const mf = (o: JsonObject): ManagedFieldsEntry[] =>
  ((o['metadata'] as JsonObject)['managedFields'] ?? []) as unknown as ManagedFieldsEntry[];
const entry = (o: JsonObject, manager: string, operation: string) => mf(o).find((e) => e.manager === manager && e.operation === operation);
const spec = (o: JsonObject) => o['spec'] as JsonObject;
const containers = (o: JsonObject) => ((spec(o)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[];
const apply = (live: JsonObject | undefined, cfg: Json, manager: string, force = false, time = T1) =>
  applyPatch(live, cfg, { ...base, manager, force, time }).object;

function expectConflict(fn: () => unknown, message: string, causes: { reason: string; message: string; field: string }[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, 409);
    assert.equal(e.reason, 'Conflict');
    assert.equal(e.message, message);
    assert.deepEqual(e.details?.causes, causes);
    return true;
  });
}

test('ssa: create through apply records one Apply entry with upstream FieldsV1 shape', () => {
  const obj = apply(undefined, manifest({ replicas: 2 }), 'kubectl');
  assert.equal(spec(obj)['replicas'], 2);
  assert.deepEqual(mf(obj), [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: T1,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': { 'f:containers': { [K('nginx')]: { '.': {}, 'f:image': {}, 'f:name': {} } } },
          },
        },
      },
    },
  ]);
});

test('ssa: re-apply without a field removes it; unchanged re-apply keeps the entry time', () => {
  const one = apply(undefined, manifest({ replicas: 2, labels: { team: 'a' } }), 'kubectl');
  const same = apply(one, manifest({ replicas: 2, labels: { team: 'a' } }), 'kubectl', false, T2);
  assert.equal(entry(same, 'kubectl', 'Apply')?.time, T1, 'nothing changed: time kept');
  const two = apply(same, manifest({}), 'kubectl', false, T2);
  assert.equal(spec(two)['replicas'], undefined);
  assert.equal((two['metadata'] as JsonObject)['labels'], undefined, 'emptied label map is dropped');
  assert.equal(entry(two, 'kubectl', 'Apply')?.time, T2);
  assert.deepEqual(containers(two), [{ name: 'nginx', image: 'nginx:1.25' }]);
});

test('ssa: conflict with an Update manager is a 409 with FieldManagerConflict causes; force takes over', () => {
  const created = updateManagedFields(undefined, manifest({ replicas: 3 }), { ...base, manager: 'kubectl-client-side-apply' });
  expectConflict(
    () => apply(created, manifest({ replicas: 5 }), 'kubectl'),
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }],
  );

  const forced = apply(created, manifest({ replicas: 5 }), 'kubectl', true);
  assert.equal(spec(forced)['replicas'], 5);
  const csa = entry(forced, 'kubectl-client-side-apply', 'Update');
  assert.ok(csa, 'csa still owns the other fields');
  assert.equal(((csa.fieldsV1 as JsonObject)['f:spec'] as JsonObject)['f:replicas'], undefined, 'csa lost .spec.replicas');
  assert.deepEqual(((entry(forced, 'kubectl', 'Apply')?.fieldsV1 as JsonObject)['f:spec'] as JsonObject)['f:replicas'], {});
  assert.equal(mf(forced)[0]?.operation, 'Apply', 'Apply entries sort first');
});

test('ssa: several conflicts across managers use the multi-line message', () => {
  const a = apply(undefined, manifest({ replicas: 1, containers: [{ name: 'nginx', image: 'a' }] }), 'alpha');
  expectConflict(
    () => apply(a, manifest({ replicas: 2, containers: [{ name: 'nginx', image: 'b' }] }), 'beta'),
    'Apply failed with 2 conflicts: conflicts with "alpha":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    [
      { reason: 'FieldManagerConflict', message: 'conflict with "alpha"', field: '.spec.replicas' },
      { reason: 'FieldManagerConflict', message: 'conflict with "alpha"', field: '.spec.template.spec.containers[name="nginx"].image' },
    ],
  );
});

test('ssa: applying the same value is no conflict and the field becomes shared; it survives one owner leaving', () => {
  const a = apply(undefined, manifest({ replicas: 3 }), 'alpha');
  const b = apply(a, manifest({ replicas: 3 }), 'beta');
  for (const m of ['alpha', 'beta'])
    assert.deepEqual(((entry(b, m, 'Apply')?.fieldsV1 as JsonObject)['f:spec'] as JsonObject)['f:replicas'], {}, m);
  const c = apply(b, manifest({}), 'alpha');
  assert.equal(spec(c)['replicas'], 3, 'beta still owns it');
  assert.equal(((entry(c, 'alpha', 'Apply')?.fieldsV1 as JsonObject)['f:spec'] as JsonObject)['f:replicas'], undefined);
});

test('ssa: two appliers each own a different container of one list-map', () => {
  const a = apply(undefined, manifest({ containers: [{ name: 'app', image: 'app:1' }] }), 'alpha');
  const b = apply(
    a,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'side:1' }] } } },
    },
    'beta',
  );
  assert.deepEqual(
    containers(b).map((c) => c['name']),
    ['app', 'sidecar'],
  );
  const betaFields = entry(b, 'beta', 'Apply')?.fieldsV1 as JsonObject;
  const betaContainers = (((betaFields['f:spec'] as JsonObject)['f:template'] as JsonObject)['f:spec'] as JsonObject)[
    'f:containers'
  ] as JsonObject;
  assert.deepEqual(Object.keys(betaContainers), [K('sidecar')]);
  const a2 = apply(b, manifest({ containers: [{ name: 'app', image: 'app:2' }] }), 'alpha');
  assert.deepEqual(containers(a2), [
    { name: 'app', image: 'app:2' },
    { name: 'sidecar', image: 'side:1' },
  ]);
  const a3 = apply(a2, manifest({ containers: [] }), 'alpha');
  assert.deepEqual(containers(a3), [{ name: 'sidecar', image: 'side:1' }], 'alpha dropped its container; beta keeps its own');
});

test('ssa: a container owned partly by another manager loses only the applier fields', () => {
  const a = apply(undefined, manifest({ containers: [{ name: 'app', image: 'app:1' }] }), 'alpha');
  const b = apply(
    a,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'X', value: '1' }] }] } } },
    },
    'beta',
  );
  const a2 = apply(b, manifest({ containers: [] }), 'alpha');
  assert.deepEqual(containers(a2), [{ name: 'app', env: [{ name: 'X', value: '1' }] }]);
});

test('ssa: multi-key list-map items use the key default (ports protocol TCP)', () => {
  const o = apply(undefined, manifest({ containers: [{ name: 'nginx', ports: [{ containerPort: 80 }] }] }), 'kubectl');
  const f = JSON.stringify(entry(o, 'kubectl', 'Apply')?.fieldsV1);
  assert.ok(f.includes('"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}'), f);
});

test('ssa: atomic parts replace, granular maps merge, sets union', () => {
  const a = apply(undefined, { ...manifest(), metadata: { name: 'web', labels: { a: '1' }, finalizers: ['x'] } }, 'alpha');
  const b = apply(
    a,
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { b: '2' }, finalizers: ['y'] } },
    'beta',
  );
  assert.deepEqual((b['metadata'] as JsonObject)['labels'], { a: '1', b: '2' });
  assert.deepEqual((b['metadata'] as JsonObject)['finalizers'], ['x', 'y']);
  assert.deepEqual(
    JSON.stringify(entry(b, 'beta', 'Apply')?.fieldsV1),
    '{"f:metadata":{"f:finalizers":{"v:\\"y\\"":{}},"f:labels":{"f:b":{}}}}',
  );
  // selector is an atomic struct: beta setting a different one conflicts with alpha as a whole.
  expectConflict(
    () =>
      apply(
        b,
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { other: 'x' } } } },
        'beta',
      ),
    'Apply failed with 1 conflict: conflict with "alpha": .spec.selector',
    [{ reason: 'FieldManagerConflict', message: 'conflict with "alpha"', field: '.spec.selector' }],
  );
  const forced = apply(
    b,
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { other: 'x' } } } },
    'beta',
    true,
  );
  assert.deepEqual(spec(forced)['selector'], { matchLabels: { other: 'x' } }, 'atomic: replaced, not merged');
});

test('ssa: bad applied configurations are 4xx', () => {
  assert.throws(
    () => apply(undefined, manifest({ containers: [{ image: 'x' }] }), 'kubectl'),
    (e: unknown) => e instanceof StatusError && e.code === 422 && /omits key field "name"/.test(e.message),
  );
  assert.throws(
    () => apply(undefined, manifest({ containers: [{ name: 'a' }, { name: 'a' }] }), 'kubectl'),
    (e: unknown) => e instanceof StatusError && e.code === 422 && /duplicate entries/.test(e.message),
  );
  assert.throws(
    () => apply(undefined, { metadata: { managedFields: [] } }, 'kubectl'),
    (e: unknown) => e instanceof StatusError && e.code === 400 && /managedFields must be nil/.test(e.message),
  );
  assert.throws(
    () => apply(undefined, [1], 'kubectl'),
    (e: unknown) => e instanceof StatusError && e.code === 400,
  );
});

test('ssa: status and system metadata are not tracked; applied status is ignored when ignoreStatus', () => {
  const live: JsonObject = { ...manifest({ replicas: 1 }), status: { replicas: 1 } };
  const created: JsonObject = {
    ...live,
    metadata: {
      ...(live['metadata'] as JsonObject),
      managedFields: JSON.parse(createManagedFieldsJson(live, { ...base, manager: 'ctl' }) ?? '[]') as Json,
    },
  };
  const o = apply(
    created,
    { ...manifest({ replicas: 1 }), status: { replicas: 9 }, metadata: { name: 'web', uid: 'u', resourceVersion: '5' } },
    'kubectl',
  );
  assert.deepEqual(o['status'], { replicas: 1 });
  for (const e of mf(o)) {
    const top = Object.keys(e.fieldsV1 ?? {});
    assert.ok(
      top.every((k) => k === 'f:spec' || k === 'f:metadata'),
      top.join(),
    );
    const meta = Object.keys(((e.fieldsV1 ?? {})['f:metadata'] ?? {}) as JsonObject);
    for (const f of ['f:uid', 'f:resourceVersion', 'f:name', 'f:namespace', 'f:managedFields']) assert.ok(!meta.includes(f), f);
  }
});

test('update: ownership moves to the writer of a changed field; removed fields leave every set', () => {
  const created = updateManagedFields(undefined, manifest({ replicas: 1, labels: { app: 'web', tier: 'x' } }), {
    ...base,
    manager: 'kubectl-client-side-apply',
  });
  assert.deepEqual(
    mf(created).map((e) => [e.manager, e.operation]),
    [['kubectl-client-side-apply', 'Update']],
  );
  const f0 = entry(created, 'kubectl-client-side-apply', 'Update')?.fieldsV1 as JsonObject;
  assert.deepEqual((f0['f:metadata'] as JsonObject)['f:labels'], { '.': {}, 'f:app': {}, 'f:tier': {} });
  // kubectl label app=api, tier- (merge patch by kubectl-label)
  const next = structuredClone(created);
  (next['metadata'] as JsonObject)['labels'] = { app: 'api' };
  const labelled = updateManagedFields(created, next, { ...base, manager: 'kubectl-label', time: T2 });
  const csa = entry(labelled, 'kubectl-client-side-apply', 'Update')?.fieldsV1 as JsonObject;
  assert.deepEqual((csa['f:metadata'] as JsonObject)['f:labels'], {}, 'csa lost app (taken) and tier (removed)');
  assert.equal(entry(labelled, 'kubectl-client-side-apply', 'Update')?.time, T1, 'only the writer gets a new time');
  const lab = entry(labelled, 'kubectl-label', 'Update');
  assert.deepEqual(lab?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:app': {} } } });
  assert.equal(lab?.time, T2);
  // A no-op update adds no entry.
  const noop = updateManagedFields(labelled, structuredClone(labelled), { ...base, manager: 'someone', time: T2 });
  assert.equal(entry(noop, 'someone', 'Update'), undefined);
  assert.deepEqual(mf(noop), mf(labelled));
});

test('update: managedFields supplied by the client are honoured; [{}] clears them', () => {
  const created = updateManagedFields(undefined, manifest({ replicas: 1 }), { ...base, manager: 'a' });
  const cleared = updateManagedFields(
    created,
    { ...created, metadata: { ...(created['metadata'] as JsonObject), managedFields: [{}] } },
    { ...base, manager: 'b' },
  );
  assert.equal((cleared['metadata'] as JsonObject)['managedFields'], undefined);
  const garbage = updateManagedFields(
    created,
    { ...created, metadata: { ...(created['metadata'] as JsonObject), managedFields: [{ manager: 1 }] } },
    { ...base, manager: 'b' },
  );
  assert.deepEqual(mf(garbage), mf(created), 'invalid supplied managedFields fall back to the stored ones');
});

test('CSA -> SSA migration: Update by kubectl-client-side-apply, JSON patch of managedFields, then apply by kubectl', () => {
  // 1. kubectl apply (client-side) created the object.
  const live0 = { ...updateManagedFields(undefined, manifest({ replicas: 3 }), { ...base, manager: 'kubectl-client-side-apply' }) };
  (live0['metadata'] as JsonObject)['resourceVersion'] = '10';
  const csa = entry(live0, 'kubectl-client-side-apply', 'Update');
  assert.ok(csa);
  // 2. kubectl apply --server-side upgrades: the csa entry becomes kubectl's Apply entry.
  const upgraded: ManagedFieldsEntry[] = [{ ...csa, manager: 'kubectl', operation: 'Apply' }];
  const patched = applyJsonPatch(live0, [
    { op: 'test', path: '/metadata/resourceVersion', value: '10' },
    { op: 'replace', path: '/metadata/managedFields', value: upgraded as unknown as Json },
  ]) as JsonObject;
  const live1 = updateManagedFields(live0, patched, { ...base, manager: 'kubectl', time: T2 });
  assert.deepEqual(
    mf(live1).map((e) => [e.manager, e.operation]),
    [['kubectl', 'Apply']],
  );
  // 3. The server-side apply without replicas: no conflict, and replicas (owned only by kubectl now) goes.
  const live2 = apply(live1, manifest({}), 'kubectl', false, T2);
  assert.equal(spec(live2)['replicas'], undefined);
  assert.deepEqual(
    mf(live2).map((e) => [e.manager, e.operation]),
    [['kubectl', 'Apply']],
  );
  // Without the upgrade the same apply would conflict-free keep replicas (csa still owns it).
  const kept = apply(live0, manifest({}), 'kubectl', false, T2);
  assert.equal(spec(kept)['replicas'], 3);
});

test('ssa: many keyed containers apply without quadratic blow-up', () => {
  const n = 3000;
  const cs = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'a' }));
  const a = apply(undefined, manifest({ containers: cs }), 'alpha');
  const b = apply(a, manifest({ containers: cs.map((c) => ({ ...c, image: 'b' })) }), 'alpha');
  assert.equal(containers(b).length, n);
  assert.equal(containers(b)[n - 1]?.['image'], 'b');
});

test('apply keeps a map it still configures when the old entry also owned the map itself (migrated client-side apply)', () => {
  // kubectl's CSA->SSA migration hands an Update-style field set (with `.` on maps) to the applier.
  const live = apply(undefined, manifest({ labels: { app: 'web' } }), 'kubectl');
  const migrated = updateManagedFields(undefined, live, { ...base, manager: 'kubectl-client-side-apply' });
  const entries = mf(migrated).map((e) =>
    e.manager === 'kubectl-client-side-apply' ? { ...e, manager: 'kubectl', operation: 'Apply' as const } : e,
  );
  const liveMigrated = { ...migrated, metadata: { ...(migrated['metadata'] as JsonObject), managedFields: entries as unknown as Json } };
  const out = apply(liveMigrated, manifest({ labels: { app: 'web' } }), 'kubectl');
  const meta = out['metadata'] as JsonObject;
  assert.deepEqual(meta['labels'], { app: 'web' });
  assert.equal(containers(out).length, containers(live).length);
});
