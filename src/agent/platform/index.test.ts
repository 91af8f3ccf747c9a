import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHostPlatform, hostUnavailableReason } from './index.js';

test('a host without a built platform: the reason names its OS and says the Windows platform is not built yet', () => {
  assert.equal(hostUnavailableReason('win32'), 'the node agent for win32 is not built yet: the Windows platform is not built yet');
  assert.match(
    hostUnavailableReason('darwin') ?? '',
    /^the node agent for darwin is not built yet: it runs on Linux \(the Windows platform is not built yet\)$/,
  );
  assert.throws(() => createHostPlatform({ dataDir: '/tmp' }, 'win32'), /node agent for win32 is not built yet: the Windows platform/);
  assert.throws(() => createHostPlatform({ dataDir: '/tmp' }, 'freebsd'), /freebsd/);
});

test('on Linux the Linux platform, with its own reasons', () => {
  const p = createHostPlatform({ dataDir: '/tmp' }, 'linux');
  assert.equal(p.podResourceParent('u1', 'BestEffort'), '/tandem/besteffort/podu1');
  assert.equal(hostUnavailableReason('linux'), p.whyUnavailable());
});
