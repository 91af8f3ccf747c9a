// Reference parsing against the distribution grammar and Docker's normalisation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidReferenceError, apiHost, formatReference, parseReference } from './reference.js';

const D = `sha256:${'a'.repeat(64)}`;

test('references normalise as Docker does', () => {
  const table: Array<[string, string, string, string]> = [
    // input, domain, path, normalised
    ['busybox', 'docker.io', 'library/busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io', 'library/busybox', 'docker.io/library/busybox:1.36'],
    ['tandem/pause:1', 'docker.io', 'tandem/pause', 'docker.io/tandem/pause:1'],
    ['docker.io/busybox', 'docker.io', 'library/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox', 'docker.io', 'library/busybox', 'docker.io/library/busybox:latest'],
    ['localhost:5000/x', 'localhost:5000', 'x', 'localhost:5000/x:latest'],
    ['localhost/x:2', 'localhost', 'x', 'localhost/x:2'],
    ['127.0.0.1:5000/a/b/c:v1', '127.0.0.1:5000', 'a/b/c', '127.0.0.1:5000/a/b/c:v1'],
    [
      'mcr.microsoft.com/windows/servercore:ltsc2022',
      'mcr.microsoft.com',
      'windows/servercore',
      'mcr.microsoft.com/windows/servercore:ltsc2022',
    ],
    [`busybox@${D}`, 'docker.io', 'library/busybox', `docker.io/library/busybox@${D}`],
    [`ghcr.io/o/r:t@${D}`, 'ghcr.io', 'o/r', `ghcr.io/o/r:t@${D}`],
    ['Registry/x', 'Registry', 'x', 'Registry/x:latest'],
    ['localhost:5000', 'docker.io', 'library/localhost', 'docker.io/library/localhost:5000'],
    ['a__b/c-d.e_f:T_1.x-y', 'docker.io', 'a__b/c-d.e_f', 'docker.io/a__b/c-d.e_f:T_1.x-y'],
    ['[::1]:5000/x', '[::1]:5000', 'x', '[::1]:5000/x:latest'],
  ];
  for (const [input, domain, path, norm] of table) {
    const r = parseReference(input);
    assert.equal(r.domain, domain, input);
    assert.equal(r.path, path, input);
    assert.equal(formatReference(r), norm, input);
  }
  assert.equal(apiHost('docker.io'), 'registry-1.docker.io');
  assert.equal(apiHost('localhost:5000'), 'localhost:5000');
});

test('bad references are errors that say why', () => {
  const table: Array<[string, RegExp]> = [
    ['', /empty/],
    ['Busybox', /path component "Busybox"/],
    ['a//b', /path component ""/],
    ['x:-bad', /tag "-bad"/],
    [`x:${'t'.repeat(129)}`, /tag/],
    ['x@sha256:abc', /not a digest/],
    [`x@sha512:${'a'.repeat(128)}`, /only sha256/],
    ['x@', /not a digest/],
    [':tag', /no repository/],
    ['a-/b', /path component "a-"/],
    [`docker.io/${'a'.repeat(260)}`, /longer than 255/],
  ];
  for (const [input, re] of table) {
    assert.throws(
      () => parseReference(input),
      (e: unknown) => e instanceof InvalidReferenceError && re.test(e.message),
      input,
    );
  }
});
