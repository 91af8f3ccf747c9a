import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KindDef } from '../kind.js';
import { buildOpenApiV3, buildOpenApiV3Index, openApiV3Hash } from './openapi-v3.js';

type J = { [k: string]: unknown };
const isObj = (v: unknown): v is J => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (v: unknown, ...keys: string[]): unknown => keys.reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), v);

const table = { columns: [], row: () => [] };
const base = { shortNames: [], categories: ['all'], generation: true, hasStatus: true, table };
const ALL = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const deploymentKind: KindDef = {
  ...base,
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  namespaced: true,
  verbs: ALL,
  schema: 'io.k8s.api.apps.v1.Deployment',
  subresources: [
    { name: 'status', group: 'apps', version: 'v1', kind: 'Deployment', verbs: ['get', 'patch', 'update'] },
    { name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
  ],
};
const coreKinds: KindDef[] = [
  {
    ...base,
    group: '',
    version: 'v1',
    kind: 'Pod',
    listKind: 'PodList',
    plural: 'pods',
    singular: 'pod',
    namespaced: true,
    verbs: ALL,
    schema: 'io.k8s.api.core.v1.Pod',
    subresources: [
      { name: 'status', group: '', version: 'v1', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
      { name: 'binding', group: '', version: 'v1', kind: 'Binding', verbs: ['create'] },
      { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
      { name: 'log', group: '', version: 'v1', kind: 'Pod', verbs: ['get'] },
      { name: 'exec', group: '', version: 'v1', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    ],
  },
  {
    ...base,
    group: '',
    version: 'v1',
    kind: 'Node',
    listKind: 'NodeList',
    plural: 'nodes',
    singular: 'node',
    namespaced: false,
    verbs: ALL,
    schema: 'io.k8s.api.core.v1.Node',
    subresources: [],
  },
  {
    ...base,
    group: '',
    version: 'v1',
    kind: 'Service',
    listKind: 'ServiceList',
    plural: 'services',
    singular: 'service',
    namespaced: true,
    verbs: ALL,
    schema: 'io.k8s.api.core.v1.Service',
    subresources: [],
  },
  {
    ...base,
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    listKind: 'ConfigMapList',
    plural: 'configmaps',
    singular: 'configmap',
    namespaced: true,
    verbs: ALL,
    schema: 'io.k8s.api.core.v1.ConfigMap',
    subresources: [],
  },
];

function refsIn(v: unknown, out: string[]): string[] {
  if (Array.isArray(v)) for (const x of v) refsIn(x, out);
  else if (isObj(v))
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refsIn(x, out);
    }
  return out;
}

function patchOps(doc: unknown): J[] {
  const paths = get(doc, 'paths');
  return isObj(paths)
    ? Object.values(paths)
        .map((p) => get(p, 'patch'))
        .filter(isObj)
    : [];
}

test('apps/v1: PATCH operation with the GVK, fieldValidation and the four patch types', () => {
  const doc = buildOpenApiV3({ group: 'apps', version: 'v1' }, [deploymentKind]);
  assert.equal(get(doc, 'openapi'), '3.0.0');
  const patch = get(doc, 'paths', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}', 'patch');
  assert.deepEqual(get(patch, 'x-kubernetes-group-version-kind'), { group: 'apps', kind: 'Deployment', version: 'v1' });
  assert.equal(get(patch, 'x-kubernetes-action'), 'patch');
  const params = get(patch, 'parameters');
  assert.ok(Array.isArray(params));
  const names = params.map((p) => get(p, 'name'));
  for (const n of ['fieldValidation', 'dryRun', 'fieldManager', 'force']) assert.ok(names.includes(n), n);
  const types = Object.keys(get(patch, 'requestBody', 'content') as J);
  for (const t of [
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
    'application/apply-patch+yaml',
  ])
    assert.ok(types.includes(t), t);
  const scale = get(doc, 'paths', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale', 'patch');
  assert.deepEqual(get(scale, 'x-kubernetes-group-version-kind'), { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  assert.equal(get(doc, 'paths', '/apis/apps/v1/deployments', 'get', 'operationId'), 'listAppsV1DeploymentForAllNamespaces');
  assert.equal(get(doc, 'paths', '/apis/apps/v1/namespaces/{namespace}/deployments', 'post', 'x-kubernetes-action'), 'post');
  assert.equal(get(doc, 'paths', '/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name}', 'get', 'x-kubernetes-action'), 'watch');
  const containers = get(doc, 'components', 'schemas', 'io.k8s.api.core.v1.PodSpec', 'properties', 'containers');
  assert.equal(get(containers, 'x-kubernetes-patch-merge-key'), 'name');
  assert.deepEqual(get(containers, 'items'), { allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.Container' }], default: {} });
  assert.deepEqual(get(doc, 'components', 'schemas', 'io.k8s.api.apps.v1.Deployment', 'x-kubernetes-group-version-kind'), [
    { group: 'apps', kind: 'Deployment', version: 'v1' },
  ]);
  assert.deepEqual(get(doc, 'components', 'schemas', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString'), {
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  });
});

test('without strategic merge (custom resources) the content type is left out', () => {
  const doc = buildOpenApiV3({ group: 'apps', version: 'v1' }, [deploymentKind], { strategicMergePatch: false });
  const types = Object.keys(
    get(doc, 'paths', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}', 'patch', 'requestBody', 'content') as J,
  );
  assert.equal(types.includes('application/strategic-merge-patch+json'), false);
  assert.equal(types.includes('application/merge-patch+json'), true);
});

test('every $ref resolves inside the document', () => {
  for (const [gv, kinds] of [
    [{ group: 'apps', version: 'v1' }, [deploymentKind]],
    [{ group: '', version: 'v1' }, coreKinds],
  ] as const) {
    const doc = buildOpenApiV3(gv, kinds);
    const schemas = get(doc, 'components', 'schemas');
    assert.ok(isObj(schemas));
    const refs = refsIn(doc, []);
    assert.ok(refs.length > 100);
    for (const r of refs) {
      assert.ok(r.startsWith('#/components/schemas/'), r);
      assert.ok(r.slice('#/components/schemas/'.length) in schemas, r);
    }
    assert.ok(patchOps(doc).every((op) => (get(op, 'parameters') as J[]).some((p) => p['name'] === 'fieldValidation')));
  }
});

test('core/v1 paths: cluster-scoped nodes, pod subresources', () => {
  const doc = buildOpenApiV3({ group: '', version: 'v1' }, coreKinds);
  const paths = get(doc, 'paths') as J;
  assert.ok('/api/v1/nodes/{name}' in paths);
  assert.equal('/api/v1/namespaces/{namespace}/nodes' in paths, false);
  assert.equal(get(paths, '/api/v1/nodes/{name}', 'patch', 'operationId'), 'patchCoreV1Node');
  assert.equal(get(paths, '/api/v1/namespaces/{namespace}/pods/{name}/binding', 'post', 'operationId'), 'createCoreV1NamespacedPodBinding');
  assert.deepEqual(get(paths, '/api/v1/namespaces/{namespace}/pods/{name}/eviction', 'post', 'x-kubernetes-group-version-kind'), {
    group: 'policy',
    kind: 'Eviction',
    version: 'v1',
  });
  assert.equal(get(paths, '/api/v1/namespaces/{namespace}/pods/{name}/exec', 'post', 'x-kubernetes-action'), 'connect');
  assert.equal(get(paths, '/api/v1/namespaces/{namespace}/pods/{name}/log', 'get', 'operationId'), 'readCoreV1NamespacedPodLog');
  assert.equal(get(paths, '/api/v1/', 'get', 'operationId'), 'getCoreV1APIResources');
});

// the repo root is four levels above the compiled test (dist*/src/api/schema/)
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const refDir = join(repoRoot, '..', 'shared', 'reference', 'openapi', 'v3');
const skip = existsSync(refDir) ? false : `reference documents not found at ${refDir}`;

/** A schema reduced to its structure: no descriptions (and no unions, which Tandem does not keep). */
function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (!isObj(v)) return v;
  const out: J = {};
  for (const k of Object.keys(v).sort()) if (k !== 'description' && k !== 'x-kubernetes-unions') out[k] = strip(v[k]);
  return out;
}

test('schemas match the reference documents structurally', { skip }, () => {
  const cases: [string, { group: string; version: string }, KindDef[], string[]][] = [
    [
      'apis__apps__v1_openapi.json',
      { group: 'apps', version: 'v1' },
      [deploymentKind],
      [
        'io.k8s.api.apps.v1.Deployment',
        'io.k8s.api.apps.v1.DeploymentSpec',
        'io.k8s.api.core.v1.PodSpec',
        'io.k8s.api.core.v1.Container',
        'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      ],
    ],
    [
      'api__v1_openapi.json',
      { group: '', version: 'v1' },
      coreKinds,
      [
        'io.k8s.api.core.v1.Pod',
        'io.k8s.api.core.v1.Service',
        'io.k8s.api.core.v1.ServiceSpec',
        'io.k8s.api.core.v1.ServicePort',
        'io.k8s.api.core.v1.ConfigMap',
        'io.k8s.api.core.v1.NodeStatus',
      ],
    ],
  ];
  for (const [file, gv, kinds, names] of cases) {
    const ref: unknown = JSON.parse(readFileSync(join(refDir, file), 'utf8'));
    const doc = buildOpenApiV3(gv, kinds);
    for (const n of names) assert.deepEqual(strip(get(doc, 'components', 'schemas', n)), strip(get(ref, 'components', 'schemas', n)), n);
    // every schema we emit is structurally the upstream one
    const ours = get(doc, 'components', 'schemas') as J;
    const theirs = get(ref, 'components', 'schemas') as J;
    for (const n of Object.keys(ours)) if (n in theirs) assert.deepEqual(strip(ours[n]), strip(theirs[n]), n);
    // and the Deployment item path carries the same operations
    if (gv.group === 'apps') {
      const p = '/apis/apps/v1/namespaces/{namespace}/deployments/{name}';
      assert.deepEqual(Object.keys(get(doc, 'paths', p) as J).sort(), Object.keys(get(ref, 'paths', p) as J).sort());
      assert.equal(get(doc, 'paths', p, 'patch', 'operationId'), get(ref, 'paths', p, 'patch', 'operationId'));
    }
  }
});

test('the v3 index names each document with a content hash', () => {
  const a = buildOpenApiV3({ group: 'apps', version: 'v1' }, [deploymentKind]);
  const idx = buildOpenApiV3Index({ 'apis/apps/v1': a, 'api/v1': '{"openapi":"3.0.0"}' });
  const url = idx.paths['apis/apps/v1']?.serverRelativeURL ?? '';
  assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{32}$/);
  assert.equal(url.split('hash=')[1], openApiV3Hash(JSON.stringify(a)));
  assert.notEqual(idx.paths['api/v1']?.serverRelativeURL.split('hash=')[1], url.split('hash=')[1]);
  assert.equal(JSON.stringify(buildOpenApiV3({ group: 'apps', version: 'v1' }, [deploymentKind])), JSON.stringify(a), 'deterministic');
});
