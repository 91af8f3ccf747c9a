import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../base/errors.js';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
  validateDNS1123Subdomain,
} from './names.js';
import { isValidPortName, validatePortNumber } from './ports.js';

test('DNS-1123 subdomain: valid names and upstream message', () => {
  for (const ok of ['a', 'example.com', 'web-1', '0abc', 'a'.repeat(253)]) assert.deepEqual(isDNS1123Subdomain(ok), [], ok);
  assert.deepEqual(isDNS1123Subdomain('Web'), [
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
  for (const bad of ['-a', 'a-', 'a..b', 'a_b', '']) assert.equal(isDNS1123Subdomain(bad).length, 1, bad);
  assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  const [e] = validateDNS1123Subdomain('My', 'metadata.name');
  assert.ok(e);
  assert.match(fieldErrorText(e), /^metadata\.name: Invalid value: "My": a lowercase RFC 1123 subdomain/);
});

test('DNS-1123 and DNS-1035 labels', () => {
  assert.deepEqual(isDNS1123Label('123-abc'), []);
  assert.deepEqual(isDNS1123Label('a.b'), [
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isDNS1035Label('my-svc'), []);
  assert.deepEqual(isDNS1035Label('1svc'), [
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
});

test('qualified names with and without prefix', () => {
  for (const ok of ['app', 'App.Name_1', 'example.com/MyName', 'node-role.kubernetes.io/control-plane', 'kubernetes.io/os']) {
    assert.deepEqual(isQualifiedName(ok), [], ok);
  }
  assert.deepEqual(isQualifiedName('/name'), ['prefix part must be non-empty']);
  assert.deepEqual(isQualifiedName('example.com/'), [
    'name part must be non-empty',
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
  const prefixErrs = isQualifiedName('Example.com/x');
  assert.equal(prefixErrs.length, 1);
  assert.match(prefixErrs[0] ?? '', /^prefix part a lowercase RFC 1123 subdomain/);
  assert.match(
    isQualifiedName('a/b/c')[0] ?? '',
    /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/,
  );
  assert.deepEqual(isQualifiedName('x'.repeat(64)), ['name part must be no more than 63 characters']);
});

test('label values', () => {
  for (const ok of ['', 'v1', 'my_value', 'a.b-c']) assert.deepEqual(isValidLabelValue(ok), [], ok);
  assert.deepEqual(isValidLabelValue('-bad'), [
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
  assert.equal(isValidLabelValue('v'.repeat(64))[0], 'must be no more than 63 characters');
});

test('config keys, path segments, ports', () => {
  assert.deepEqual(isConfigMapKey('app.properties'), []);
  assert.deepEqual(isConfigMapKey('..x'), ["must not start with '..'"]);
  assert.equal(isConfigMapKey('a/b').length, 1);
  assert.deepEqual(isValidPathSegmentName('..'), ["may not be '..'"]);
  assert.deepEqual(isValidPathSegmentName('a/b%'), ["may not contain '/'", "may not contain '%'"]);
  const [e] = validatePortNumber(70000, 'spec.ports[0].port');
  assert.ok(e);
  assert.equal(fieldErrorText(e), 'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive');
  assert.deepEqual(validatePortNumber(443, 'p'), []);
  assert.deepEqual(isValidPortName('http'), []);
  assert.deepEqual(isValidPortName('8080'), ['must contain at least one letter (a-z)']);
  assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
  assert.deepEqual(isValidPortName('very-long-port-name'), ['must be no more than 15 characters']);
});
