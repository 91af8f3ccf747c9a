// Platform choice from an index: Linux by os/arch/variant, Windows by build with the highest revision.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Descriptor, ManifestDocument, Platform } from './media-types.js';
import { PlatformMismatchError, checkConfigPlatform, selectManifest, type RegistryPlatform } from './platform.js';

let n = 0;
const entry = (platform: Platform): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${(n++).toString(16).padStart(64, '0')}`,
  size: 1,
  platform,
});
const index = (...ps: Platform[]): ManifestDocument & { kind: 'index' } => ({ kind: 'index', mediaType: 'x', manifests: ps.map(entry) });

const multi = index(
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' },
  { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.6054' },
  { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.999' },
  { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2700' },
  { os: 'unknown', architecture: 'unknown' },
);
const pick = (want: RegistryPlatform) => selectManifest('img', multi, want).platform;

test('Linux: os and architecture, variant only when the node gives one', () => {
  assert.deepEqual(pick({ os: 'linux', architecture: 'amd64' }), { os: 'linux', architecture: 'amd64' });
  assert.equal(pick({ os: 'linux', architecture: 'arm64' })?.variant, 'v8');
  assert.equal(pick({ os: 'linux', architecture: 'arm64', variant: 'v8' })?.variant, 'v8');
  assert.throws(() => pick({ os: 'linux', architecture: 'arm', variant: 'v6' }), PlatformMismatchError);
  assert.throws(() => pick({ os: 'linux', architecture: 's390x' }), PlatformMismatchError);
});

test('Windows: same major.minor.build, highest revision wins', () => {
  assert.equal(pick({ os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.5000' })?.['os.version'], '10.0.17763.6054');
  assert.equal(pick({ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.1' })?.['os.version'], '10.0.20348.2700');
  assert.equal(pick({ os: 'windows', architecture: 'amd64', osVersion: '10.0.20348' })?.['os.version'], '10.0.20348.2700');
  assert.throws(() => pick({ os: 'windows', architecture: 'amd64', osVersion: '10.0.26100.1742' }), PlatformMismatchError);
  assert.throws(() => pick({ os: 'windows', architecture: 'arm64', osVersion: '10.0.17763.1' }), PlatformMismatchError);
});

test('no match: the message names the image, what it has and what the node needs', () => {
  try {
    pick({ os: 'windows', architecture: 'amd64', osVersion: '10.0.26100.1742' });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof PlatformMismatchError);
    assert.equal(
      e.message,
      'image img has no manifest for this node: it has linux/amd64, linux/arm64/v8, linux/arm/v7, windows/amd64 10.0.17763.1, ' +
        'windows/amd64 10.0.17763.6054, windows/amd64 10.0.17763.999, windows/amd64 10.0.20348.2700; ' +
        'the node needs windows/amd64 10.0.26100.1742 (Windows build 10.0.26100)',
    );
    assert.equal(e.available.length, 7);
    assert.equal(e.wanted.osVersion, '10.0.26100.1742');
  }
});

test('a single manifest is checked through its config', () => {
  const linux = { os: 'linux', architecture: 'amd64' };
  checkConfigPlatform('a', linux, { os: 'linux', architecture: 'amd64' });
  assert.throws(
    () => checkConfigPlatform('a', linux, { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.1' }),
    /it has linux\/amd64;/,
  );
  const win = { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' };
  checkConfigPlatform('w', win, { os: 'windows', architecture: 'amd64', osVersion: '10.0.17763.4000' });
  assert.throws(
    () => checkConfigPlatform('w', win, { os: 'windows', architecture: 'amd64', osVersion: '10.0.20348.1' }),
    /image w has no manifest for this node: it has windows\/amd64 10.0.17763.1; the node needs windows\/amd64 10.0.20348.1/,
  );
});
