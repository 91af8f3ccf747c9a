import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHostPlatform, hostUnavailableReason } from './index.js';

test('a host without a built platform: the reason names its OS and the ones Tandem runs on', () => {
  assert.equal(hostUnavailableReason('darwin'), 'the node agent for darwin is not built yet: it runs on Linux and Windows');
  assert.throws(() => createHostPlatform({ dataDir: '/tmp' }, 'freebsd'), /node agent for freebsd is not built yet/);
});

test('on Linux the Linux platform, with its own reasons', () => {
  const p = createHostPlatform({ dataDir: '/tmp' }, 'linux');
  assert.equal(p.podResourceParent('u1', 'BestEffort'), '/tandem/besteffort/podu1');
  assert.equal(hostUnavailableReason('linux'), p.whyUnavailable());
});

test('on Windows the Windows platform: always usable, no pod resource parent', async () => {
  assert.equal(hostUnavailableReason('win32'), undefined);
  const p = createHostPlatform({ dataDir: '/tmp' }, 'win32');
  assert.equal(p.whyUnavailable(), undefined);
  assert.equal(p.podResourceParent('u1', 'BestEffort'), undefined);
  await p.cleanupPod('u1');
  assert.throws(
    () => createHostPlatform({ dataDir: '/tmp', containerdPipe: '/run/containerd.sock' }, 'win32'),
    /not a local named pipe path/,
  );
});
