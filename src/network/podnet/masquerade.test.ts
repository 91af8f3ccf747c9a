// The masquerade table's text: one rule, pod range to outside the cluster range (and not to
// multicast), replaced whole; bad ranges named before anything reaches nft.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMasquerade } from './masquerade.js';

describe('renderMasquerade', () => {
  it('masquerades pod traffic leaving the cluster range, in a table replaced atomically', () => {
    assert.equal(
      renderMasquerade({ podCidr: '10.42.3.0/24', clusterCidr: '10.42.0.0/16' }),
      [
        'table ip tandem-podnet {}',
        'delete table ip tandem-podnet',
        'table ip tandem-podnet {',
        '  chain postrouting {',
        '    type nat hook postrouting priority srcnat; policy accept;',
        '    ip saddr 10.42.3.0/24 ip daddr 10.42.3.0/24 return',
        '    ip saddr 10.42.3.0/24 ip daddr != { 10.42.0.0/16, 224.0.0.0/4 } masquerade',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    assert.match(renderMasquerade({ podCidr: '10.42.3.0/24', clusterCidr: '10.42.0.0/16' }, 'other'), /^table ip other \{\}/);
  });

  it('names a bad range', () => {
    assert.throws(
      () => renderMasquerade({ podCidr: '10.42.3.0/24', clusterCidr: '10.42.0.0' }),
      /cluster CIDR "10.42.0.0" is not an IPv4 CIDR/,
    );
    assert.throws(() => renderMasquerade({ podCidr: 'x; flush ruleset', clusterCidr: '10.42.0.0/16' }), /pod CIDR "x; flush ruleset"/);
  });
});
