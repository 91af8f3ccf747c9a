import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../api/gen/types.js';
import { createCidrSet } from './cidr-set.js';
import { decideNode, observeNode, undoAssign, type Assignments } from './nodeipam-decide.js';

const node = (name: string, podCIDR?: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
});

test('the cluster range is cut into blocks handed out next-fit; bad flags are refused by name', () => {
  const set = createCidrSet('10.42.0.0/16', 24);
  assert.equal(set.total, 256);
  assert.equal(set.allocateNext(), '10.42.0.0/24');
  assert.equal(set.allocateNext(), '10.42.1.0/24');
  assert.equal(set.release('10.42.0.0/24'), true);
  // the freed block is not reused at once
  assert.equal(set.allocateNext(), '10.42.2.0/24');
  assert.equal(set.occupy('10.99.0.0/24'), false);
  assert.equal(set.occupy('10.42.0.0/25'), false);
  assert.throws(() => createCidrSet('10.42.0.0/16', 12), /mask size 12 does not fit the cluster CIDR 10.42.0.0\/16/);
  assert.throws(() => createCidrSet('10.42.0/16', 24), /invalid IPv4 CIDR "10.42.0\/16"/);
});

test('Nodes with a range keep it (marked used), Nodes without get the next free one, deleted Nodes give theirs back', () => {
  const set = createCidrSet('10.42.0.0/22', 24); // 4 blocks
  const held: Assignments = new Map();
  // recovery at start: an agent given --pod-cidr, and one outside the range (kept, not tracked)
  observeNode(node('manual', '10.42.0.0/24'), set, held);
  observeNode(node('elsewhere', '10.128.0.0/24'), set, held);
  assert.equal(set.used(), 1);
  assert.deepEqual(decideNode('manual', node('manual', '10.42.0.0/24'), set, held), { kind: 'none' });
  assert.deepEqual(decideNode('a', node('a'), set, held), { kind: 'assign', cidr: '10.42.1.0/24' });
  // the cache has not shown the write yet: the same block again, not a second one
  assert.deepEqual(decideNode('a', node('a'), set, held), { kind: 'assign', cidr: '10.42.1.0/24' });
  assert.deepEqual(decideNode('a', node('a', '10.42.1.0/24'), set, held), { kind: 'none' });
  assert.deepEqual(decideNode('b', node('b'), set, held), { kind: 'assign', cidr: '10.42.2.0/24' });
  // a failed write gives the block back
  undoAssign('b', '10.42.2.0/24', set, held);
  assert.deepEqual(decideNode('c', node('c'), set, held), { kind: 'assign', cidr: '10.42.3.0/24' });
  assert.deepEqual(decideNode('b', node('b'), set, held), { kind: 'assign', cidr: '10.42.2.0/24' });
  assert.deepEqual(decideNode('d', node('d'), set, held), { kind: 'exhausted' });
  // a Node being deleted keeps its block until it is gone
  assert.deepEqual(decideNode('a', { ...node('a', '10.42.1.0/24'), metadata: { name: 'a', deletionTimestamp: 'x' } }, set, held), {
    kind: 'none',
  });
  assert.deepEqual(decideNode('d', node('d'), set, held), { kind: 'exhausted' });
  assert.deepEqual(decideNode('a', undefined, set, held), { kind: 'none' });
  assert.deepEqual(decideNode('d', node('d'), set, held), { kind: 'assign', cidr: '10.42.1.0/24' });
});
