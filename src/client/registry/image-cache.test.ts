// The registry client and its cache against the real docker-registry: tag TTL, garbage collection,
// and Bearer/Basic auth through a token server and an authenticating front; digest checks against
// a small server that lies about content.
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildImage, MEDIA } from '../../agent/images/oci.js';
import { createManualClock } from '../../base/testing/manual-clock.js';
import { pushImage, startRegistry, type Registry } from '../../../test/images/registry.js';
import { RegistryAuthError } from './auth.js';
import { DigestMismatchError, sha256Of } from './digest.js';
import { createImageCache } from './image-cache.js';
import { InsecureTransportError } from './transport.js';

const work = await mkdtemp(join(tmpdir(), 'tandem-image-cache-'));
let registry: Registry;
const servers: Server[] = [];
const linux = { os: 'linux', architecture: 'amd64' };
const img = (text: string) => buildImage({ name: 'x', entries: [{ type: 'file', path: 'v', data: Buffer.from(text) }] });

before(async () => {
  registry = await startRegistry({ dir: join(work, 'registry') });
});
after(async () => {
  for (const s of servers) s.close();
  await registry?.stop();
  await rm(work, { recursive: true, force: true });
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  return `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

test('a tag is trusted for the TTL, then resolved again; gc removes what the old tag used', async () => {
  const clock = createManualClock(1_000_000);
  const cache = createImageCache({ root: join(work, 'ttl'), platform: linux, clock, tagTtlMs: 60_000 });
  const v1 = img('one');
  const v2 = img('two');
  await pushImage(registry.url, 'tandem/ttl', 'latest', v1);
  const ref = `${registry.host}/tandem/ttl`;
  assert.equal((await cache.pull(ref)).manifest, v1.manifest.digest);
  await pushImage(registry.url, 'tandem/ttl', 'latest', v2);
  clock.advance(59_000);
  assert.equal((await cache.pull(ref)).manifest, v1.manifest.digest, 'within the TTL');
  assert.equal((await cache.lookup(ref))?.manifest, v1.manifest.digest);
  clock.advance(2_000);
  assert.equal((await cache.pull(ref)).manifest, v2.manifest.digest, 'after the TTL');
  // a digest reference keeps v1 alive through gc; a second gc after removing it frees v1
  await cache.pull(`${ref}@${v1.manifest.digest}`);
  assert.deepEqual(await cache.gc(), { removedBlobs: 0, freedBytes: 0 });
  assert.ok(await cache.remove(`${ref}@${v1.manifest.digest}`));
  const freed = await cache.gc();
  assert.equal(freed.removedBlobs, 3);
  assert.equal(freed.freedBytes, v1.manifest.data.length + v1.config.data.length + (v1.layers[0]?.data.length ?? 0));
  for (const b of [v1.manifest, v1.config, ...v1.layers]) assert.equal(await cache.store.has(b.digest), false);
  for (const b of [v2.manifest, v2.config, ...v2.layers]) assert.equal(await cache.store.has(b.digest), true);
});

test('a blob or manifest whose content does not match its digest is refused, naming both digests', async () => {
  const good = img('good');
  const layer = good.layers[0];
  assert.ok(layer);
  const wrongManifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA.manifest, config: {}, layers: [] }));
  const small = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: MEDIA.config, digest: good.config.digest, size: good.config.data.length },
      layers: [{ mediaType: MEDIA.layer, digest: layer.digest, size: 3 }],
    }),
  );
  const host = await serve((req, res) => {
    const u = req.url ?? '';
    if (u.endsWith('/manifests/small')) res.writeHead(200, { 'Content-Type': MEDIA.manifest }).end(small);
    else if (u.endsWith('/manifests/1')) res.writeHead(200, { 'Content-Type': MEDIA.manifest }).end(good.manifest.data);
    else if (u.includes('/manifests/sha256:')) res.writeHead(200, { 'Content-Type': MEDIA.manifest }).end(wrongManifest);
    else if (u.endsWith('/manifests/announced'))
      res
        .writeHead(200, { 'Content-Type': MEDIA.manifest, 'Docker-Content-Digest': sha256Of(Buffer.from('other')) })
        .end(good.manifest.data);
    else if (u.endsWith(good.config.digest)) res.writeHead(200).end(good.config.data);
    else if (u.endsWith(layer.digest)) res.writeHead(200).end(Buffer.from('tampered layer'));
    else res.writeHead(404).end();
  });
  const cache = createImageCache({ root: join(work, 'liar'), platform: linux });
  await assert.rejects(cache.pull(`${host}/x:1`), (e: Error) => {
    assert.ok(e instanceof DigestMismatchError);
    assert.equal(e.expected, layer.digest);
    assert.equal(e.actual, sha256Of(Buffer.from('tampered layer')));
    assert.match(e.message, new RegExp(`has digest ${e.actual}, expected ${layer.digest}`));
    return true;
  });
  assert.equal(await cache.store.has(layer.digest), false, 'nothing unverified is kept');
  await assert.rejects(
    cache.pull(`${host}/x@${good.manifest.digest}`),
    (e: Error) => e instanceof DigestMismatchError && e.actual === sha256Of(wrongManifest),
  );
  await assert.rejects(
    cache.pull(`${host}/x:announced`),
    (e: Error) => e instanceof DigestMismatchError && e.expected === sha256Of(Buffer.from('other')),
  );
  await assert.rejects(cache.pull(`${host}/x:small`), /more than the 3 bytes its descriptor gives/);
  assert.equal(await cache.lookup(`${host}/x:1`), undefined);
});

/** A token server (Basic credentials or a refresh token) and a front that wants its token, proxying to the registry. */
async function authSetup(mode: 'bearer' | 'basic' | 'remote-realm') {
  const counts = { token: 0, refused: 0 };
  const tokenHost = await serve((req, res) => {
    counts.token++;
    const u = new URL(req.url ?? '', 'http://x');
    const grant = (doc: object) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(doc));
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const f = new URLSearchParams(body);
        const ok = f.get('grant_type') === 'refresh_token' && f.get('refresh_token') === 'refresh-1' && f.get('service') === 'test';
        if (ok && f.get('scope') === 'repository:tandem/auth:pull') grant({ access_token: 'good-token', expires_in: 300 });
        else res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad refresh token"}]}');
      });
      return;
    }
    const basic = `Basic ${Buffer.from('alice:secret').toString('base64')}`;
    if (
      req.headers.authorization === basic &&
      u.searchParams.get('scope') === 'repository:tandem/auth:pull' &&
      u.searchParams.get('service') === 'test'
    )
      grant({ token: 'good-token', expires_in: 300 });
    else res.writeHead(401).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
  });
  const realm = mode === 'remote-realm' ? 'http://192.0.2.1/token' : `http://${tokenHost}/token`;
  const want = mode === 'basic' ? `Basic ${Buffer.from('alice:secret').toString('base64')}` : 'Bearer good-token';
  const challenge = mode === 'basic' ? 'Basic realm="test"' : `Bearer realm="${realm}",service="test",scope="repository:tandem/auth:pull"`;
  const front = await serve((req, res) => {
    if (req.headers.authorization !== want) {
      counts.refused++;
      res.writeHead(401, { 'WWW-Authenticate': challenge, 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      return;
    }
    const up = request(
      { host: '127.0.0.1', port: registry.port, path: req.url, method: req.method, headers: { accept: req.headers.accept ?? '*/*' } },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.end();
  });
  return { counts, front };
}

test('Bearer auth: a token from the realm with Basic credentials, reused for every request', async () => {
  await pushImage(registry.url, 'tandem/auth', '1', img('auth'));
  const { counts, front } = await authSetup('bearer');
  const cache = createImageCache({ root: join(work, 'bearer'), platform: linux });
  const c = await cache.pull(`${front}/tandem/auth:1`, { username: 'alice', password: 'secret' });
  assert.equal(c.image.layers.length, 1);
  assert.deepEqual(counts, { token: 1, refused: 1 });

  const viaRefresh = createImageCache({ root: join(work, 'refresh'), platform: linux });
  await viaRefresh.pull(`${front}/tandem/auth:1`, { identityToken: 'refresh-1' });

  const wrong = createImageCache({ root: join(work, 'wrong'), platform: linux });
  await assert.rejects(wrong.pull(`${front}/tandem/auth:1`, { username: 'alice', password: 'nope' }), (e: Error) => {
    return (
      e instanceof RegistryAuthError &&
      /token request to http:\/\/127\.0\.0\.1:\d+\/token .*failed: UNAUTHORIZED: bad credentials/.test(e.message)
    );
  });
  await assert.rejects(wrong.pull(`${front}/tandem/auth:1`), RegistryAuthError);
});

test('Basic auth challenge; a plain-HTTP token realm off this host is refused', async () => {
  const basic = await authSetup('basic');
  const cache = createImageCache({ root: join(work, 'basic'), platform: linux });
  await assert.rejects(cache.pull(`${basic.front}/tandem/auth:1`), /requires credentials \(Basic\) and none were given/);
  await cache.pull(`${basic.front}/tandem/auth:1`, { auth: Buffer.from('alice:secret').toString('base64') });
  const remote = await authSetup('remote-realm');
  await assert.rejects(
    createImageCache({ root: join(work, 'remote'), platform: linux }).pull(`${remote.front}/tandem/auth:1`, {
      username: 'alice',
      password: 'secret',
    }),
    InsecureTransportError,
  );
});
