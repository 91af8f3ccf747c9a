import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readKubeconfig, writeKubeconfig } from '../../client/kubeconfig.js';
import { ensurePki } from '../../pki/index.js';
import { createTokenAuthenticator, ensureAdminToken } from './tokens.js';
import { isPublicPath, unauthorizedStatus } from './public-paths.js';
import { adminUser } from './user.js';

const KUBECTL = '/usr/bin/kubectl';
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

test('the kubeconfig parses back with the cluster, user, context and current-context', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-kc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'sub', 'kubeconfig');
  await writeKubeconfig(path, { caPem: CA, token: 'tok-123' });
  const kc = parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(kc, {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [
      { name: 'tandem', cluster: { server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from(CA).toString('base64') } },
    ],
    users: [{ name: 'tandem-admin', user: { token: 'tok-123' } }],
    contexts: [{ name: 'tandem', context: { cluster: 'tandem', user: 'tandem-admin' } }],
    'current-context': 'tandem',
  });
  assert.equal((await stat(path)).mode & 0o777, 0o600);

  // Rewriting replaces the file whole, with the new names, and leaves no temp files.
  await writeFile(path, 'old content that is much longer than what will replace it '.repeat(50));
  await writeKubeconfig(path, {
    server: 'https://10.0.0.1:7443',
    caPem: CA,
    token: 't2',
    clusterName: 'c',
    userName: 'u',
    contextName: 'x',
  });
  const kc2 = parse(await readFile(path, 'utf8')) as {
    clusters: { cluster: { server: string } }[];
    'current-context': string;
    contexts: unknown;
  };
  assert.equal(kc2.clusters[0]?.cluster.server, 'https://10.0.0.1:7443');
  assert.equal(kc2['current-context'], 'x');
  assert.deepEqual(kc2.contexts, [{ name: 'x', context: { cluster: 'c', user: 'u' } }]);
  assert.deepEqual(await readdir(join(dir, 'sub')), ['kubeconfig']);
  // what Tandem writes, it reads back through the same type: the current context's credentials
  assert.deepEqual(readKubeconfig(path), { server: 'https://10.0.0.1:7443', servers: ['https://10.0.0.1:7443'], caPem: CA, token: 't2' });
  await writeFile(path, 'clusters: []\n');
  assert.throws(() => readKubeconfig(path), /names no cluster server/);
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env, timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test(
  'real kubectl accepts the kubeconfig: verifies the CA and sends the bearer token',
  { skip: existsSync(KUBECTL) ? false : `${KUBECTL} not found` },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'tandem-kubectl-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const pki = await ensurePki(dir, { hosts: ['localhost', '127.0.0.1'] });
    const token = await ensureAdminToken(dir);
    const auth = createTokenAuthenticator([{ token, user: adminUser() }]);
    const seen: { path: string; authorization: string | undefined; user: string | undefined }[] = [];
    const server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
      const url = req.url ?? '/';
      const user = auth.authenticate(req.headers.authorization);
      seen.push({ path: url, authorization: req.headers.authorization, user: user?.name });
      res.setHeader('content-type', 'application/json');
      if (!user && !isPublicPath(url)) {
        res.statusCode = 401;
        res.end(JSON.stringify(unauthorizedStatus()));
        return;
      }
      if (url.split('?')[0] === '/version') {
        res.end(JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0' }));
        return;
      }
      res.statusCode = 404;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => new Promise((r) => server.close(r)));
    const port = (server.address() as AddressInfo).port;
    const env = { HOME: join(dir, 'home'), PATH: process.env.PATH ?? '/usr/bin:/bin' };

    for (const host of ['127.0.0.1', 'localhost']) {
      seen.length = 0;
      const kubeconfig = join(dir, `kubeconfig-${host}`);
      await writeKubeconfig(kubeconfig, { server: `https://${host}:${port}`, caPem: pki.caCertPem, token });
      const out = await run(KUBECTL, ['--kubeconfig', kubeconfig, 'version', '-o', 'json'], env);
      assert.equal(out.code, 0, `kubectl failed for ${host}: ${out.stderr}`);
      const v = JSON.parse(out.stdout) as {
        serverVersion?: { gitVersion?: string; major?: string; minor?: string };
        clientVersion?: unknown;
      };
      assert.equal(v.serverVersion?.gitVersion, 'v1.32.0');
      assert.equal(v.serverVersion?.minor, '32');
      assert.ok(v.clientVersion);
      assert.ok(
        seen.some((s) => s.authorization === `Bearer ${token}` && s.user === 'tandem-admin'),
        JSON.stringify(seen),
      );
    }

    // A wrong token gets the 401 Status back through kubectl.
    const bad = join(dir, 'kubeconfig-bad');
    await writeKubeconfig(bad, { server: `https://127.0.0.1:${port}`, caPem: pki.caCertPem, token: 'wrong-token' });
    const denied = await run(KUBECTL, ['--kubeconfig', bad, 'get', '--raw', '/api'], env);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Unauthorized/);

    // A kubeconfig with another CA is refused by kubectl's TLS verification.
    const other = await ensurePki(join(dir, 'other'), { hosts: ['127.0.0.1'] });
    const wrongCa = join(dir, 'kubeconfig-wrong-ca');
    await writeKubeconfig(wrongCa, { server: `https://127.0.0.1:${port}`, caPem: other.caCertPem, token });
    const refused = await run(KUBECTL, ['--kubeconfig', wrongCa, 'get', '--raw', '/version'], env);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /certificate/i);
  },
);
