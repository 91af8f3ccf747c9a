// A kubeconfig that lists several API servers (the tandem.io/servers cluster extension): Tandem reads
// them, the real kubectl uses `server` and keeps the extension when it rewrites the file, a client
// made from it fails over to the next server, and a malformed list is refused by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { allKinds } from '../api/kinds/index.js';
import { createApiServer } from '../apiserver/server.js';
import { createRequestAuthenticator, createTokenAuthenticator } from '../apiserver/auth/index.js';
import { ensurePki } from '../pki/index.js';
import { createBackend } from '../storage/index.js';
import { clientFromKubeconfig, readKubeconfig, renderKubeconfig, SERVERS_EXTENSION, writeKubeconfig } from './kubeconfig.js';

const KUBECTL = process.env['KUBECTL'] ?? '/usr/bin/kubectl';
const TOKEN = 'kubeconfig-servers-token-0123456789';

async function deadPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('several servers in a kubeconfig: read back, kept by kubectl, failed over', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-kc-servers-'));
  const backend = await createBackend('memory');
  const pki = await ensurePki(dir, { hosts: ['127.0.0.1'] });
  const api = await createApiServer({
    backend,
    kinds: allKinds,
    authenticator: createRequestAuthenticator({
      static: createTokenAuthenticator([
        { token: TOKEN, user: { name: 'admin', uid: 'admin', groups: ['system:masters', 'system:authenticated'] } },
      ]),
    }),
    tls: { cert: pki.certPem, key: pki.keyPem, ca: pki.caCertPem },
    advertiseAddress: '127.0.0.1:0',
  });
  const live = `https://127.0.0.1:${await api.listen('127.0.0.1', 0)}`;
  const dead = `https://127.0.0.1:${await deadPort()}`;
  t.after(async () => {
    await api.close();
    await backend.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // kubectl's server is the live one; Tandem's list has a dead server after it
  const path = join(dir, 'kubeconfig');
  await writeKubeconfig(path, { server: live, servers: [live, dead], caPem: pki.caCertPem, token: TOKEN });
  assert.deepEqual(readKubeconfig(path).servers, [live, dead]);
  assert.doesNotMatch(renderKubeconfig({ server: live, caPem: 'x', token: 'y' }), /extensions/, 'one server: the file is as before');

  if (existsSync(KUBECTL)) {
    // asynchronously: the API server answers from this process
    const kubectl = (...args: string[]) =>
      new Promise<{ code: number; stderr: string }>((resolve) =>
        execFile(KUBECTL, ['--kubeconfig', path, ...args], { timeout: 60_000 }, (e, _out, stderr) =>
          resolve({ code: e ? Number(e.code ?? 1) : 0, stderr }),
        ),
      );
    const get = await kubectl('get', 'namespaces', '-o', 'name');
    assert.equal(get.code, 0, `kubectl get with the extension: ${get.stderr}`);
    const set = await kubectl('config', 'set-context', 'tandem', '--namespace=kube-system');
    assert.equal(set.code, 0, set.stderr);
    assert.match(readFileSync(path, 'utf8'), /namespace: kube-system/);
    assert.deepEqual(readKubeconfig(path).servers, [live, dead], 'kubectl kept the extension when it rewrote the file');
  } else t.diagnostic(`kubectl not found at ${KUBECTL}: its part is skipped`);

  // the dead server first: a client made from the file moves on to the live one
  const flipped = join(dir, 'flipped');
  await writeKubeconfig(flipped, { server: dead, servers: [live], caPem: pki.caCertPem, token: TOKEN });
  const { client } = clientFromKubeconfig(flipped, 'test');
  t.after(() => client.close());
  const ns = await client.request<{ items: unknown[] }>('GET', '/api/v1/namespaces');
  assert.ok(Array.isArray(ns.items));
  assert.equal(client.pool.current(), live);
  // and flags add servers after the file's
  const { client: more } = clientFromKubeconfig(path, 'test', undefined, undefined, {
    servers: ['https://10.9.9.9:6443,https://10.9.9.8:6443'],
  });
  assert.deepEqual(more.pool.servers(), [live, dead, 'https://10.9.9.9:6443', 'https://10.9.9.8:6443']);
  more.close();

  // a malformed list is named
  const bad = join(dir, 'bad');
  const text = renderKubeconfig({ server: live, servers: [dead], caPem: pki.caCertPem, token: TOKEN });
  writeFileSync(bad, text.replace(`- ${dead}`, '- 10.0.0.1:6443'));
  assert.throws(() => readKubeconfig(bad), new RegExp(`${SERVERS_EXTENSION}: .*10.0.0.1:6443`));
  writeFileSync(bad, text.replace(/servers:\n(\s+- .*\n)+/, 'servers: 7\n'));
  assert.throws(() => readKubeconfig(bad), /tandem.io\/servers extension needs servers: a list of URLs/);
});
