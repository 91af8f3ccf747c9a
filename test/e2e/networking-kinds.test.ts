// networking.k8s.io and apiregistration.k8s.io with the real kubectl against a server (no node): Ingress,
// IngressClass and NetworkPolicy applied and printed with upstream's columns, their defaults, bad
// input answered 422 naming the field, and `kubectl get apiservices` listing the built-in
// group-versions as Local and Available.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AGE, at, createKubectlSession, rowWhere, rows } from './kubectl-support.js';

const k = createKubectlSession();
before(() => k.start());
after(() => k.stop());

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: net
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
spec:
  controller: k8s.io/ingress-nginx
  parameters:
    apiGroup: k8s.example.com
    kind: IngressParameters
    name: external-lb
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: net
spec:
  ingressClassName: nginx
  tls:
  - hosts: [shop.example.com]
    secretName: shop-tls
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port: {number: 80}
  - host: api.example.com
    http:
      paths:
      - path: /v1
        pathType: Exact
        backend:
          service:
            name: api
            port: {name: http}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
  namespace: net
spec:
  podSelector:
    matchLabels: {role: db}
  ingress:
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except: [172.17.1.0/24]
    - podSelector:
        matchLabels: {role: frontend}
    ports:
    - port: 6379
  egress:
  - to:
    - namespaceSelector: {}
`;

test(
  'Ingress, IngressClass and NetworkPolicy are applied and printed with upstream columns',
  k.run(() => {
    k.ok(['apply', '-f', '-'], { input: MANIFEST });
    const ing = rows(k.ok(['get', 'ingress', '-n', 'net']).stdout);
    assert.deepEqual(ing[0], ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    const web = rowWhere(k.ok(['get', 'ing', 'web', '-n', 'net']).stdout, 0, 'web');
    assert.deepEqual(web?.slice(0, 4), ['web', 'nginx', 'shop.example.com,api.example.com', '80,']);
    assert.equal(web?.[4], '443');
    assert.match(web?.[5] ?? '', AGE);

    const cls = rows(k.ok(['get', 'ingressclass']).stdout);
    assert.deepEqual(cls[0], ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE']);
    assert.deepEqual(rowWhere(k.ok(['get', 'ingressclass']).stdout, 0, 'nginx')?.slice(0, 3), [
      'nginx',
      'k8s.io/ingress-nginx',
      'IngressParameters.k8s.example.com/external-lb',
    ]);
    const defaulted = k.json(['get', 'ingressclass', 'nginx']);
    assert.equal(at(defaulted, 'spec', 'parameters', 'scope'), 'Cluster');

    const np = rows(k.ok(['get', 'netpol', '-n', 'net']).stdout);
    assert.deepEqual(np[0], ['NAME', 'POD-SELECTOR', 'AGE']);
    assert.deepEqual(rowWhere(k.ok(['get', 'networkpolicy', '-n', 'net']).stdout, 0, 'db')?.slice(0, 2), ['db', 'role=db']);
    const policy = k.json(['get', 'networkpolicy', 'db', '-n', 'net']);
    assert.deepEqual(at(policy, 'spec', 'policyTypes'), ['Ingress', 'Egress']);
    assert.equal(at(policy, 'spec', 'ingress', 0, 'ports', 0, 'protocol'), 'TCP');

    // a second apply changes nothing; server-side apply takes over the edited (atomic) rules
    assert.match(k.ok(['apply', '-f', '-'], { input: MANIFEST }).stdout, /ingress.networking.k8s.io\/web unchanged/);
    k.ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: MANIFEST.replace('port: 6379', 'port: 6380') });
    assert.equal(at(k.json(['get', 'netpol', 'db', '-n', 'net']), 'spec', 'ingress', 0, 'ports', 0, 'port'), 6380);
  }),
);

test(
  'kubectl create ingress (a protobuf body) is decoded, defaulted and printed',
  k.run(() => {
    const created = k.ok([
      'create',
      'ingress',
      'simple',
      '-n',
      'net',
      '--class=nginx',
      '--rule=foo.com/bar*=svc1:8080,tls=my-cert',
      '-v=8',
    ]);
    assert.match(created.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
    const ing = k.json(['get', 'ingress', 'simple', '-n', 'net']);
    assert.equal(at(ing, 'spec', 'rules', 0, 'http', 'paths', 0, 'pathType'), 'Prefix');
    assert.equal(at(ing, 'spec', 'rules', 0, 'http', 'paths', 0, 'backend', 'service', 'port', 'number'), 8080);
    assert.deepEqual(at(ing, 'spec', 'tls'), [{ hosts: ['foo.com'], secretName: 'my-cert' }]);
    assert.deepEqual(rowWhere(k.ok(['get', 'ingress', 'simple', '-n', 'net']).stdout, 0, 'simple')?.slice(0, 3), [
      'simple',
      'nginx',
      'foo.com',
    ]);
    const bad = k.fails(['create', 'ingress', 'worse', '-n', 'net', '--rule=foo.com/bar=svc1:99999']);
    assert.match(bad.stderr, /spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service\.port\.number: Invalid value: 99999/);
  }),
);

test(
  'an Ingress created without a class gets the default IngressClass',
  k.run(() => {
    k.ok(['apply', '-f', '-'], {
      input: `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: house
  annotations: {ingressclass.kubernetes.io/is-default-class: "true"}
spec: {controller: example.com/house}
`,
    });
    k.ok(['create', 'ingress', 'classless', '-n', 'net', '--rule=bar.com/=svc:80']);
    assert.equal(at(k.json(['get', 'ingress', 'classless', '-n', 'net']), 'spec', 'ingressClassName'), 'house');
    k.ok(['create', 'ingress', 'legacy', '-n', 'net', '--rule=baz.com/=svc:80', '--annotation=kubernetes.io/ingress.class=other']);
    assert.equal(at(k.json(['get', 'ingress', 'legacy', '-n', 'net']), 'spec', 'ingressClassName'), undefined);
  }),
);

test(
  'an Ingress status can be set through the status subresource and shows as ADDRESS',
  k.run(() => {
    k.ok([
      'patch',
      'ingress',
      'web',
      '-n',
      'net',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.10"}]}}}',
    ]);
    assert.equal(rowWhere(k.ok(['get', 'ingress', 'web', '-n', 'net']).stdout, 0, 'web')?.[3], '192.0.2.10');
  }),
);

test(
  'bad Ingress, IngressClass and NetworkPolicy objects are answered 422 naming the field',
  k.run(() => {
    const badIngress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bad, namespace: net}
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: relative
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
`;
    const r = k.fails(['create', '-f', '-'], { input: badIngress });
    assert.match(
      r.stderr,
      /The Ingress "bad" is invalid: spec\.rules\[0\]\.http\.paths\[0\]\.path: Invalid value: "relative": must be an absolute path/,
    );
    const v = k.fails(['create', '-f', '-', '-v=6'], { input: badIngress });
    assert.match(v.stderr, /POST https:\/\/\S+\/apis\/networking\.k8s\.io\/v1\/namespaces\/net\/ingresses\S* 422 Unprocessable Entity/);

    const badClass = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: bad}
spec: {controller: nginx}
`;
    assert.match(
      k.fails(['create', '-f', '-'], { input: badClass }).stderr,
      /spec\.controller: Invalid value: "nginx": must be a domain-prefixed path \(such as "acme.io\/foo"\)/,
    );

    const badPolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad, namespace: net}
spec:
  podSelector: {}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}
`;
    assert.match(
      k.fails(['create', '-f', '-'], { input: badPolicy }).stderr,
      /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\]: Invalid value: "10\.1\.0\.0\/24": must be a strict subset of `cidr`/,
    );
    k.fails(['get', 'ingress', 'bad', '-n', 'net']);
    k.fails(['get', 'netpol', 'bad', '-n', 'net']);
  }),
);

test(
  'kubectl get apiservices lists every built-in group-version as Local and Available',
  k.run(() => {
    const out = k.ok(['get', 'apiservices']).stdout;
    assert.deepEqual(rows(out)[0], ['NAME', 'SERVICE', 'AVAILABLE', 'AGE']);
    for (const name of [
      'v1.',
      'v1.apps',
      'v1.batch',
      'v1.networking.k8s.io',
      'v1.apiregistration.k8s.io',
      'v1.rbac.authorization.k8s.io',
    ]) {
      assert.deepEqual(rowWhere(out, 0, name)?.slice(0, 3), [name, 'Local', 'True'], `${name} in\n${out}`);
    }
    const core = k.json(['get', 'apiservice', 'v1.']);
    assert.equal(at(core, 'spec', 'groupPriorityMinimum'), 18000);
    assert.equal(at(core, 'status', 'conditions', 0, 'reason'), 'Local');
    const bad = `apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.com}
spec: {group: example.com, version: v1, groupPriorityMinimum: 0, versionPriority: 10}
`;
    assert.match(
      k.fails(['create', '-f', '-'], { input: bad }).stderr,
      /spec\.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000/,
    );
    assert.ok(k.ok(['api-resources', '--api-group=networking.k8s.io']).stdout.includes('networkpolicies'));
  }),
);
