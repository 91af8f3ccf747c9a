// kubectl end to end, part 1: server info, discovery, explain, apply (client- and server-side), get in
// every output format, describe, and the errors for unknown fields and invalid objects.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AGE, at, createKubectlSession, rowWhere, rows, SYSTEM_CM, withoutSystem } from './kubectl-support.js';

const k = createKubectlSession();
before(() => k.start());
after(() => k.stop());

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: shop
  labels: {app: web, tier: front}
data:
  color: blue
  size: large
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
  namespace: shop
type: Opaque
stringData:
  password: hunter2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: main
        image: nginx:1.25
        ports:
        - containerPort: 80
        - containerPort: 443
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "3600"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - name: http
    port: 80
    targetPort: 80
---
apiVersion: node.k8s.io/v1
kind: RuntimeClass
metadata:
  name: wcow-process
handler: runhcs-wcow-process
`;

/** The manifest after an edit: a new image, the second port and the sidecar container removed. */
const EDITED = MANIFEST.replace('nginx:1.25', 'nginx:1.26')
  .replace('        - containerPort: 443\n', '')
  .replace(/      - name: sidecar\n.*\n.*\n/, '');

test(
  'kubectl version reports server minor 32',
  k.run(() => {
    const r = k.ok(['version', '-o', 'json']);
    const v = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(at(v, 'serverVersion', 'major'), '1');
    assert.equal(at(v, 'serverVersion', 'minor'), '32');
    assert.match(String(at(v, 'serverVersion', 'gitVersion')), /^v1\.32\./);
    assert.match(k.ok(['version']).stdout, /^Server Version: v1\.32\./m);
  }),
);

test(
  'get --raw /healthz and cluster-info',
  k.run(() => {
    assert.equal(k.ok(['get', '--raw', '/healthz']).stdout.trim(), 'ok');
    assert.equal(k.ok(['get', '--raw', '/readyz']).stdout.trim(), 'ok');
    const info = k.ok(['cluster-info']).stdout;
    assert.match(info, new RegExp(`Kubernetes control plane.* is running at .*https://127\\.0\\.0\\.1:${k.srv().port}`));
  }),
);

test(
  'api-resources lists rows with SHORTNAMES and APIVERSION',
  k.run(() => {
    const out = k.ok(['api-resources']).stdout;
    const header = rows(out)[0];
    assert.deepEqual(header, ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
    assert.deepEqual(rowWhere(out, 0, 'deployments'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
    assert.deepEqual(rowWhere(out, 0, 'configmaps'), ['configmaps', 'cm', 'v1', 'true', 'ConfigMap']);
    assert.deepEqual(rowWhere(out, 0, 'namespaces'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
    assert.deepEqual(rowWhere(out, 0, 'runtimeclasses'), ['runtimeclasses', 'node.k8s.io/v1', 'false', 'RuntimeClass']);
    const ns = k.ok(['api-resources', '--namespaced=false', '-o', 'name']).stdout.split('\n');
    assert.ok(ns.includes('namespaces') && ns.includes('runtimeclasses.node.k8s.io'), ns.join(','));
    assert.ok(!ns.includes('configmaps'));
  }),
);

test(
  'explain deployment.spec.replicas prints the field and its type',
  k.run(() => {
    const out = k.ok(['explain', 'deployment.spec.replicas']).stdout;
    assert.match(out, /^KIND:\s+Deployment$/m);
    assert.match(out, /^VERSION:\s+v1$/m);
    assert.match(out, /^FIELD:\s+replicas <integer>$/m);
  }),
);

test(
  'create namespace',
  k.run(() => {
    assert.equal(k.ok(['create', 'namespace', 'team-a']).stdout.trim(), 'namespace/team-a created');
    const r = k.fails(['create', 'namespace', 'team-a']);
    assert.match(r.stderr, /Error from server \(AlreadyExists\): namespaces "team-a" already exists/);
    assert.match(k.ok(['get', 'ns', 'team-a']).stdout, /^team-a\s+Active\s+\S+$/m);
  }),
);

test(
  'apply -f a multi-document manifest creates every object',
  k.run(() => {
    const out = k.ok(['apply', '-f', '-'], { input: MANIFEST }).stdout;
    assert.deepEqual(out.trim().split('\n'), [
      'namespace/shop created',
      'configmap/web-config created',
      'secret/web-secret created',
      'deployment.apps/web created',
      'service/web created',
      'runtimeclass.node.k8s.io/wcow-process created',
    ]);
    const secret = k.json(['get', 'secret', 'web-secret', '-n', 'shop']);
    assert.equal(at(secret, 'data', 'password'), Buffer.from('hunter2').toString('base64'));
    assert.equal(at(secret, 'stringData'), undefined);
    const dep = k.json(['get', 'deployment', 'web', '-n', 'shop']);
    assert.equal(at(dep, 'spec', 'template', 'spec', 'containers', 1, 'name'), 'sidecar');
    assert.match(String(at(dep, 'metadata', 'annotations', 'kubectl.kubernetes.io/last-applied-configuration')), /nginx:1\.25/);
    assert.equal(at(k.json(['get', 'runtimeclass', 'wcow-process']), 'handler'), 'runhcs-wcow-process');
  }),
);

test(
  'apply again after an edit changes the image and removes list items',
  k.run(() => {
    const out = k.ok(['apply', '-f', '-'], { input: EDITED }).stdout;
    assert.match(out, /^deployment\.apps\/web configured$/m);
    assert.match(out, /^configmap\/web-config unchanged$/m);
    assert.match(out, /^namespace\/shop unchanged$/m);
    const dep = k.json(['get', 'deployment', 'web', '-n', 'shop']);
    const containers = at(dep, 'spec', 'template', 'spec', 'containers') as unknown[];
    assert.equal(containers.length, 1, JSON.stringify(containers));
    assert.equal(at(containers, 0, 'name'), 'main');
    assert.equal(at(containers, 0, 'image'), 'nginx:1.26');
    const ports = at(containers, 0, 'ports') as unknown[];
    assert.deepEqual(
      ports.map((p) => at(p, 'containerPort')),
      [80],
    );
  }),
);

test(
  'apply --server-side reports serverside-applied and records an Apply manager',
  k.run(() => {
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa-cm\n  namespace: shop\ndata:\n  a: "${v}"\n`;
    assert.equal(k.ok(['apply', '--server-side', '-f', '-'], { input: cm('1') }).stdout.trim(), 'configmap/ssa-cm serverside-applied');
    assert.equal(k.ok(['apply', '--server-side', '-f', '-'], { input: cm('2') }).stdout.trim(), 'configmap/ssa-cm serverside-applied');
    const obj = k.json(['get', 'cm', 'ssa-cm', '-n', 'shop', '--show-managed-fields']);
    assert.equal(at(obj, 'data', 'a'), '2');
    const managed = (at(obj, 'metadata', 'managedFields') ?? []) as unknown[];
    const entry = managed.find((m) => at(m, 'manager') === 'kubectl' && at(m, 'operation') === 'Apply');
    assert.ok(entry, `managedFields should hold manager "kubectl" with operation Apply: ${JSON.stringify(managed)}`);
    assert.ok(at(entry, 'fieldsV1', 'f:data', 'f:a') !== undefined, JSON.stringify(entry));
  }),
);

test(
  'get -o wide, yaml, json, jsonpath and name',
  k.run(() => {
    const wide = k.ok(['get', 'deploy', '-n', 'shop', '-o', 'wide']).stdout;
    assert.deepEqual(rows(wide)[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    const row = rowWhere(wide, 0, 'web');
    assert.ok(row, wide);
    assert.match(row[1]!, /^\d\/2$/);
    assert.match(row[4]!, AGE);
    assert.deepEqual(row.slice(5), ['main', 'nginx:1.26', 'app=web']);
    const svc = rowWhere(k.ok(['get', 'svc', 'web', '-n', 'shop', '-o', 'wide']).stdout, 0, 'web');
    assert.ok(svc);
    assert.equal(svc[1], 'ClusterIP');
    assert.match(svc[2]!, /^\d+\.\d+\.\d+\.\d+$/);
    assert.equal(svc[4], '80/TCP');
    assert.equal(svc[6], 'app=web');

    const yaml = k.ok(['get', 'cm', 'web-config', '-n', 'shop', '-o', 'yaml']).stdout;
    assert.match(yaml, /^kind: ConfigMap$/m);
    assert.match(yaml, /^data:\n {2}color: blue\n {2}size: large$/m);
    assert.match(yaml, /^ {2}uid: [0-9a-f-]{36}$/m);

    const list = k.json(['get', 'cm', '-n', 'shop']);
    assert.equal(list['kind'], 'List');
    const names = (list['items'] as unknown[])
      .map((i) => at(i, 'metadata', 'name'))
      .filter((n) => n !== SYSTEM_CM)
      .sort();
    assert.deepEqual(names, ['ssa-cm', 'web-config']);

    assert.equal(k.ok(['get', 'cm', 'web-config', '-n', 'shop', '-o', 'jsonpath={.data.color}']).stdout, 'blue');
    assert.equal(
      k.ok(['get', 'deploy', '-n', 'shop', '-o', 'jsonpath={range .items[*]}{.metadata.name}:{.spec.replicas}{"\\n"}{end}']).stdout,
      'web:2\n',
    );
    assert.deepEqual(withoutSystem(k.ok(['get', 'cm,secret', '-n', 'shop', '-o', 'name']).stdout.trim().split('\n')), [
      'configmap/ssa-cm',
      'configmap/web-config',
      'secret/web-secret',
    ]);
  }),
);

test(
  'get -l and --field-selector',
  k.run(() => {
    k.ok(['apply', '-f', '-'], {
      input: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: basic\n  namespace: shop\n  labels: {tier: back}\ntype: kubernetes.io/basic-auth\nstringData:\n  username: u\n`,
    });
    const byLabel = k.ok(['get', 'cm', '-n', 'shop', '-l', 'tier=front']).stdout;
    assert.deepEqual(
      rows(byLabel).map((r) => r[0]),
      ['NAME', 'web-config'],
    );
    const noTier = withoutSystem(k.ok(['get', 'cm,secret', '-n', 'shop', '-l', '!tier', '-o', 'name']).stdout.trim().split('\n'));
    assert.deepEqual(noTier, ['configmap/ssa-cm', 'secret/web-secret']);
    const byName = k.ok(['get', 'cm', '-n', 'shop', '--field-selector', 'metadata.name=ssa-cm']).stdout;
    assert.deepEqual(
      rows(byName).map((r) => r[0]),
      ['NAME', 'ssa-cm'],
    );
    const opaque = k.ok(['get', 'secrets', '-n', 'shop', '--field-selector', 'type=Opaque']).stdout;
    assert.deepEqual(rows(opaque)[0], ['NAME', 'TYPE', 'DATA', 'AGE']);
    const orow = rowWhere(opaque, 0, 'web-secret');
    assert.ok(orow && orow[1] === 'Opaque' && orow[2] === '1', opaque);
    assert.equal(rows(opaque).length, 2, opaque);
    const basic = k.ok(['get', 'secrets', '-n', 'shop', '--field-selector', 'type!=Opaque', '-o', 'name']).stdout.trim();
    assert.equal(basic, 'secret/basic');
    const none = k.ok(['get', 'cm', '-n', 'shop', '-l', 'tier=nothing']);
    assert.match(none.stderr, /No resources found in shop namespace\./);
    const bad = k.fails(['get', 'cm', '-n', 'shop', '--field-selector', 'data.color=blue']);
    assert.match(bad.stderr, /Error from server \(BadRequest\)/);
  }),
);

test(
  'get -A shows a NAMESPACE column; --sort-by; --show-labels',
  k.run(() => {
    k.ok(['create', 'configmap', 'rank-b', '-n', 'team-a', '--from-literal=rank=1']);
    k.ok(['create', 'configmap', 'rank-a', '-n', 'team-a', '--from-literal=rank=2']);
    k.ok(['create', 'configmap', 'rank-c', '-n', 'team-a', '--from-literal=rank=0']);
    const all = k.ok(['get', 'cm', '-A']).stdout;
    assert.deepEqual(rows(all)[0], ['NAMESPACE', 'NAME', 'DATA', 'AGE']);
    const pairs = rows(all)
      .slice(1)
      .map((r) => `${r[0]}/${r[1]}`);
    for (const p of ['shop/web-config', 'shop/ssa-cm', 'team-a/rank-a', 'team-a/rank-b']) assert.ok(pairs.includes(p), `${p} in\n${all}`);
    for (const r of rows(all).slice(1)) assert.match(r[3]!, AGE);

    const sorted = k.ok(['get', 'cm', '-n', 'team-a', '--sort-by=.data.rank']).stdout;
    assert.deepEqual(
      rows(sorted)
        .slice(1)
        .map((r) => r[0])
        .filter((n) => n !== SYSTEM_CM),
      ['rank-c', 'rank-b', 'rank-a'],
    );
    const byName = k.ok(['get', 'cm', '-A', '--sort-by=.metadata.name', '-o', 'name']).stdout.trim().split('\n');
    assert.deepEqual(byName, [...byName].sort());

    const labels = k.ok(['get', 'cm', '-n', 'shop', '--show-labels']).stdout;
    assert.deepEqual(rows(labels)[0], ['NAME', 'DATA', 'AGE', 'LABELS']);
    assert.equal(rowWhere(labels, 0, 'web-config')?.[3], 'app=web,tier=front');
    assert.equal(rowWhere(labels, 0, 'ssa-cm')?.[3], '<none>');
  }),
);

test(
  'describe deployment and configmap',
  k.run(() => {
    const d = k.ok(['describe', 'deployment', 'web', '-n', 'shop']).stdout;
    assert.match(d, /^Name:\s+web$/m);
    assert.match(d, /^Namespace:\s+shop$/m);
    assert.match(d, /^Labels:\s+app=web$/m);
    assert.match(d, /^Selector:\s+app=web$/m);
    assert.match(d, /^Replicas:\s+2 desired \| \d updated \| \d total \| \d available \| \d unavailable$/m);
    assert.match(d, /^StrategyType:\s+RollingUpdate$/m);
    assert.match(d, /^ {3}main:$/m);
    assert.match(d, /^\s+Image:\s+nginx:1\.26$/m);
    assert.match(d, /^\s+Port:\s+80\/TCP$/m);
    assert.doesNotMatch(d, /sidecar/);
    const c = k.ok(['describe', 'configmap', 'web-config', '-n', 'shop']).stdout;
    assert.match(c, /^Name:\s+web-config$/m);
    assert.match(c, /^Labels:\s+app=web\n\s+tier=front$/m);
    // kubectl prints the data keys in Go map order (random): each entry is checked on its own
    assert.match(c, /^Data\n====\n/m);
    assert.match(c, /^color:\n----\nblue\n/m);
    assert.match(c, /^size:\n----\nlarge\n/m);
    const nf = k.fails(['describe', 'configmap', 'nope', '-n', 'shop']);
    assert.match(nf.stderr, /configmaps "nope" not found/);
  }),
);

test(
  'create configmap|secret|deployment|service|job|serviceaccount (protobuf bodies)',
  k.run(() => {
    const ns = ['-n', 'team-a'];
    assert.equal(
      k.ok(['create', 'configmap', 'pbcm', ...ns, '--from-literal=k1=v1', '--from-literal=k2=v2']).stdout.trim(),
      'configmap/pbcm created',
    );
    assert.equal(k.ok(['create', 'secret', 'generic', 'pbsec', ...ns, '--from-literal=user=admin']).stdout.trim(), 'secret/pbsec created');
    assert.equal(
      k.ok(['create', 'deployment', 'pbdep', ...ns, '--image=nginx:1.27', '--replicas=3', '--port=8080']).stdout.trim(),
      'deployment.apps/pbdep created',
    );
    assert.equal(k.ok(['create', 'service', 'clusterip', 'pbsvc', ...ns, '--tcp=80:8080']).stdout.trim(), 'service/pbsvc created');
    assert.equal(
      k.ok(['create', 'job', 'pbjob', ...ns, '--image=busybox:1.36', '--', 'echo', 'hi']).stdout.trim(),
      'job.batch/pbjob created',
    );
    assert.equal(k.ok(['create', 'serviceaccount', 'pbsa', ...ns]).stdout.trim(), 'serviceaccount/pbsa created');

    assert.deepEqual(at(k.json(['get', 'cm', 'pbcm', ...ns]), 'data'), { k1: 'v1', k2: 'v2' });
    const sec = k.json(['get', 'secret', 'pbsec', ...ns]);
    assert.equal(at(sec, 'data', 'user'), Buffer.from('admin').toString('base64'));
    assert.equal(at(sec, 'type'), 'Opaque');
    const dep = k.json(['get', 'deploy', 'pbdep', ...ns]);
    assert.equal(at(dep, 'spec', 'replicas'), 3);
    assert.equal(at(dep, 'spec', 'template', 'spec', 'containers', 0, 'image'), 'nginx:1.27');
    assert.equal(at(dep, 'spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'), 8080);
    assert.deepEqual(at(dep, 'spec', 'selector', 'matchLabels'), { app: 'pbdep' });
    const svc = k.json(['get', 'svc', 'pbsvc', ...ns]);
    assert.equal(at(svc, 'spec', 'type'), 'ClusterIP');
    assert.equal(at(svc, 'spec', 'ports', 0, 'port'), 80);
    assert.equal(at(svc, 'spec', 'ports', 0, 'targetPort'), 8080);
    const job = k.json(['get', 'job', 'pbjob', ...ns]);
    assert.equal(at(job, 'spec', 'template', 'spec', 'containers', 0, 'image'), 'busybox:1.36');
    assert.deepEqual(at(job, 'spec', 'template', 'spec', 'containers', 0, 'command'), ['echo', 'hi']);
    assert.equal(at(job, 'spec', 'template', 'spec', 'restartPolicy'), 'Never');
    assert.equal(at(k.json(['get', 'sa', 'pbsa', ...ns]), 'metadata', 'name'), 'pbsa');
  }),
);

test(
  'an unknown field is rejected under Strict and dropped with --validate=false',
  k.run(() => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strict-cm\n  namespace: shop\nfoo: bar\ndata:\n  a: "1"\n';
    const r = k.fails(['create', '-f', '-'], { input: cm });
    assert.match(r.stderr, /Error from server \(BadRequest\): error when creating "STDIN": .*strict decoding error: unknown field "foo"/);
    k.fails(['get', 'cm', 'strict-cm', '-n', 'shop']);
    assert.equal(k.ok(['apply', '--validate=false', '-f', '-'], { input: cm }).stdout.trim(), 'configmap/strict-cm created');
    const obj = k.json(['get', 'cm', 'strict-cm', '-n', 'shop']);
    assert.equal(obj['foo'], undefined);
    assert.deepEqual(obj['data'], { a: '1' });
  }),
);

test(
  'an invalid object is answered 422 naming the field',
  k.run(() => {
    const dep = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
  namespace: shop
spec:
  replicas: -1
  selector:
    matchLabels: {app: x}
  template:
    metadata:
      labels: {app: x}
    spec:
      containers:
      - name: c
        image: nginx
`;
    const r = k.fails(['create', '-f', '-'], { input: dep });
    assert.match(r.stderr, /The Deployment "x" is invalid: .*spec\.replicas: Invalid value: -1: must be greater than or equal to 0/);
    const v = k.fails(['create', '-f', '-', '-v=6'], { input: dep });
    assert.match(v.stderr, /POST https:\/\/\S+\/apis\/apps\/v1\/namespaces\/shop\/deployments\S* 422 Unprocessable Entity/);
    k.fails(['get', 'deploy', 'x', '-n', 'shop']);
  }),
);

test(
  'apply -f of a kind: List (a get -o yaml round trip); its items validated on the client from /openapi/v2',
  k.run(() => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: list-a, namespace: shop}
  data: {x: "1"}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: list-web, namespace: shop}
  spec:
    replicas: 1
    selector: {matchLabels: {app: list-web}}
    template:
      metadata: {labels: {app: list-web}}
      spec:
        containers: [{name: web, image: nginx, resources: {limits: {cpu: 1, memory: 1Gi}}}]
`;
    assert.deepEqual(k.ok(['apply', '-f', '-'], { input: list }).stdout.trim().split('\n'), [
      'configmap/list-a created',
      'deployment.apps/list-web created',
    ]);
    // what get -o yaml prints is a List too, and applies back
    const again = k.ok(['get', 'cm/list-a', 'deploy/list-web', '-n', 'shop', '-o', 'yaml']).stdout;
    assert.match(again, /^apiVersion: v1\nitems:/);
    assert.deepEqual(k.ok(['apply', '-f', '-'], { input: again }).stdout.trim().split('\n'), [
      'configmap/list-a configured',
      'deployment.apps/list-web configured',
    ]);
    // kubectl validates List items itself, against the definitions of /openapi/v2 (protobuf)
    const bad = list.replace('data: {x: "1"}', 'datta: {x: "1"}').replace('replicas: 1', 'replicas: "two"');
    const r = k.fails(['apply', '-f', '-'], { input: bad });
    assert.match(r.stderr, /unknown field "datta" in io\.k8s\.api\.core\.v1\.ConfigMap/);
    assert.match(r.stderr, /invalid type for io\.k8s\.api\.apps\.v1\.DeploymentSpec\.replicas: got "string", expected "integer"/);
  }),
);
