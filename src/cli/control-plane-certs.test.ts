import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { caCertHash, ensurePki } from '../pki/index.js';
import { holdsClusterFiles, writeSharedFiles } from './control-plane-certs.js';

const dirs: string[] = [];
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tandem-cp-certs-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const files = {
  'ca.crt': 'CA CERT\n',
  'ca.key': 'CA KEY\n',
  'sa.key': 'SA KEY\n',
  'sa.pub': 'SA PUB\n',
  'admin.token': 'token\n',
};

test('the shared files are written with their modes, once; files already there must be the same', async () => {
  const dir = newDir();
  assert.deepEqual(await writeSharedFiles(dir, files), ['ca.crt', 'ca.key', 'sa.key', 'sa.pub', 'admin.token']);
  assert.equal(statSync(join(dir, 'pki')).mode & 0o777, 0o700);
  for (const [name, mode] of Object.entries({ 'ca.crt': 0o644, 'ca.key': 0o600, 'sa.key': 0o600, 'sa.pub': 0o644, 'admin.token': 0o600 })) {
    assert.equal(statSync(join(dir, 'pki', name)).mode & 0o777, mode, name);
    assert.equal(readFileSync(join(dir, 'pki', name), 'utf8'), files[name as keyof typeof files]);
  }
  assert.deepEqual(await writeSharedFiles(dir, files), [], 'nothing to write the second time');
  // the same CA but another signing key: another cluster's dir, refused naming the file, nothing changed
  await assert.rejects(
    writeSharedFiles(dir, { ...files, 'sa.key': 'OTHER\n' }),
    /sa\.key \(the ServiceAccount token signing key\) belongs to another cluster/,
  );
  assert.equal(readFileSync(join(dir, 'pki', 'sa.key'), 'utf8'), files['sa.key']);
  await assert.rejects(writeSharedFiles(newDir(), { 'ca.crt': 'x' }), /lacks ca\.key, sa\.key, sa\.pub, admin\.token/);
});

test("holdsClusterFiles: false for an empty dir, true once complete, an error for another cluster's CA", async () => {
  const dir = newDir();
  const pin = `sha256:${'0'.repeat(64)}`;
  assert.equal(await holdsClusterFiles(dir, pin), false);
  const pki = await ensurePki(dir, { hosts: ['localhost'] });
  const own = caCertHash(pki.caCertPem);
  await assert.rejects(holdsClusterFiles(dir, pin), /holds another cluster's CA/);
  assert.equal(await holdsClusterFiles(dir, own), false, 'the CA alone is not all of it');
  for (const f of ['sa.key', 'sa.pub', 'admin.token']) writeFileSync(join(dir, 'pki', f), 'x');
  assert.equal(await holdsClusterFiles(dir, own), true);
  writeFileSync(join(dir, 'pki', 'ca.crt'), 'garbage');
  await assert.rejects(holdsClusterFiles(dir, own), /is not a certificate/);
});
