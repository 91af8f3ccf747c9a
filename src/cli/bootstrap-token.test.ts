import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildTokenSecret,
  DEFAULT_GROUP,
  newBootstrapToken,
  parseGroups,
  renderTokenTable,
  tokenRow,
  tokenString,
} from './bootstrap-token.js';
import { joinNodeName, parseJoinServer } from './join-command.js';

const text = (b64?: string) => (b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8'));

test('bootstrap tokens have upstream format and their Secret upstream keys', () => {
  const ids = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const t = newBootstrapToken();
    assert.match(tokenString(t), /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    ids.add(t.id);
  }
  assert.ok(ids.size > 190, 'ids are random');
  const now = Date.parse('2025-01-01T10:00:00.123Z');
  const s = buildTokenSecret({
    token: { id: 'abcdef', secret: '0123456789abcdef' },
    ttlMs: 24 * 3600e3,
    now,
    groups: [DEFAULT_GROUP],
    description: 'ci',
  });
  assert.equal(s.metadata.name, 'bootstrap-token-abcdef');
  assert.equal(s.metadata.namespace, 'kube-system');
  assert.equal(s.type, 'bootstrap.kubernetes.io/token');
  const d = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, text(v)]));
  assert.deepEqual(d, {
    'token-id': 'abcdef',
    'token-secret': '0123456789abcdef',
    'usage-bootstrap-authentication': 'true',
    'usage-bootstrap-signing': 'true',
    'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token',
    expiration: '2025-01-02T10:00:00Z',
    description: 'ci',
  });
  // --ttl 0: never expires, so no expiration key
  const forever = buildTokenSecret({ token: { id: 'abcdef', secret: '0123456789abcdef' }, ttlMs: 0, now, groups: [DEFAULT_GROUP] });
  assert.equal(forever.data?.['expiration'], undefined);
  assert.equal(forever.data?.['description'], undefined);

  // list rows: the TTL left, <invalid> once expired, <forever> without expiration
  assert.equal(tokenRow(s, now + 3600e3)?.ttl, '22h');
  assert.equal(tokenRow(s, now + 25 * 3600e3)?.ttl, '<invalid>');
  assert.equal(tokenRow(forever, now)?.ttl, '<forever>');
  assert.equal(tokenRow(s, now)?.usages, 'authentication,signing');
  assert.equal(tokenRow({ ...s, type: 'Opaque' }, now), undefined);
  const table = renderTokenTable([tokenRow(s, now)!]);
  assert.match(table, /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS\n/);
  assert.match(
    table,
    /abcdef\.0123456789abcdef\s+23h\s+2025-01-02T10:00:00Z\s+authentication,signing\s+ci\s+system:bootstrappers:kubeadm:default-node-token$/,
  );
});

test('--groups: the default, lists, and groups outside system:bootstrappers: refused', () => {
  assert.deepEqual(parseGroups(undefined), [DEFAULT_GROUP]);
  assert.deepEqual(parseGroups('system:bootstrappers:a, system:bootstrappers:b,system:bootstrappers:a'), [
    'system:bootstrappers:a',
    'system:bootstrappers:b',
  ]);
  assert.throws(() => parseGroups('system:masters'), /--groups: "system:masters" must be system:bootstrappers:/);
  assert.throws(() => parseGroups('system:bootstrappers:'), /must be system:bootstrappers:/);
  assert.throws(() => parseGroups(' , '), /at least one group/);
});

test('join flags: the server URL and the node name are checked with messages that say what to give', () => {
  assert.equal(parseJoinServer('https://10.0.0.1:6443'), 'https://10.0.0.1:6443');
  assert.equal(parseJoinServer('https://[::1]:6443/'), 'https://[::1]:6443');
  assert.throws(() => parseJoinServer('10.0.0.1:6443'), /not a URL|over https/);
  assert.throws(() => parseJoinServer('http://10.0.0.1:6443'), /reached over https/);
  assert.throws(() => parseJoinServer('https://h:1/api'), /without a path/);
  assert.equal(joinNodeName({ name: 'Worker-1' }), 'worker-1');
  assert.equal(joinNodeName({}, 'HOST.example'), 'host.example');
  assert.equal(joinNodeName({ nodeName: 'a' }), 'a');
  assert.throws(() => joinNodeName({ name: 'a', nodeName: 'b' }), /--name a and --node-name b disagree/);
  assert.throws(() => joinNodeName({ name: 'bad_name' }), /must be a DNS subdomain/);
});
