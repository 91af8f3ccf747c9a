// Image facts against the real docker-registry (Debian's): a multi-build Windows index, a single
// manifest, a tag re-checked after its TTL, a digest kept for good, an index without Windows
// entries, unknown images, an unparsable name, a refused connection, and a registry behind
// htpasswd Basic auth where the facts must follow the credentials, not whoever asked first.
import { failure, settled } from './testing/image-facts-waits.js';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildImage, buildIndex, MEDIA, sha256, type OciImage } from '../../agent/images/oci.js';
import { createManualClock } from '../../base/testing/manual-clock.js';
import {
  freePort,
  pushImage,
  pushIndex,
  startRegistry,
  TEST_CREDENTIALS,
  TEST_HTPASSWD,
  type Registry,
} from '../../../test/images/registry.js';
import { createImageFacts } from './image-facts.js';

const work = await mkdtemp(join(tmpdir(), 'tandem-image-facts-'));
let registry: Registry;
let secured: Registry;

before(async () => {
  registry = await startRegistry({ dir: join(work, 'open') });
  secured = await startRegistry({ dir: join(work, 'secured'), htpasswd: TEST_HTPASSWD });
});
after(async () => {
  await registry?.stop();
  await secured?.stop();
  await rm(work, { recursive: true, force: true });
});

const image = (os: string, osVersion?: string, architecture = 'amd64', text = `${os}-${osVersion ?? ''}-${architecture}`): OciImage =>
  buildImage({
    name: 'x',
    os,
    architecture,
    ...(osVersion ? { osVersion } : {}),
    entries: [{ type: 'file', path: 'v', data: Buffer.from(text) }],
  });

test('an index with Windows entries of several builds: every entry with its build and digest, attestations left out', async () => {
  const ltsc2019 = image('windows', '10.0.17763.6414');
  const ltsc2022 = image('windows', '10.0.20348.2700');
  const ltsc2025 = image('windows', '10.0.26100.1742');
  const linux = image('linux', undefined, 'arm64');
  const idx = buildIndex([ltsc2019, ltsc2022, ltsc2025, linux]);
  // an attestation manifest as buildx adds one: platform unknown/unknown, pointing at an image manifest
  const doc = JSON.parse(idx.index.data.toString('utf8')) as { manifests: unknown[] };
  doc.manifests.push({
    mediaType: MEDIA.manifest,
    digest: linux.manifest.digest,
    size: linux.manifest.data.length,
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': linux.manifest.digest },
  });
  const data = Buffer.from(JSON.stringify(doc));
  const digest = await pushIndex(registry.url, 'contoso/app', '1.4', { index: { digest: sha256(data), data }, images: idx.images });
  assert.equal(digest, sha256(data));

  const facts = createImageFacts();
  const ref = `${registry.host}/contoso/app:1.4`;
  assert.deepEqual(facts.peek(ref), { state: 'pending', registry: registry.host });
  const got = await facts.get(ref);
  assert.equal(got.image, ref);
  assert.equal(got.registry, registry.host);
  assert.equal(got.digest, digest);
  assert.deepEqual(got.platforms, [
    { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.6414', digest: ltsc2019.manifest.digest },
    { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.2700', digest: ltsc2022.manifest.digest },
    { os: 'windows', architecture: 'amd64', osVersion: '10.0.26100.1742', digest: ltsc2025.manifest.digest },
    { os: 'linux', architecture: 'arm64', digest: linux.manifest.digest },
  ]);
  assert.deepEqual(facts.peek(ref), { state: 'known', facts: got });
  const st = facts.stats();
  assert.equal(st.fetches, 1);
  assert.equal(st.requests, 1, 'an index needs no config blob');
});

test('a single manifest: os, architecture and os.version come from its config; the digest is the manifest', async () => {
  const win = image('windows', '10.0.20348.1');
  const digest = await pushImage(registry.url, 'contoso/single', '1', win);
  const facts = createImageFacts();
  const got = await facts.get(`${registry.host}/contoso/single:1`);
  assert.equal(got.digest, digest);
  assert.deepEqual(got.platforms, [{ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.1', digest }]);
  assert.equal(facts.stats().requests, 2, 'the manifest and its config');
});

test('a tag is answered from the cache for its TTL, then re-checked while peek keeps answering the old facts', async () => {
  const clock = createManualClock(1_000_000);
  const facts = createImageFacts({ clock, tagTtlMs: 60_000 });
  const ref = `${registry.host}/contoso/moving:latest`;
  const v1 = image('windows', '10.0.17763.1');
  const v2 = image('windows', '10.0.26100.1');
  await pushImage(registry.url, 'contoso/moving', 'latest', v1);
  const first = await facts.get(ref);
  assert.equal(first.platforms[0]?.osVersion, '10.0.17763.1');

  // the same digest after the TTL: one manifest request, the platforms reused without the config blob
  clock.advance(60_000);
  let done = settled(facts, ref);
  assert.deepEqual(facts.peek(ref), { state: 'known', facts: first }, 'stale facts are answered while re-checked');
  assert.equal(facts.peek(ref).state, 'known');
  await done;
  assert.equal(facts.stats().fetches, 2, 'one re-check, though peeked twice');
  assert.equal(facts.stats().requests, 3, 'manifest + config, then the manifest alone');
  assert.equal(facts.stats().digestHits, 1);

  // a new digest under the tag: within the TTL the old facts stand, after it the new ones
  await pushImage(registry.url, 'contoso/moving', 'latest', v2);
  clock.advance(59_000);
  const before = facts.peek(ref);
  assert.equal(before.state === 'known' && before.facts.digest, v1.manifest.digest);
  assert.equal(facts.stats().fetches, 2, 'no fetch within the TTL');
  clock.advance(1_000);
  done = settled(facts, ref);
  const during = facts.peek(ref);
  assert.equal(during.state === 'known' && during.facts.digest, v1.manifest.digest);
  await done;
  const after = facts.peek(ref);
  assert.equal(after.state === 'known' && after.facts.digest, v2.manifest.digest);
  assert.equal(after.state === 'known' && after.facts.platforms[0]?.osVersion, '10.0.26100.1');
  assert.equal((await facts.get(ref)).digest, v2.manifest.digest, 'get answers the fresh facts without a fetch');
  assert.equal(facts.stats().fetches, 3);
});

test('a reference by digest is kept for good', async () => {
  const clock = createManualClock(0);
  const facts = createImageFacts({ clock, tagTtlMs: 1000 });
  const digest = await pushImage(registry.url, 'contoso/pinned', '1', image('windows', '10.0.20348.9'));
  const ref = `${registry.host}/contoso/pinned@${digest}`;
  assert.equal((await facts.get(ref)).digest, digest);
  clock.advance(365 * 24 * 3600_000);
  assert.equal(facts.peek(ref).state, 'known');
  assert.equal((await facts.get(ref)).digest, digest);
  assert.equal(facts.stats().fetches, 1);
});

test('an index without Windows entries is a success: its platforms say linux only', async () => {
  const idx = buildIndex([image('linux'), image('linux', undefined, 'arm64')]);
  await pushIndex(registry.url, 'contoso/linux-only', '2', idx);
  const got = await createImageFacts().get(`${registry.host}/contoso/linux-only:2`);
  assert.deepEqual(
    got.platforms.map((p) => `${p.os}/${p.architecture}`),
    ['linux/amd64', 'linux/arm64'],
  );
});

test('an unknown tag or repository is ImageNotFound, naming the registry, the image and what to check', async () => {
  await pushImage(registry.url, 'contoso/known', '1', image('windows', '10.0.20348.1'));
  const facts = createImageFacts();
  const tag = await failure(facts.get(`${registry.host}/contoso/known:2`));
  assert.equal(tag.reason, 'ImageNotFound');
  assert.equal(tag.registry, registry.host);
  assert.match(
    tag.message,
    new RegExp(`^registry ${registry.host} answered 404 Not Found for contoso/known:2: no such image or tag there`),
  );
  assert.match(tag.message, /MANIFEST_UNKNOWN/);
  // docker-registry answers MANIFEST_UNKNOWN for a repository it never saw as well
  const repo = await failure(facts.get(`${registry.host}/contoso/nothing-here:1`));
  assert.equal(repo.reason, 'ImageNotFound');
  assert.match(repo.message, /for contoso\/nothing-here:1: /);
  const peeked = facts.peek(`${registry.host}/contoso/known:2`);
  assert.equal(peeked.state, 'failed', 'the failure is remembered');
  assert.equal(peeked.state === 'failed' && peeked.message, tag.message);
});

test('a reference that does not parse is InvalidImageName at once, naming the reference and the rule', async () => {
  const facts = createImageFacts();
  const bad = `${registry.host}/contoso/App:1.4`;
  const peeked = facts.peek(bad);
  assert.equal(peeked.state, 'failed');
  assert.equal(peeked.state === 'failed' && peeked.reason, 'InvalidImageName');
  assert.equal(peeked.registry, registry.host);
  assert.match(
    peeked.state === 'failed' ? peeked.message : '',
    /invalid image reference ".*contoso\/App:1\.4": path component "App" must be lower-case/,
  );
  const got = await failure(facts.get('contoso/app:'));
  assert.equal(got.reason, 'InvalidImageName');
  assert.match(got.message, /tag "" must be 1-128/);
  assert.equal(facts.stats().fetches, 0, 'nothing is asked of a registry');
});

test('a refused connection is RegistryUnavailable', async () => {
  const host = `127.0.0.1:${await freePort()}`;
  const got = await failure(createImageFacts().get(`${host}/contoso/app:1`));
  assert.equal(got.reason, 'RegistryUnavailable');
  assert.match(got.message, new RegExp(`^registry ${host} is unreachable for contoso/app:1: connection refused \\(.*ECONNREFUSED`));
});

test('behind Basic auth: the facts follow the credentials, never whoever asked first', async () => {
  const idx = buildIndex([image('windows', '10.0.17763.1'), image('windows', '10.0.20348.1')]);
  const digest = await pushIndex(secured.url, 'contoso/private', '1.4', idx, TEST_CREDENTIALS);
  const ref = `${secured.host}/contoso/private:1.4`;
  const facts = createImageFacts();
  const withSecret = await facts.get(ref, { ...TEST_CREDENTIALS, serverAddress: secured.host });
  assert.equal(withSecret.digest, digest);
  assert.equal(withSecret.platforms.length, 2);

  // a pod without the secret, after one with it has read the facts
  const anonymous = await failure(facts.get(ref));
  assert.equal(anonymous.reason, 'RegistryUnauthorized');
  assert.equal(
    anonymous.message,
    `registry ${secured.host} answered 401 Unauthorized for contoso/private:1.4: it needs credentials; add an imagePullSecret for ${secured.host}`,
  );
  assert.equal(facts.peek(ref).state, 'failed');
  assert.equal(facts.peek(ref, TEST_CREDENTIALS).state, 'known');

  const wrong = await failure(facts.get(ref, { username: 'tandem', password: 'wrong' }));
  assert.equal(wrong.reason, 'RegistryUnauthorized');
  assert.match(wrong.message, /it refused the credentials of the imagePullSecret .*check the imagePullSecret for/);
  // the same credentials as a base64 `auth` field work as well
  const auth = Buffer.from(`${TEST_CREDENTIALS.username}:${TEST_CREDENTIALS.password}`).toString('base64');
  assert.equal((await facts.get(ref, { auth })).digest, digest);
  assert.equal(facts.stats().entries, 4);
});
