// E2E: keep-alive HTTPS requests with bodies larger than one TLS record are never reset, whichever
// client sends them. Node 20's HTTP server used to reset 5-25% of them (see
// src/apiserver/http/tls-parser-feed.ts); each client here sends many POSTs on reused connections at
// 1 KB, 17 KB, 64 KB and 1 MB and every one must be answered 201.

import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startTandem, type TandemProcess } from './harness.js';

const SIZES = [1024, 17 * 1024, 64 * 1024, 1_000_000];
/** how many requests per size: enough that the old 5% fault rate could not pass by luck */
const count = (size: number) => (size >= 1_000_000 ? 24 : 120);
const PATH = '/api/v1/namespaces/default/configmaps';

function configMap(size: number, prefix: string): Buffer {
  return Buffer.from(
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: prefix }, data: { d: 'a'.repeat(size) } }),
  );
}

interface Tally {
  ok: number;
  /** the first few failures, for the message */
  failures: string[];
}

function record(t: Tally, what: string): void {
  if (what === '201') t.ok++;
  else if (t.failures.length < 5) t.failures.push(what.slice(0, 200));
}

function assertClean(client: string, size: number, n: number, t: Tally): void {
  assert.equal(t.ok, n, `${client}, ${size} bytes: ${n - t.ok} of ${n} requests failed, first: ${t.failures.join('; ')}`);
}

describe('keep-alive requests with large bodies', () => {
  let srv: TandemProcess;
  let dir: string;
  let caFile: string;

  before(async () => {
    srv = await startTandem({ args: ['--store', 'memory'] });
    dir = mkdtempSync(join(tmpdir(), 'tandem-wire-'));
    caFile = join(dir, 'ca.crt');
    writeFileSync(caFile, srv.caPem());
  });
  after(async () => {
    if (srv) await srv.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** POSTs `n` bodies of `size` through one keep-alive agent, `parallel` at a time; all must succeed on reused connections. */
  async function nodeHttps(size: number, n: number, parallel: number): Promise<void> {
    const base = new URL(srv.url);
    const agent = new https.Agent({ keepAlive: true, ca: srv.caPem(), maxSockets: parallel });
    const body = configMap(size, 'node-');
    const t: Tally = { ok: 0, failures: [] };
    let reused = 0;
    const one = () =>
      new Promise<void>((resolve) => {
        const req = https.request(
          {
            host: base.hostname,
            port: base.port,
            method: 'POST',
            path: PATH,
            agent,
            headers: { Authorization: `Bearer ${srv.token()}`, 'Content-Type': 'application/json', 'Content-Length': body.length },
          },
          (res) => {
            if (req.reusedSocket) reused++;
            res.resume();
            res.on('end', () => (record(t, String(res.statusCode)), resolve()));
          },
        );
        req.on('error', (e: NodeJS.ErrnoException) => (record(t, e.code ?? e.message), resolve()));
        req.end(body);
      });
    let started = 0;
    const worker = async () => {
      while (started < n) {
        started++;
        await one();
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    agent.destroy();
    assertClean(`node:https ${parallel} at a time`, size, n, t);
    assert.ok(reused >= n - parallel * 2, `the agent reused its connections (${reused} of ${n})`);
  }

  for (const size of SIZES) {
    test(`node:https keep-alive agent, ${size} bytes, one at a time and 8 in parallel`, async () => {
      await nodeHttps(size, count(size), 1);
      await nodeHttps(size, count(size), 8);
    });
  }

  test('@kubernetes/client-node, every size', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(srv.kubeconfig);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    for (const size of SIZES) {
      const n = Math.ceil(count(size) / 2);
      const t: Tally = { ok: 0, failures: [] };
      for (let i = 0; i < n; i++) {
        try {
          await core.createNamespacedConfigMap({
            namespace: 'default',
            body: { metadata: { generateName: 'cn-' }, data: { d: 'a'.repeat(size) } },
          });
          record(t, '201');
        } catch (e) {
          record(t, e instanceof Error ? e.message.slice(0, 120) : String(e));
        }
      }
      assertClean('client-node', size, n, t);
    }
  });

  test('curl, many URLs in one invocation (one reused connection)', (t) => {
    if (!existsSync('/usr/bin/curl')) return t.skip('curl is not installed');
    for (const size of SIZES) {
      const n = Math.ceil(count(size) / 2);
      const file = join(dir, `body-${size}.json`);
      writeFileSync(file, configMap(size, 'curl-'));
      const url = `${srv.url}${PATH}`;
      const r = spawnSync(
        '/usr/bin/curl',
        [
          '-sS',
          '--keepalive',
          '--cacert',
          caFile,
          '-H',
          `Authorization: Bearer ${srv.token()}`,
          '-H',
          'Content-Type: application/json',
          '--data-binary',
          `@${file}`,
          '-w',
          '%{http_code} %{num_connects}\\n',
          // each -o pairs with one URL
          ...Array.from({ length: n }, () => ['-o', '/dev/null', url]).flat(),
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      const lines = r.stdout.trim().split('\n');
      const tally: Tally = { ok: 0, failures: [] };
      for (const l of lines) record(tally, l.split(' ')[0]!);
      if (r.stderr.trim()) tally.failures.push(r.stderr.trim().slice(0, 200));
      assertClean('curl', size, n, tally);
      // one connection for the whole invocation: every later transfer reused it
      assert.ok(lines.filter((l) => l.endsWith(' 0')).length >= n - 1, `curl reused its connection: ${lines.slice(0, 5).join(', ')}`);
    }
  });

  test('python3 requests.Session (urllib3 connection pool)', (t) => {
    const py = '/usr/bin/python3';
    if (spawnSync(py, ['-c', 'import requests'], { encoding: 'utf8' }).status !== 0) return t.skip('python3-requests is not installed');
    const script = [
      // verify= per request: REQUESTS_CA_BUNDLE in the environment would override a Session's own
      'import json, sys, requests',
      'url, ca, token, size, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])',
      's = requests.Session()',
      "s.headers.update({'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'})",
      "body = json.dumps({'apiVersion': 'v1', 'kind': 'ConfigMap', 'metadata': {'generateName': 'py-'}, 'data': {'d': 'a' * size}})",
      'for i in range(n):',
      '    try:',
      '        print(s.post(url, data=body, verify=ca).status_code)',
      '    except Exception as e:',
      "        print(type(e).__name__ + ': ' + str(e)[:100])",
      '    sys.stdout.flush()',
    ].join('\n');
    for (const size of SIZES) {
      const n = Math.ceil(count(size) / 2);
      const r = spawnSync(py, ['-c', script, `${srv.url}${PATH}`, caFile, srv.token(), String(size), String(n)], {
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(r.status, 0, r.stderr);
      const tally: Tally = { ok: 0, failures: [] };
      for (const l of r.stdout.trim().split('\n')) record(tally, l);
      assertClean('python3 requests', size, n, tally);
    }
  });

  test('the server logged no aborted request and no internal error', () => {
    assert.doesNotMatch(srv.output(), /aborted|internal error/);
  });
});
