import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, sign } from 'node:crypto';
import { looksLikeJws, MAX_TOKEN_LENGTH, peekPayload, signJws, verifyJws } from './jwt.js';
import { generateSigningKeyPem, signingKeyFromPem } from './signing-key.js';
import { testSigningKey } from './testing/fake-objects.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

test('a signed token verifies and carries its header and payload', async () => {
  const key = await testSigningKey();
  const token = signJws({ iss: 'x', sub: 'y', n: 1 }, key);
  assert.ok(looksLikeJws(token));
  const r = verifyJws(token, [key]);
  assert.ok(r.ok);
  assert.deepEqual(r.header, { alg: 'RS256', kid: key.kid });
  assert.deepEqual(r.payload, { iss: 'x', sub: 'y', n: 1 });
  assert.deepEqual(peekPayload(token), { iss: 'x', sub: 'y', n: 1 });
});

test('a tampered payload or signature is refused', async () => {
  const key = await testSigningKey();
  const [h, p, s] = signJws({ sub: 'alice', admin: false }, key).split('.') as [string, string, string];
  const forged = b64({ sub: 'alice', admin: true });
  assert.deepEqual(verifyJws(`${h}.${forged}.${s}`, [key]), { ok: false, reason: 'invalid signature' });
  const sig = Buffer.from(s, 'base64url');
  sig[10] = (sig[10] ?? 0) ^ 1;
  assert.deepEqual(verifyJws(`${h}.${p}.${sig.toString('base64url')}`, [key]), { ok: false, reason: 'invalid signature' });
  // a signature cut short, or empty
  assert.equal(verifyJws(`${h}.${p}.${s.slice(0, 20)}`, [key]).ok, false);
  assert.equal(verifyJws(`${h}.${p}.`, [key]).ok, false);
});

test('alg none, HS256 keyed with the public key, and other algorithms are refused', async () => {
  const key = await testSigningKey();
  const payload = b64({ iss: 'x', sub: 'root' });
  const none = `${b64({ alg: 'none' })}.${payload}.`;
  assert.equal(verifyJws(none, [key]).ok, false);
  const noneSigned = `${b64({ alg: 'none', kid: key.kid })}.${payload}.AAAA`;
  assert.match((verifyJws(noneSigned, [key]) as { reason: string }).reason, /unsupported signing algorithm "none"/);
  // the classic confusion: an HMAC keyed with the (public) verification key
  const pubPem = key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const hsInput = `${b64({ alg: 'HS256', kid: key.kid })}.${payload}`;
  const hs = `${hsInput}.${createHmac('sha256', pubPem).update(hsInput).digest('base64url')}`;
  assert.match((verifyJws(hs, [key]) as { reason: string }).reason, /unsupported signing algorithm "HS256"/);
  // RS512 with our own key is still not what we issue
  const rsInput = `${b64({ alg: 'RS512', kid: key.kid })}.${payload}`;
  const rs512 = `${rsInput}.${sign('sha512', Buffer.from(rsInput), key.privateKey).toString('base64url')}`;
  assert.equal(verifyJws(rs512, [key]).ok, false);
  // a missing alg
  assert.equal(verifyJws(`${b64({ kid: key.kid })}.${payload}.AAAA`, [key]).ok, false);
});

test('a token signed by another key, or naming another kid, is refused', async () => {
  const key = await testSigningKey();
  const other = signingKeyFromPem(await generateSigningKeyPem());
  const byOther = signJws({ sub: 'x' }, other);
  assert.deepEqual(verifyJws(byOther, [key]), { ok: false, reason: 'invalid signature, no keys found' });
  // our signature but a header naming an unknown kid
  const input = `${b64({ alg: 'RS256', kid: 'not-ours' })}.${b64({ sub: 'x' })}`;
  const wrongKid = `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
  assert.deepEqual(verifyJws(wrongKid, [key]), { ok: false, reason: 'invalid signature, no keys found' });
  // no kid at all: every key is tried (upstream does the same), and ours matches
  const noKidInput = `${b64({ alg: 'RS256' })}.${b64({ sub: 'x' })}`;
  const noKid = `${noKidInput}.${sign('sha256', Buffer.from(noKidInput), key.privateKey).toString('base64url')}`;
  assert.ok(verifyJws(noKid, [other, key]).ok);
  // a kid of the wrong type, and critical extensions
  const badKid = `${b64({ alg: 'RS256', kid: 7 })}.${b64({})}.AAAA`;
  assert.equal(verifyJws(badKid, [key]).ok, false);
  const critInput = `${b64({ alg: 'RS256', kid: key.kid, crit: ['exp'] })}.${b64({ sub: 'x' })}`;
  const crit = `${critInput}.${sign('sha256', Buffer.from(critInput), key.privateKey).toString('base64url')}`;
  assert.deepEqual(verifyJws(crit, [key]), { ok: false, reason: 'token header has critical extensions' });
});

test('garbage is refused with a reason, never an exception', async () => {
  const key = await testSigningKey();
  const samples = [
    '',
    '.',
    '..',
    'a.b',
    'a.b.c.d',
    'not a token',
    '{"alg":"RS256"}.e30.AAAA',
    `${b64('a string')}.${b64({})}.AAAA`,
    `${b64([1, 2])}.${b64({})}.AAAA`,
    `${b64({ alg: 'RS256' })}.!!!!.AAAA`,
    `${Buffer.from('not json').toString('base64url')}.${b64({})}.AAAA`,
    '\u0000\u0001.\u00ff.x',
    'ey.ey.ey',
  ];
  for (const t of samples) {
    const r = verifyJws(t, [key]);
    assert.equal(r.ok, false, t);
    assert.equal(typeof (r as { reason: string }).reason, 'string');
    assert.equal(peekPayload(t) === undefined || typeof peekPayload(t) === 'object', true);
  }
  // a payload that is not an object, under a valid signature
  const input = `${b64({ alg: 'RS256', kid: key.kid })}.${b64([1, 2, 3])}`;
  const arr = `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
  assert.deepEqual(verifyJws(arr, [key]), { ok: false, reason: 'token payload is not a JSON object' });
});

test('huge input is refused before any decoding', async () => {
  const key = await testSigningKey();
  const huge = `${'a'.repeat(MAX_TOKEN_LENGTH)}.${'b'.repeat(10)}.${'c'.repeat(10)}`;
  const t0 = process.hrtime.bigint();
  const r = verifyJws(huge, [key]);
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /longer than/);
  assert.equal(looksLikeJws(huge), false);
  assert.equal(peekPayload('x'.repeat(10_000_000)), undefined);
  assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 500);
});
