// The CSRF rule of the web view and the cookie's flags.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cookieOf, csrfProblem, sessionCookie } from './http-util.js';
import type { IncomingMessage } from 'node:http';

const own = new Set(['https://127.0.0.1:6444']);

test('GET needs the X-Tandem-UI header, not an Origin', () => {
  assert.match(csrfProblem('GET', {}, own) ?? '', /X-Tandem-UI/);
  assert.match(csrfProblem('GET', { 'x-tandem-ui': 'yes' }, own) ?? '', /X-Tandem-UI/);
  assert.equal(csrfProblem('GET', { 'x-tandem-ui': '1' }, own), undefined);
});

test('a changing method needs the UI’s own Origin', () => {
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    assert.match(csrfProblem(m, { 'x-tandem-ui': '1' }, own) ?? '', /needs an Origin/);
    assert.match(csrfProblem(m, { 'x-tandem-ui': '1', origin: 'https://evil.example' }, own) ?? '', /evil\.example is not/);
    assert.match(csrfProblem(m, { 'x-tandem-ui': '1', origin: 'https://127.0.0.1:6445' }, own) ?? '', /is not/);
    assert.match(csrfProblem(m, { origin: 'https://127.0.0.1:6444' }, own) ?? '', /X-Tandem-UI/);
    assert.equal(csrfProblem(m, { 'x-tandem-ui': '1', origin: 'https://127.0.0.1:6444' }, own), undefined);
  }
});

test('the session cookie is HttpOnly, Secure, SameSite=Strict, Path=/ui', () => {
  const c = sessionCookie('abc', 43200);
  for (const flag of ['tandem_ui_session=abc', 'HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/ui', 'Max-Age=43200']) {
    assert.ok(c.split('; ').includes(flag), `${flag} in ${c}`);
  }
});

test('cookieOf reads one cookie among several', () => {
  const req = { headers: { cookie: 'a=1; tandem_ui_session=xyz; b=2' } } as unknown as IncomingMessage;
  assert.equal(cookieOf(req, 'tandem_ui_session'), 'xyz');
  assert.equal(cookieOf(req, 'c'), undefined);
});
