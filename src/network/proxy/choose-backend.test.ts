// Backend choice: the kernel where nft works, else the userspace proxy with a reason that says why.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nullLogger } from '../../base/log.js';
import { chooseProxyBackend } from './choose-backend.js';
import type { ProxyBackend } from './model.js';

const userspace = (): ProxyBackend => ({ name: 'userspace', apply: async () => {}, cleanup: async () => {} });
const base = { nodeIPs: ['192.0.2.10'], log: nullLogger, userspace };
// a PATH without nft: what a host without the nftables package looks like to us
const noNft = ['env', 'PATH=/nonexistent'];

describe('chooseProxyBackend', () => {
  it('falls back to userspace, saying to install nftables, when nft is missing', async () => {
    const c = await chooseProxyBackend({ ...base, commandPrefix: noNft });
    assert.equal(c.backend.name, 'userspace');
    assert.match(c.reason, /install nftables/);
  });
  it('refuses a forced nftables backend that cannot work', async () => {
    await assert.rejects(chooseProxyBackend({ ...base, mode: 'nftables', commandPrefix: noNft }), /install nftables/);
  });
  it('takes userspace when told to', async () => {
    assert.equal((await chooseProxyBackend({ ...base, mode: 'userspace' })).backend.name, 'userspace');
  });
  it('takes nftables on a Linux host where root can run nft', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
    const c = await chooseProxyBackend(base);
    assert.equal(c.backend.name, process.platform === 'linux' ? 'nftables' : 'userspace');
  });
});
