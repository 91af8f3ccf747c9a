// The token cleaner against a real API server: an expiring bootstrap token is deleted at its expiry;
// tokens without expiry, not yet expired, or of another type stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nullLogger } from '../../base/log.js';
import { runServer } from '../../cli/server-command.js';

const SECRETS = '/api/v1/namespaces/kube-system/secrets';
const token = (id: string, expiration?: string, type = 'bootstrap.kubernetes.io/token') => ({
  apiVersion: 'v1',
  kind: 'Secret',
  type,
  metadata: { name: `bootstrap-token-${id}`, namespace: 'kube-system' },
  stringData: {
    'token-id': id,
    'token-secret': '0123456789abcdef',
    'usage-bootstrap-authentication': 'true',
    ...(expiration ? { expiration } : {}),
  },
});

test('expired bootstrap tokens are deleted at their expiry', { timeout: 30_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-tokencleaner-'));
  const s = await runServer({ dataDir: dir, listen: '127.0.0.1:0', store: 'memory', log: nullLogger, controllers: ['tokencleaner'] });
  t.after(async () => {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const soon = new Date(Date.now() + 1500).toISOString().replace(/\.\d+Z$/, 'Z');
  const later = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  await s.client.request('POST', SECRETS, token('aaaaaa', soon));
  await s.client.request('POST', SECRETS, token('bbbbbb', later));
  await s.client.request('POST', SECRETS, token('cccccc'));
  await s.client.request('POST', SECRETS, token('dddddd', '2000-01-01T00:00:00Z', 'Opaque'));
  await s.client.request('POST', SECRETS, token('eeeeee', '2000-01-01T00:00:00Z'));
  await s.controllers.ready();
  const exists = async (id: string) => (await s.client.getOrUndefined(`${SECRETS}/bootstrap-token-${id}`)) !== undefined;
  const until = Date.now() + 10_000;
  while ((await exists('aaaaaa')) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await exists('aaaaaa'), false, 'expired at its expiry');
  assert.equal(await exists('eeeeee'), false, 'long expired');
  assert.equal(await exists('bbbbbb'), true);
  assert.equal(await exists('cccccc'), true);
  assert.equal(await exists('dddddd'), true, 'not a bootstrap token');
});
