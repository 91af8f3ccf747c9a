import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { adminTokenPath, bearerToken, createTokenAuthenticator, ensureAdminToken } from './tokens.js';
import { adminUser, nodeNameOf, nodeUser } from './user.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'tandem-tok-'));

test('the admin token is 32 random bytes in base64url, stored 0600 and stable across calls', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const token = await ensureAdminToken(dir);
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(token, 'base64url').length, 32);
  const path = adminTokenPath(dir);
  assert.equal(path, join(dir, 'pki', 'admin.token'));
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal((await readFile(path, 'utf8')).trim(), token);
  assert.equal(await ensureAdminToken(dir), token);
  assert.equal(await ensureAdminToken(dir), token);
  assert.deepEqual(await readdir(dirname(path)), ['admin.token'], 'no temp files left behind');

  const other = await tempDir();
  t.after(() => rm(other, { recursive: true, force: true }));
  assert.notEqual(await ensureAdminToken(other), token);
});

test('concurrent first calls agree on one token; an empty token file is replaced', async (t) => {
  const dir = await tempDir();
  t.after(() => rm(dir, { recursive: true, force: true }));
  const tokens = await Promise.all([1, 2, 3, 4, 5].map(() => ensureAdminToken(dir)));
  assert.equal(new Set(tokens).size, 1);
  await writeFile(adminTokenPath(dir), '\n');
  const fresh = await ensureAdminToken(dir);
  assert.match(fresh, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(fresh, tokens[0]);
  assert.equal((await stat(adminTokenPath(dir))).mode & 0o777, 0o600);
});

test('bearer header parsing', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('bearer abc'), 'abc');
  assert.equal(bearerToken('  BEARER   abc  '), 'abc');
  assert.equal(bearerToken('Bearer'), undefined);
  assert.equal(bearerToken('Bearer '), undefined);
  assert.equal(bearerToken('Bearer a b'), undefined);
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken('Bearerabc'), undefined);
  assert.equal(bearerToken(undefined), undefined);
});

test('the token authenticator answers the right user for the right token only', () => {
  const admin = 'A'.repeat(20) + '_-xyz';
  const auth = createTokenAuthenticator([{ token: admin, user: adminUser() }]);
  assert.deepEqual(auth.authenticate(`Bearer ${admin}`), { name: 'tandem-admin', groups: ['system:masters', 'system:authenticated'] });
  assert.equal(auth.authenticate(`Bearer ${admin.slice(0, -1)}`), undefined);
  assert.equal(auth.authenticate(`Bearer ${admin}x`), undefined);
  assert.equal(auth.authenticate('Bearer nope'), undefined);
  assert.equal(auth.authenticate(`Basic ${admin}`), undefined);
  assert.equal(auth.authenticate(admin), undefined);
  assert.equal(auth.authenticate(undefined), undefined);
  assert.equal(auth.authenticate(''), undefined);

  // Callers cannot change what the authenticator holds.
  const u = auth.authenticate(`Bearer ${admin}`);
  assert.ok(u);
  u.groups.push('evil');
  assert.deepEqual(auth.authenticate(`Bearer ${admin}`)?.groups, ['system:masters', 'system:authenticated']);

  // Node agents' tokens can be added and removed later.
  auth.add({ token: 'node-token-1', user: nodeUser('win-1') });
  assert.equal(auth.size, 2);
  const node = auth.authenticate('Bearer node-token-1');
  assert.deepEqual(node, { name: 'system:node:win-1', groups: ['system:nodes', 'system:authenticated'] });
  assert.ok(node);
  assert.equal(nodeNameOf(node), 'win-1');
  assert.equal(nodeNameOf(adminUser()), undefined);
  auth.add({ token: 'node-token-1', user: nodeUser('win-2') });
  assert.equal(auth.size, 2);
  assert.equal(auth.authenticate('Bearer node-token-1')?.name, 'system:node:win-2');
  assert.equal(auth.remove('node-token-1'), true);
  assert.equal(auth.remove('node-token-1'), false);
  assert.equal(auth.authenticate('Bearer node-token-1'), undefined);
  assert.equal(auth.authenticate(`Bearer ${admin}`)?.name, 'tandem-admin');
  assert.throws(() => auth.add({ token: '', user: adminUser() }));
  assert.throws(() => auth.add({ token: 'has space', user: adminUser() }));
});

test('a refused header stays refused until the table changes, and never hides a token added later', () => {
  const auth = createTokenAuthenticator([{ token: 'admin-token', user: adminUser() }]);
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln';
  assert.equal(auth.authenticate(`Bearer ${jwt}`), undefined);
  assert.equal(auth.authenticate(`Bearer ${jwt}`), undefined);
  auth.add({ token: jwt, user: nodeUser('n1') });
  assert.equal(auth.authenticate(`Bearer ${jwt}`)?.name, 'system:node:n1');
  assert.equal(auth.remove(jwt), true);
  assert.equal(auth.authenticate(`Bearer ${jwt}`), undefined);
  // many refused headers (more than are remembered) change no answer
  for (let i = 0; i < 3000; i++) assert.equal(auth.authenticate(`Bearer other-${i}`), undefined);
  assert.equal(auth.authenticate('Bearer admin-token')?.name, 'tandem-admin');
  assert.equal(auth.authenticate('Bearer other-2999'), undefined);
});
