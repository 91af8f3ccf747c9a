import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { allKinds, kindByGVK, kindByResource, kindsByGroupVersion } from './index.js';

test('registry lookups', () => {
  // one kind per group/version/resource
  assert.equal(new Set(allKinds.map((k) => `${k.group}/${k.version}/${k.plural}`)).size, allKinds.length);
  assert.equal(kindByResource('', 'v1', 'pods')?.kind, 'Pod');
  assert.equal(kindByResource('apps', 'v1', 'deployments')?.kind, 'Deployment');
  assert.equal(kindByResource('apps', 'v1', 'pods'), undefined);
  assert.equal(kindByGVK('events.k8s.io', 'v1', 'Event')?.schema, 'io.k8s.api.events.v1.Event');
  assert.equal(kindByGVK('', 'v1', 'Event')?.schema, 'io.k8s.api.core.v1.Event');
  const gv = kindsByGroupVersion();
  assert.deepEqual(
    [...gv.keys()],
    [
      'v1',
      'apps/v1',
      'batch/v1',
      'coordination.k8s.io/v1',
      'node.k8s.io/v1',
      'discovery.k8s.io/v1',
      'events.k8s.io/v1',
      'rbac.authorization.k8s.io/v1',
      'authorization.k8s.io/v1',
      'authentication.k8s.io/v1',
      'certificates.k8s.io/v1',
      'storage.k8s.io/v1',
      'autoscaling/v2',
      'autoscaling/v1',
      'policy/v1',
      'scheduling.k8s.io/v1',
      'apiextensions.k8s.io/v1',
      'networking.k8s.io/v1',
      'apiregistration.k8s.io/v1',
    ],
  );
  assert.equal(gv.get('v1')?.length, 9 + 4 + 2);
});

test("the `all` category and short names are upstream's", () => {
  assert.deepEqual(
    // (a kind served at two versions is in the category once for kubectl, at its preferred version)
    [...new Set(allKinds.filter((k) => k.categories.includes('all')).map((k) => k.plural))].sort(),
    [
      'cronjobs',
      'daemonsets',
      'deployments',
      'horizontalpodautoscalers',
      'jobs',
      'pods',
      'replicasets',
      'replicationcontrollers',
      'services',
      'statefulsets',
    ],
  );
  const short = Object.fromEntries(
    allKinds.filter((k) => k.group === '' || k.group === 'apps').map((k) => [k.plural, k.shortNames.join(',')]),
  );
  assert.deepEqual(short, {
    namespaces: 'ns',
    pods: 'po',
    services: 'svc',
    endpoints: 'ep',
    nodes: 'no',
    configmaps: 'cm',
    secrets: '',
    events: 'ev',
    serviceaccounts: 'sa',
    deployments: 'deploy',
    replicasets: 'rs',
    daemonsets: 'ds',
    persistentvolumes: 'pv',
    persistentvolumeclaims: 'pvc',
    podtemplates: '',
    replicationcontrollers: 'rc',
    resourcequotas: 'quota',
    limitranges: 'limits',
    statefulsets: 'sts',
    controllerrevisions: '',
  });
  for (const k of allKinds) {
    assert.equal(k.table.columns.filter((c) => c.format === 'name').length, 1, k.kind);
    assert.equal(k.listKind, `${k.kind}List`);
  }
});

// The official OpenAPI documents, when the shared reference folder is present (dev machines only).
const REF = join(process.cwd(), '..', 'shared', 'reference', 'openapi', 'v3');

test('schemas, verbs and subresources agree with the official OpenAPI documents', { skip: !existsSync(REF) }, () => {
  type Op = { 'x-kubernetes-action'?: string; 'x-kubernetes-group-version-kind'?: { kind?: string } };
  for (const [gvName, kinds] of kindsByGroupVersion()) {
    const file = gvName === 'v1' ? 'api__v1_openapi.json' : `apis__${gvName.replace('/', '__')}_openapi.json`;
    const doc = JSON.parse(readFileSync(join(REF, file), 'utf8')) as {
      paths: Record<string, Record<string, Op>>;
      components: { schemas: Record<string, unknown> };
    };
    const prefix = gvName === 'v1' ? '/api/v1/' : `/apis/${gvName}/`;
    for (const k of kinds) {
      assert.ok(doc.components.schemas[k.schema], `${k.schema} in ${file}`);
      const coll = `${prefix}${k.namespaced ? 'namespaces/{namespace}/' : ''}${k.plural}`;
      const actions = new Set<string>();
      const watchColl = `${prefix}watch/${k.namespaced ? 'namespaces/{namespace}/' : ''}${k.plural}`;
      for (const p of [coll, `${coll}/{name}`, watchColl, `${watchColl}/{name}`])
        for (const op of Object.values(doc.paths[p] ?? {})) if (op['x-kubernetes-action']) actions.add(op['x-kubernetes-action']);
      const verbMap: Record<string, string> = { post: 'create', put: 'update', watchlist: 'watch' };
      const verbs = [...actions]
        .map((a) => verbMap[a] ?? a)
        .filter((v, i, all) => all.indexOf(v) === i)
        .sort();
      assert.deepEqual(verbs, [...k.verbs].sort(), `${k.plural} verbs`);
      for (const s of k.subresources) {
        const ops = Object.values(doc.paths[`${coll}/{name}/${s.name}`] ?? {});
        assert.ok(
          ops.some((o) => o['x-kubernetes-group-version-kind']?.kind === s.kind),
          `${k.plural}/${s.name} -> ${s.kind}`,
        );
      }
    }
  }
});
