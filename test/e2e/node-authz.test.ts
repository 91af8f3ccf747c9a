// Node authorization end to end with the real kubectl against `tandem server`: a node identity (a
// client certificate for system:node:n1 in system:nodes, issued here from DATA/pki/ca.key) reads
// the Secret of a pod bound to it and nothing else, loses it when the pod goes, and may change its
// own Node but not another's (the Node authorizer and NodeRestriction, with upstream's messages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateClientCert } from '../../src/agent/streaming/testing/client-cert.js';
import { kubectlAvailable, startTandem } from './harness.js';
import { SKIP_MESSAGE } from './kubectl-support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const b64 = (s: string) => Buffer.from(s).toString('base64');

test(
  "a node reads only its pods' secrets and modifies only its own Node",
  { skip: !kubectlAvailable() && SKIP_MESSAGE, timeout: 90_000 },
  async (t) => {
    const srv = await startTandem({ args: ['--controllers', 'none'] });
    t.after(() => srv.stop());
    const admin = (args: string[], input?: unknown) => {
      const r = srv.kubectl(args, input === undefined ? {} : { input: JSON.stringify(input) });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const secret = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: 'default' },
      stringData: { k: name },
    });
    const pod = (name: string, node: string, s: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox', envFrom: [{ secretRef: { name: s } }] }] },
    });
    for (const o of [secret('s1'), secret('s2'), pod('p1', 'n1', 's1'), pod('p2', 'n2', 's2')]) admin(['apply', '-f', '-'], o);
    admin(['create', '-f', '-'], { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n2' } });

    // the node's kubeconfig: a client certificate from the cluster CA, as `tandem join` obtains one
    const ca = {
      certPem: readFileSync(join(srv.dataDir, 'pki', 'ca.crt'), 'utf8'),
      keyPem: readFileSync(join(srv.dataDir, 'pki', 'ca.key'), 'utf8'),
    };
    const n1 = await generateClientCert(ca, 'system:node:n1', ['system:nodes']);
    const kubeconfig = join(srv.home, 'n1.kubeconfig');
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: srv.url, 'certificate-authority-data': b64(ca.certPem) } }],
        users: [{ name: 'n1', user: { 'client-certificate-data': b64(n1.certPem), 'client-key-data': b64(n1.keyPem) } }],
        contexts: [{ name: 'n1', context: { cluster: 'c', user: 'n1' } }],
        'current-context': 'n1',
      }),
    );
    const node = (args: string[], input?: unknown) =>
      srv.kubectl(args, { env: { KUBECONFIG: kubeconfig }, ...(input === undefined ? {} : { input: JSON.stringify(input) }) });

    // its own pod's secret: yes; the secret of a pod on n2: 403 with upstream's words
    let r = node(['get', 'secret', 's1', '-o', 'jsonpath={.data.k}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(Buffer.from(r.stdout, 'base64').toString(), 's1');
    r = node(['get', 'secret', 's2']);
    assert.notEqual(r.code, 0);
    assert.equal(
      r.stderr.trim(),
      `Error from server (Forbidden): secrets "s2" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object`,
    );
    r = node(['get', 'secrets']);
    assert.notEqual(r.code, 0, 'listing every secret is refused');

    // its own Node: registered and patched; another's: refused by NodeRestriction
    r = node(['create', '--validate=false', '-f', '-'], {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n1', labels: { 'kubernetes.io/os': 'linux' } },
    });
    assert.equal(r.code, 0, r.stderr);
    r = node(['label', 'node', 'n1', 'example.com/rack=7']);
    assert.equal(r.code, 0, r.stderr);
    r = node(['label', 'node', 'n2', 'example.com/rack=7']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"/);
    r = node(['label', 'node', 'n1', 'node-restriction.kubernetes.io/pci=yes']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /nodes "n1" is forbidden: is not allowed to modify labels: node-restriction\.kubernetes\.io\/pci/);
    r = node(['delete', 'pod', 'p2']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "p2" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself/);
    r = node(['create', 'namespace', 'mine']);
    assert.notEqual(r.code, 0, 'a node creates no namespaces');

    // the pod goes: so does the node's access to its secret
    admin(['delete', 'pod', 'p1', '--grace-period=0', '--force']);
    let code = 0;
    for (let i = 0; i < 50 && code === 0; i++) {
      code = node(['get', 'secret', 's1']).code;
      if (code === 0) await sleep(100);
    }
    assert.notEqual(code, 0, 'the secret of a deleted pod is no longer readable');
  },
);
