// CustomResourceDefinitions end to end with the real kubectl and @kubernetes/client-node: a CRD with
// two versions (v1 stored, v1beta1 served), a status and a scale subresource, printer columns and
// defaults; discovery and OpenAPI following it live; custom objects applied, listed with their
// columns, explained, validated, merged by server-side apply on list-map keys, read at both versions,
// scaled; and the CRD deleted with its objects. Bad CRDs are refused with 422s naming the field.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startTandem } from './harness.js';
import { AGE, at, createKubectlSession, rows, waitFor } from './kubectl-support.js';

const k = createKubectlSession();
before(() => k.start());
after(() => k.stop());

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.shop.example.com
spec:
  group: shop.example.com
  scope: Namespaced
  names:
    plural: widgets
    singular: widget
    kind: Widget
    shortNames: [wd]
    categories: [shopping]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
        labelSelectorPath: .status.selector
    additionalPrinterColumns:
    - name: Color
      type: string
      jsonPath: .spec.color
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Ready
      type: string
      jsonPath: .status.conditions[?(@.type=="Ready")].status
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        description: A widget sold in the shop.
        properties:
          spec:
            type: object
            description: What the widget should look like.
            required: [color]
            properties:
              color:
                type: string
                description: The widget's colour.
                enum: [red, green, blue]
              size:
                type: integer
                minimum: 1
                default: 3
              replicas:
                type: integer
                default: 1
              ports:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [name]
                items:
                  type: object
                  required: [name]
                  properties:
                    name: {type: string}
                    port: {type: integer}
          status:
            type: object
            properties:
              replicas: {type: integer}
              selector: {type: string}
              conditions:
                type: array
                items:
                  type: object
                  properties:
                    type: {type: string}
                    status: {type: string}
  - name: v1beta1
    served: true
    storage: false
    deprecated: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
`;

const WIDGETS = `apiVersion: shop.example.com/v1
kind: Widget
metadata:
  name: w1
  namespace: default
spec:
  color: red
  unknownField: dropped
---
apiVersion: shop.example.com/v1
kind: Widget
metadata:
  name: w2
  namespace: default
spec:
  color: blue
  size: 5
  replicas: 2
`;

test(
  'a CRD is established and served: discovery, api-resources, explain, OpenAPI',
  k.run(async () => {
    // a namespace deleted before the CRD exists: the namespace controller has read discovery without it
    k.ok(['create', 'namespace', 'before-crd']);
    k.ok(['delete', 'namespace', 'before-crd', '--timeout=20s']);
    k.ok(['apply', '-f', '-'], { input: CRD });
    k.ok(['wait', '--for=condition=Established', 'crd/widgets.shop.example.com', '--timeout=10s']);
    const crd = k.json(['get', 'crd', 'widgets.shop.example.com']);
    const conds = at(crd, 'status', 'conditions') as { type: string; status: string; reason: string }[];
    assert.equal(conds.find((c) => c.type === 'NamesAccepted')?.reason, 'NoConflicts');
    assert.equal(conds.find((c) => c.type === 'Established')?.status, 'True');
    assert.deepEqual(at(crd, 'status', 'storedVersions'), ['v1']);
    assert.equal(at(crd, 'status', 'acceptedNames', 'kind'), 'Widget');
    assert.equal(at(crd, 'spec', 'conversion', 'strategy'), 'None');
    assert.equal(at(crd, 'spec', 'names', 'listKind'), 'WidgetList');
    const crds = k.ok(['get', 'crds']).stdout;
    assert.match(crds.split('\n')[0]!, /^NAME\s+CREATED AT/);
    assert.match(crds, /widgets\.shop\.example\.com\s+\d{4}-\d\d-\d\dT/);

    const res = k.ok(['api-resources', '--api-group=shop.example.com']).stdout;
    assert.match(res, /widgets\s+wd\s+shop\.example\.com\/v1\s+true\s+Widget/);
    const versions = k.ok(['api-versions']).stdout;
    assert.match(versions, /shop\.example\.com\/v1\n/);
    assert.match(versions, /shop\.example\.com\/v1beta1/);
    const explain = k.ok(['explain', 'widgets.spec']).stdout;
    assert.match(explain, /KIND:\s+Widget/);
    assert.match(explain, /color\s+<string>.*-required-/);
    assert.match(explain, /replicas\s+<integer>/);
  }),
);

test(
  'deleting a namespace deletes the custom objects in it',
  k.run(async () => {
    k.ok(['create', 'namespace', 'shop-ns']);
    k.ok(['apply', '-f', '-'], {
      input: 'apiVersion: shop.example.com/v1\nkind: Widget\nmetadata: {name: in-ns, namespace: shop-ns}\nspec: {color: red}\n',
    });
    k.ok(['delete', 'namespace', 'shop-ns', '--timeout=30s']);
    k.ok(['create', 'namespace', 'shop-ns']);
    assert.match(k.ok(['get', 'widgets', '-n', 'shop-ns']).stderr, /No resources found/);
    k.ok(['delete', 'namespace', 'shop-ns', '--wait=false']);
  }),
);

test(
  'names held by another CRD of the group or by a built-in resource are not accepted',
  k.run(async () => {
    const other = (name: string, group: string, plural: string, kind: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${name}}
spec:
  group: ${group}
  scope: Namespaced
  names: {plural: ${plural}, kind: ${kind}}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}
`;
    const namesAccepted = (name: string) => {
      const c = (at(k.json(['get', 'crd', name]), 'status', 'conditions') ?? []) as {
        type: string;
        status: string;
        reason: string;
        message: string;
      }[];
      return c.find((x) => x.type === 'NamesAccepted');
    };
    try {
      k.ok(['apply', '-f', '-'], { input: other('gadgets.shop.example.com', 'shop.example.com', 'gadgets', 'Widget') });
      assert.ok(await waitFor(() => namesAccepted('gadgets.shop.example.com')?.status === 'False', 5000));
      // kind and list kind both conflict: the list kind, checked last, is reported (as upstream)
      assert.equal(namesAccepted('gadgets.shop.example.com')?.reason, 'ListKindConflict');
      assert.equal(namesAccepted('gadgets.shop.example.com')?.message, '"WidgetList" is already in use');
      const est = (
        at(k.json(['get', 'crd', 'gadgets.shop.example.com']), 'status', 'conditions') as { type: string; reason: string }[]
      ).find((x) => x.type === 'Established');
      assert.equal(est?.reason, 'NotAccepted');
      assert.doesNotMatch(k.ok(['api-resources', '--api-group=shop.example.com']).stdout, /gadgets/);

      k.ok(['create', 'role', 'survivor', '--verb=get', '--resource=pods', '-n', 'default']);
      k.ok(['apply', '-f', '-'], { input: other('roles.rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', 'roles', 'Rolle') });
      assert.ok(await waitFor(() => namesAccepted('roles.rbac.authorization.k8s.io')?.status === 'False', 5000));
      assert.equal(namesAccepted('roles.rbac.authorization.k8s.io')?.reason, 'PluralConflict');
      // the built-in kind is still the one served
      const roles = JSON.parse(k.ok(['get', '--raw', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles']).stdout) as unknown;
      assert.equal(at(roles, 'kind'), 'RoleList');
      // deleting that CRD leaves the built-in objects in the same storage alone
      k.ok(['delete', 'crd', 'roles.rbac.authorization.k8s.io', '--timeout=20s']);
      assert.equal(k.srv().kubectl(['get', 'crd', 'roles.rbac.authorization.k8s.io']).code, 1);
      k.ok(['get', 'role', 'survivor', '-n', 'default']);
    } finally {
      k.srv().kubectl([
        'delete',
        'crd',
        'gadgets.shop.example.com',
        'roles.rbac.authorization.k8s.io',
        '--ignore-not-found',
        '--timeout=20s',
      ]);
    }
  }),
);

test(
  'custom objects: apply, defaults, pruning, columns, shortName, category, both versions',
  k.run(async () => {
    // kubectl validates strictly by default: an unknown field is an error, as upstream
    const strict = k.fails(['apply', '-f', '-'], { input: WIDGETS });
    assert.match(strict.stderr, /strict decoding error: unknown field "spec\.unknownField"/);
    // without it the field is pruned
    k.ok(['apply', '--validate=false', '-f', '-'], { input: WIDGETS });
    const w1 = k.json(['get', 'widget', 'w1']);
    assert.equal(at(w1, 'spec', 'size'), 3, 'the schema default is filled');
    assert.equal(at(w1, 'spec', 'replicas'), 1);
    assert.equal(at(w1, 'spec', 'unknownField'), undefined, 'unknown fields are pruned');
    assert.equal(at(w1, 'metadata', 'generation'), 1);
    assert.equal(at(w1, 'status'), undefined, 'with a status subresource a new object has no status');

    const out = k.ok(['get', 'wd']).stdout;
    assert.match(out.split('\n')[0]!, /^NAME\s+COLOR\s+REPLICAS\s+READY\s+AGE$/);
    const r = rows(out);
    // no Ready condition yet: an empty cell
    assert.deepEqual(
      r.find((x) => x[0] === 'w2'),
      ['w2', 'blue', '2', r.find((x) => x[0] === 'w2')?.[3]],
    );
    assert.match(r.find((x) => x[0] === 'w2')?.[3] ?? '', AGE);
    assert.match(k.ok(['get', 'shopping', '-o', 'name']).stdout, /widget\.shop\.example\.com\/w1/);
    assert.match(k.ok(['get', 'widgets.v1beta1.shop.example.com', 'w2', '-o', 'name']).stdout, /widget\.shop\.example\.com\/w2/);

    // the same stored object at the served-only version: only apiVersion differs
    const betaRead = k.ok(['get', 'widgets.v1beta1.shop.example.com', 'w2', '-o', 'json']);
    assert.match(betaRead.stderr, /Warning: shop\.example\.com\/v1beta1 Widget is deprecated/);
    const beta = JSON.parse(betaRead.stdout) as unknown;
    assert.equal(at(beta, 'apiVersion'), 'shop.example.com/v1beta1');
    assert.equal(at(beta, 'spec', 'size'), 5);
    const v1 = k.json(['get', 'widgets.v1.shop.example.com', 'w2']);
    assert.equal(at(v1, 'apiVersion'), 'shop.example.com/v1');
    assert.equal(at(v1, 'metadata', 'resourceVersion'), at(beta, 'metadata', 'resourceVersion'));
    // written at v1beta1, stored at v1: read back at v1
    k.ok(['apply', '-f', '-'], {
      input: 'apiVersion: shop.example.com/v1beta1\nkind: Widget\nmetadata: {name: w3, namespace: default}\nspec: {color: green}\n',
    });
    assert.equal(at(k.json(['get', 'widgets.v1.shop.example.com', 'w3']), 'spec', 'color'), 'green');
  }),
);

test(
  'a custom resource is authorized like any resource (RBAC by group and plural)',
  k.run(async () => {
    k.ok(['create', 'role', 'widget-reader', '--verb=get,list,watch', '--resource=widgets.shop.example.com', '-n', 'default']);
    k.ok(['create', 'rolebinding', 'jane-widgets', '--role=widget-reader', '--user=jane', '-n', 'default']);
    assert.match(k.ok(['get', 'widgets', '--as=jane', '-o', 'name']).stdout, /widget\.shop\.example\.com\/w1/);
    const denied = k.fails(['delete', 'widget', 'w1', '--as=jane']);
    assert.match(
      denied.stderr,
      /User "jane" cannot delete resource "widgets" in API group "shop\.example\.com" in the namespace "default"/,
    );
    k.fails(['get', 'configmaps', '--as=jane']);
  }),
);

test(
  'invalid custom objects are refused with 422 naming the field',
  k.run(async () => {
    const bad = k.fails(['apply', '-f', '-'], {
      input: 'apiVersion: shop.example.com/v1\nkind: Widget\nmetadata: {name: bad, namespace: default}\nspec: {color: purple, size: 0}\n',
    });
    assert.match(bad.stderr, /The Widget "bad" is invalid/);
    assert.match(bad.stderr, /spec\.color: Unsupported value: "purple"/);
    assert.match(bad.stderr, /spec\.size: Invalid value: 0/);
    const missing = k.fails(['create', '-f', '-'], {
      input: 'apiVersion: shop.example.com/v1\nkind: Widget\nmetadata: {name: bad2, namespace: default}\nspec: {size: 2}\n',
    });
    assert.match(missing.stderr, /spec\.color: Required value/);
  }),
);

test(
  'status subresource and scale',
  k.run(async () => {
    // the main resource ignores status; /status ignores everything else
    k.ok(['patch', 'widget', 'w2', '--type=merge', '-p', '{"status":{"replicas":9}}']);
    assert.equal(at(k.json(['get', 'widget', 'w2']), 'status', 'replicas'), undefined);
    k.ok([
      'patch',
      'widget',
      'w2',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"spec":{"color":"red"},"status":{"replicas":2,"selector":"app=w2","conditions":[{"type":"Ready","status":"True"}]}}',
    ]);
    const w2 = k.json(['get', 'widget', 'w2']);
    assert.equal(at(w2, 'status', 'replicas'), 2);
    assert.equal(at(w2, 'spec', 'color'), 'blue');
    assert.deepEqual(
      rows(k.ok(['get', 'widget', 'w2']).stdout)
        .find((x) => x[0] === 'w2')
        ?.slice(0, 4),
      ['w2', 'blue', '2', 'True'],
    );

    k.ok(['scale', 'widget', 'w2', '--replicas=4']);
    const scaled = k.json(['get', 'widget', 'w2']);
    assert.equal(at(scaled, 'spec', 'replicas'), 4);
    assert.equal(at(scaled, 'metadata', 'generation'), 2);
    const scale = JSON.parse(k.ok(['get', '--raw', '/apis/shop.example.com/v1/namespaces/default/widgets/w2/scale']).stdout) as unknown;
    assert.equal(at(scale, 'spec', 'replicas'), 4);
    assert.equal(at(scale, 'status', 'replicas'), 2);
    assert.equal(at(scale, 'status', 'selector'), 'app=w2');
  }),
);

test(
  'a default added to the schema shows on objects stored before it',
  k.run(async () => {
    const patch = JSON.stringify([
      {
        op: 'add',
        path: '/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/shape',
        value: { type: 'string', default: 'round' },
      },
    ]);
    k.ok(['patch', 'crd', 'widgets.shop.example.com', '--type=json', '-p', patch]);
    const shape = () => at(JSON.parse(k.srv().kubectl(['get', 'widget', 'w1', '-o', 'json']).stdout || '{}'), 'spec', 'shape');
    assert.ok(await waitFor(() => shape() === 'round', 5000), `shape is ${String(shape())}`);
    const listed = k.json(['get', 'widgets']) as { items: { spec: { shape?: string } }[] };
    assert.ok(listed.items.every((i) => i.spec.shape === 'round'));
  }),
);

test(
  'server-side apply merges list-map entries of two managers',
  k.run(async () => {
    const doc = (ports: string) =>
      `apiVersion: shop.example.com/v1\nkind: Widget\nmetadata: {name: ssa, namespace: default}\nspec:\n  color: green\n  ports:\n${ports}`;
    k.ok(['apply', '--server-side', '--field-manager=alice', '-f', '-'], { input: doc('  - {name: http, port: 80}\n') });
    k.ok(['apply', '--server-side', '--field-manager=bob', '-f', '-'], {
      input: `apiVersion: shop.example.com/v1\nkind: Widget\nmetadata: {name: ssa, namespace: default}\nspec:\n  ports:\n  - {name: https, port: 443}\n`,
    });
    const ports = at(k.json(['get', 'widget', 'ssa']), 'spec', 'ports') as { name: string; port: number }[];
    assert.deepEqual(
      ports.map((p) => p.name),
      ['http', 'https'],
    );
    // alice changes her entry; bob's stays
    k.ok(['apply', '--server-side', '--field-manager=alice', '-f', '-'], { input: doc('  - {name: http, port: 8080}\n') });
    const after = at(k.json(['get', 'widget', 'ssa']), 'spec', 'ports') as { name: string; port: number }[];
    assert.deepEqual(after, [
      { name: 'http', port: 8080 },
      { name: 'https', port: 443 },
    ]);
  }),
);

test(
  'client-node CustomObjectsApi creates, lists and watches custom objects',
  k.run(async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(k.srv().kubeconfig);
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    const req = await watch.watch(
      '/apis/shop.example.com/v1/namespaces/default/widgets',
      {},
      (type: string, obj: { metadata?: { name?: string } }) => seen.push(`${type} ${obj.metadata?.name ?? ''}`),
      () => undefined,
    );
    try {
      await api.createNamespacedCustomObject({
        group: 'shop.example.com',
        version: 'v1',
        namespace: 'default',
        plural: 'widgets',
        body: { apiVersion: 'shop.example.com/v1', kind: 'Widget', metadata: { name: 'from-node' }, spec: { color: 'green' } },
      });
      const list = (await api.listNamespacedCustomObject({
        group: 'shop.example.com',
        version: 'v1',
        namespace: 'default',
        plural: 'widgets',
      })) as { items: { metadata: { name: string }; spec: { size?: number } }[] };
      const mine = list.items.find((i) => i.metadata.name === 'from-node');
      assert.equal(mine?.spec.size, 3);
      assert.ok(await waitFor(() => seen.includes('ADDED from-node'), 5000), `watch saw ${seen.join(', ')}`);
    } finally {
      req.abort();
    }
  }),
);

test(
  'invalid CRDs are refused with 422 naming the field',
  k.run(async () => {
    const crd = (name: string, spec: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: ${name}}
spec:
${spec}`;
    const version = (name: string, storage: boolean, schema = '{type: object}') =>
      `  - name: ${name}\n    served: true\n    storage: ${storage}\n    schema:\n      openAPIV3Schema: ${schema}\n`;
    const names = '  names: {plural: gadgets, kind: Gadget}\n  scope: Namespaced\n';
    const cases: [string, RegExp][] = [
      [
        crd('gadgets.example.com', `  group: shop.example.com\n${names}  versions:\n${version('v1', true)}`),
        /metadata\.name: Invalid value: "gadgets\.example\.com": must be spec\.names\.plural\+"\."\+spec\.group/,
      ],
      [
        crd('gadgets.shop', `  group: shop\n${names}  versions:\n${version('v1', true)}`),
        /spec\.group: Invalid value: "shop": should be a domain with at least one dot/,
      ],
      [
        crd('gadgets.shop.example.com', `  group: shop.example.com\n${names}  versions:\n${version('v1', true)}${version('v2', true)}`),
        /spec\.versions: Invalid value: .*must have exactly one version marked as storage version/,
      ],
      [
        crd(
          'gadgets.shop.example.com',
          `  group: shop.example.com\n${names}  versions:\n${version('v1', true, '{type: object, properties: {spec: {description: no type}}}')}`,
        ),
        /spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.type: Required value/,
      ],
      [
        crd(
          'gadgets.shop.example.com',
          `  group: shop.example.com\n  names: {plural: Gadgets, kind: Gadget}\n  scope: Namespaced\n  versions:\n${version('v1', true)}`,
        ),
        /spec\.names\.plural: Invalid value: "Gadgets"/,
      ],
      [
        crd(
          'gadgets.shop.example.com',
          `  group: shop.example.com\n${names}  conversion: {strategy: Webhook}\n  versions:\n${version('v1', true)}`,
        ),
        /spec\.conversion\.strategy: Invalid value: "Webhook": Webhook conversion is not supported/,
      ],
    ];
    for (const [input, want] of cases) {
      const r = k.fails(['create', '-f', '-'], { input });
      assert.match(r.stderr, /is invalid/, r.stderr);
      assert.match(r.stderr, want);
    }
    // the scope cannot change
    const scoped = k.fails(['patch', 'crd', 'widgets.shop.example.com', '--type=merge', '-p', '{"spec":{"scope":"Cluster"}}']);
    assert.match(scoped.stderr, /spec\.scope: Invalid value: "Cluster": field is immutable/);
  }),
);

test(
  'objects owned by a custom object are garbage-collected with it (a CRD created after the collector started)',
  k.run(async () => {
    k.ok(['apply', '-f', '-'], {
      input: 'apiVersion: shop.example.com/v1\nkind: Widget\nmetadata: {name: owner, namespace: default}\nspec: {color: red}\n',
    });
    const uid = String(at(k.json(['get', 'widget', 'owner']), 'metadata', 'uid'));
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'owned-by-widget',
        namespace: 'default',
        ownerReferences: [{ apiVersion: 'shop.example.com/v1', kind: 'Widget', name: 'owner', uid }],
      },
      data: { a: 'b' },
    };
    k.ok(['create', '-f', '-'], { input: JSON.stringify(cm) });
    // the collector learns of the new kind from the owner reference (and its periodic discovery)
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(k.srv().kubectl(['get', 'configmap', 'owned-by-widget']).code, 0, 'a live owner keeps its dependent');
    k.ok(['delete', 'widget', 'owner', '--wait=false']);
    assert.ok(
      await waitFor(() => k.srv().kubectl(['get', 'configmap', 'owned-by-widget']).code !== 0, 20_000),
      'the dependent goes with its owner',
    );
  }),
);

test(
  'deleting the CRD deletes its objects and stops serving the resource',
  k.run(async () => {
    assert.ok(rows(k.ok(['get', 'widgets']).stdout).length >= 3);
    k.ok(['delete', 'crd', 'widgets.shop.example.com', '--timeout=20s']);
    assert.ok(
      await waitFor(() => k.srv().kubectl(['get', '--raw', '/apis/shop.example.com/v1/namespaces/default/widgets']).code !== 0, 5000),
      'the resource goes away',
    );
    const gone = k.srv().kubectl(['get', '--raw', '/apis/shop.example.com/v1/namespaces/default/widgets']);
    assert.match(gone.stderr, /NotFound|could not find/);
    assert.doesNotMatch(k.ok(['api-resources']).stdout, /widgets/);
    // recreated, it starts empty: the objects went with it
    k.ok(['apply', '-f', '-'], { input: CRD });
    k.ok(['wait', '--for=condition=Established', 'crd/widgets.shop.example.com', '--timeout=10s']);
    assert.match(k.ok(['get', 'widgets', '-A']).stderr, /No resources found/);
  }),
);

test(
  'after a restart the CRD is served again with its objects',
  k.run(async () => {
    const first = await startTandem({ keepDataDir: true });
    let second: Awaited<ReturnType<typeof startTandem>> | undefined;
    let firstStopped = false;
    try {
      assert.equal(first.kubectl(['apply', '-f', '-'], { input: CRD }).code, 0);
      assert.equal(first.kubectl(['wait', '--for=condition=Established', 'crd/widgets.shop.example.com', '--timeout=10s']).code, 0);
      assert.equal(
        first.kubectl(['apply', '-f', '-'], {
          input: 'apiVersion: shop.example.com/v1beta1\nkind: Widget\nmetadata: {name: kept, namespace: default}\nspec: {color: red}\n',
        }).code,
        0,
      );
      await first.stop();
      firstStopped = true;
      second = await startTandem({ dataDir: first.dataDir });
      const r = second.kubectl(['get', 'widgets', 'kept', '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      const w = JSON.parse(r.stdout) as unknown;
      assert.equal(at(w, 'apiVersion'), 'shop.example.com/v1');
      assert.equal(at(w, 'spec', 'size'), 3);
    } finally {
      if (!firstStopped) await first.stop();
      // the second server owns the data dir now; without it, remove what the first one kept
      if (second) await second.stop();
      else rmSync(first.dataDir, { recursive: true, force: true });
    }
  }),
);
