// A real `tandem sim` process with several API servers: its kubeconfig names a dead server and
// --server two live ones (over one store). The sim registers its node through the first live server;
// when that one is closed, the node's Lease goes on being renewed through the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lease } from '../../api/gen/types.js';
import { allKinds } from '../../api/kinds/index.js';
import { createApiServer } from '../../apiserver/server.js';
import { createRequestAuthenticator, createTokenAuthenticator } from '../../apiserver/auth/index.js';
import { writeKubeconfig } from '../../client/kubeconfig.js';
import { createRestClient } from '../../client/rest-client.js';
import { ensurePki } from '../../pki/index.js';
import { createBackend } from '../../storage/index.js';

const TANDEM = resolve(fileURLToPath(import.meta.url), '../../../../../bin/tandem.js');
const TOKEN = 'sim-servers-token-0123456789';

test('tandem sim fails over between the API servers of its kubeconfig and --server', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-sim-servers-'));
  const backend = await createBackend('memory');
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1'] });
  const table = createTokenAuthenticator([
    { token: TOKEN, user: { name: 'admin', uid: 'admin', groups: ['system:masters', 'system:authenticated'] } },
  ]);
  const start = async () => {
    const api = await createApiServer({
      backend,
      kinds: allKinds,
      authenticator: createRequestAuthenticator({ static: table }),
      tls: { cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem },
      advertiseAddress: '127.0.0.1:0',
    });
    return { api, url: `https://127.0.0.1:${await api.listen('127.0.0.1', 0)}` };
  };
  const a = await start();
  const b = await start();
  const viaB = createRestClient({ server: b.url, caPem: pki.caCertPem, token: TOKEN });
  t.after(() => viaB.close());
  for (const name of ['default', 'kube-node-lease'])
    await viaB.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const open = [a.api, b.api];
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const dead = `https://127.0.0.1:${(probe.address() as net.AddressInfo).port}`;
  await new Promise<void>((r) => probe.close(() => r()));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeKubeconfig(kubeconfig, { server: dead, caPem: pki.caCertPem, token: TOKEN });

  const sim = spawn(
    process.execPath,
    [TANDEM, 'sim', '--kubeconfig', kubeconfig, '--server', `${a.url},${b.url}`, '--lease-renew-ms', '300'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TANDEM_HOME: dir },
    },
  );
  let out = '';
  sim.stdout.on('data', (c: Buffer) => (out += c.toString()));
  sim.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => sim.once('exit', () => r()));
  t.after(async () => {
    sim.kill('SIGTERM');
    await exited;
    for (const api of open) await api.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const until = async (what: string, f: () => boolean | Promise<boolean>, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!(await f())) {
      if (Date.now() > end) assert.fail(`${what} within ${ms} ms; sim output:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await until('the sim is ready', () => out.includes('tandem sim ready'));

  const renewTime = async () =>
    (await viaB.request<Lease>('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/sim-linux-0')).spec?.renewTime ?? '';
  open.splice(0, 1);
  await a.api.close();
  const before = await renewTime();
  await until('the Lease is renewed through B after A closed', async () => (await renewTime()) !== before, 10_000);
  assert.equal(sim.exitCode, null, `the sim is still running:\n${out}`);
});
