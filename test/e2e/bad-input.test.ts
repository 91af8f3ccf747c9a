// E2E: malformed and hostile requests against a real `tandem server` get a 4xx with a proper Status
// body, never a 5xx, and the server keeps serving afterwards.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTandem, type TandemProcess } from './harness.js';
import { createRawClient, type RawClient, type RawResponse } from './raw-client.js';

const NS = '/api/v1/namespaces/default';
const CM = `${NS}/configmaps`;
const JSON_CT = { 'Content-Type': 'application/json' };

let srv: TandemProcess;
let c: RawClient;
const seen: Array<{ what: string; status: number }> = [];

before(async () => {
  srv = await startTandem({ args: ['--store', 'memory'] });
  c = createRawClient({ url: srv.url, caPem: srv.caPem(), token: srv.token() });
});
after(async () => {
  c?.close();
  await srv?.stop();
});

interface Expect {
  code: number | number[];
  reason?: string | string[];
  /** substrings the message must contain */
  message?: string[];
  /** a details.causes[].field that must be present */
  causeField?: string;
}

interface Status {
  kind?: unknown;
  apiVersion?: unknown;
  status?: unknown;
  code?: unknown;
  reason?: unknown;
  message?: unknown;
  details?: { causes?: Array<{ field?: string; message?: string }> };
}

async function send(
  what: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = JSON_CT,
  token?: string | null,
): Promise<RawResponse> {
  const r = await c.request(method, path, { body, headers, token });
  seen.push({ what, status: r.status });
  return r;
}

/** Asserts a 4xx Status body consistent with the HTTP code. */
function expectStatus(what: string, r: RawResponse, e: Expect): Status {
  const codes = Array.isArray(e.code) ? e.code : [e.code];
  assert.ok(codes.includes(r.status), `${what}: HTTP ${r.status}, wanted ${codes.join('|')}: ${r.text.slice(0, 300)}`);
  assert.match(String(r.headers['content-type']), /^application\/json/, `${what}: content type`);
  let st: Status;
  try {
    st = JSON.parse(r.text) as Status;
  } catch {
    assert.fail(`${what}: body is not JSON: ${r.text.slice(0, 200)}`);
  }
  assert.equal(st.kind, 'Status', what);
  assert.equal(st.apiVersion, 'v1', what);
  assert.equal(st.status, 'Failure', what);
  assert.equal(st.code, r.status, `${what}: Status.code equals the HTTP code`);
  assert.equal(typeof st.reason, 'string', `${what}: reason`);
  assert.ok(String(st.reason).length > 0, `${what}: reason`);
  if (e.reason !== undefined) {
    const reasons = Array.isArray(e.reason) ? e.reason : [e.reason];
    assert.ok(reasons.includes(String(st.reason)), `${what}: reason ${String(st.reason)}, wanted ${reasons.join('|')}`);
  }
  assert.equal(typeof st.message, 'string', `${what}: message`);
  for (const m of e.message ?? [])
    assert.ok(String(st.message).includes(m), `${what}: message ${JSON.stringify(st.message)} lacks ${JSON.stringify(m)}`);
  if (e.causeField !== undefined) {
    const fields = (st.details?.causes ?? []).map((x) => x.field ?? '');
    assert.ok(
      fields.some((f) => f === e.causeField || f.startsWith(`${e.causeField!}.`) || f.startsWith(`${e.causeField!}[`)),
      `${what}: causes ${JSON.stringify(st.details?.causes)} lack field ${e.causeField}`,
    );
  }
  return st;
}

function cm(name: string, extra: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...meta }, ...extra });
}

function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

test('malformed bodies: JSON, YAML, protobuf, oversize, deep nesting', async () => {
  let r = await send('malformed JSON', 'POST', CM, '{"apiVersion":"v1","kind":"ConfigMap",');
  expectStatus('malformed JSON', r, { code: 400, reason: 'BadRequest' });

  r = await send('malformed YAML', 'POST', CM, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [x\n  data: : :\n', {
    'Content-Type': 'application/yaml',
  });
  expectStatus('malformed YAML', r, { code: 400, reason: 'BadRequest' });

  r = await send('YAML scalar document', 'POST', CM, 'just a string\n', { 'Content-Type': 'application/yaml' });
  expectStatus('YAML scalar document', r, { code: 400 });

  r = await send('empty JSON body', 'POST', CM, '', JSON_CT);
  expectStatus('empty JSON body', r, { code: 400 });

  r = await send('JSON array body', 'POST', CM, '[1,2,3]');
  expectStatus('JSON array body', r, { code: 400 });

  r = await send('garbage protobuf', 'POST', CM, randomBytes(200), { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
  expectStatus('garbage protobuf', r, { code: 400, reason: 'BadRequest' });

  // the protobuf magic followed by garbage
  r = await send('protobuf magic + garbage', 'POST', CM, Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), randomBytes(300)]), {
    'Content-Type': 'application/vnd.kubernetes.protobuf',
  });
  expectStatus('protobuf magic + garbage', r, { code: 400, reason: 'BadRequest' });

  const big = cm('big', { data: { k: 'x'.repeat(3 * 1024 * 1024 + 10) } });
  r = await send('body over 3 MiB', 'POST', CM, big);
  expectStatus('body over 3 MiB', r, { code: 413, reason: 'RequestEntityTooLarge' });

  const deepData = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"k":${nestedArrays(10_000)}}}`;
  r = await send('10,000 nested arrays', 'POST', CM, deepData);
  expectStatus('10,000 nested arrays', r, { code: 400, reason: 'BadRequest' });

  const deepAnn = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep","annotations":{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}}`;
  r = await send('5,000 nested objects in metadata.annotations', 'POST', CM, deepAnn);
  expectStatus('nested annotations', r, { code: 400, reason: 'BadRequest' });

  const deepYaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deepyaml\ndata:\n  k: ${nestedArrays(10_000)}\n`;
  r = await send('10,000 nested YAML flow sequences', 'POST', CM, deepYaml, { 'Content-Type': 'application/yaml' });
  expectStatus('deep YAML', r, { code: 400, reason: 'BadRequest' });

  r = await send('deep JSON patch body', 'PATCH', `${CM}/nothing`, nestedArrays(10_000), { 'Content-Type': 'application/json-patch+json' });
  expectStatus('deep JSON patch', r, { code: [400, 404] });
});

test('unknown resources and mismatched type meta', async () => {
  let r = await send('unknown resource', 'GET', `${NS}/widgets`);
  expectStatus('unknown resource', r, { code: 404, reason: 'NotFound' });
  r = await send('unknown group', 'POST', '/apis/nope.example.com/v1/namespaces/default/things', cm('x'));
  expectStatus('unknown group', r, { code: 404, reason: 'NotFound' });
  r = await send('unknown version', 'GET', '/apis/apps/v9/deployments');
  expectStatus('unknown version', r, { code: 404, reason: 'NotFound' });
  r = await send('unknown subresource', 'GET', `${CM}/x/frobnicate`);
  expectStatus('unknown subresource', r, { code: 404 });
  r = await send('missing object', 'GET', `${CM}/does-not-exist`);
  expectStatus('missing object', r, { code: 404, reason: 'NotFound', message: ['does-not-exist'] });

  r = await send(
    'wrong apiVersion in body',
    'POST',
    CM,
    JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }),
  );
  expectStatus('wrong apiVersion', r, { code: 400, reason: 'BadRequest' });
  r = await send('wrong kind in body', 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }));
  expectStatus('wrong kind', r, { code: 400, reason: 'BadRequest' });
  r = await send('unknown kind in body', 'POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'Widget', metadata: { name: 'x' } }));
  expectStatus('unknown kind', r, { code: 400, reason: 'BadRequest' });
});

test('validation failures name the field', async () => {
  let r = await send('invalid name', 'POST', CM, cm('Bad_Name!'));
  expectStatus('invalid name', r, { code: 422, reason: 'Invalid', causeField: 'metadata.name', message: ['metadata.name'] });
  r = await send('name too long', 'POST', CM, cm('a'.repeat(254)));
  expectStatus('name too long', r, { code: 422, reason: 'Invalid', causeField: 'metadata.name' });
  r = await send('invalid label key', 'POST', CM, cm('lk', {}, { labels: { 'bad key!': 'v' } }));
  expectStatus('invalid label key', r, { code: 422, reason: 'Invalid', causeField: 'metadata.labels', message: ['metadata.labels'] });
  r = await send('invalid label value', 'POST', CM, cm('lv', {}, { labels: { app: 'x'.repeat(64) } }));
  expectStatus('invalid label value', r, { code: 422, reason: 'Invalid', causeField: 'metadata.labels', message: ['metadata.labels'] });
  r = await send('invalid label value chars', 'POST', CM, cm('lv2', {}, { labels: { app: 'has space' } }));
  expectStatus('invalid label value chars', r, { code: 422, reason: 'Invalid', causeField: 'metadata.labels' });
  r = await send('invalid data key', 'POST', CM, cm('dk', { data: { 'no/slash': 'v' } }));
  expectStatus('invalid data key', r, { code: 422, reason: 'Invalid', causeField: 'data' });

  r = await send('create with resourceVersion', 'POST', CM, cm('withrv', {}, { resourceVersion: '5' }));
  expectStatus('create with resourceVersion', r, { code: 400, reason: 'BadRequest', message: ['resourceVersion'] });

  const ok = await send('create ok', 'POST', CM, cm('target', { data: { a: '1' } }));
  assert.equal(ok.status, 201, ok.text);
  r = await send('PUT with mismatched name', 'PUT', `${CM}/target`, cm('other', { data: { a: '2' } }));
  expectStatus('PUT mismatched name', r, { code: 400, reason: 'BadRequest' });
  r = await send('PUT with a stale resourceVersion', 'PUT', `${CM}/target`, cm('target', { data: { a: '2' } }, { resourceVersion: '1' }));
  expectStatus('PUT stale rv', r, { code: 409, reason: 'Conflict' });
});

test('pods: fields of the other OS and broken HostProcess pods are refused with the field named', async () => {
  const pod = (name: string, spec: Record<string, unknown>) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } });
  const cases: Array<{ what: string; body: string; field: string; message: string }> = [
    {
      what: 'windows pod with hostPID',
      body: pod('win-hostpid', { os: { name: 'windows' }, hostPID: true }),
      field: 'spec.hostPID',
      message: 'spec.hostPID: Forbidden: cannot be set for a windows pod',
    },
    {
      what: 'windows pod with a privileged container',
      body: pod('win-priv', { os: { name: 'windows' }, containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] }),
      field: 'spec.containers[0].securityContext.privileged',
      message: 'spec.containers[0].securityContext.privileged: Forbidden: cannot be set for a windows pod',
    },
    {
      what: 'linux pod with windowsOptions',
      body: pod('lin-winopts', { os: { name: 'linux' }, securityContext: { windowsOptions: { runAsUserName: 'u' } } }),
      field: 'spec.securityContext.windowsOptions',
      message: 'spec.securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod',
    },
    {
      what: 'HostProcess pod without the host network',
      body: pod('hp-nonet', { os: { name: 'windows' }, securityContext: { windowsOptions: { hostProcess: true } } }),
      field: 'spec.hostNetwork',
      message: 'spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers',
    },
  ];
  for (const k of cases) {
    const r = await send(k.what, 'POST', `${NS}/pods`, k.body);
    const st = expectStatus(k.what, r, { code: 422, reason: 'Invalid', causeField: k.field, message: [k.message] });
    assert.deepEqual(
      st.details?.causes?.map((x) => x.field),
      [k.field],
      `${k.what}: exactly one cause: ${JSON.stringify(st.details?.causes)}`,
    );
  }
});

test('bad selectors and list parameters', async () => {
  const cases: Array<[string, string, Expect]> = [
    ['label selector: unclosed set', 'labelSelector=app%20in%20(a', { code: 400, reason: 'BadRequest' }],
    ['label selector: bad operator', 'labelSelector=app%3E%3Dx', { code: 400, reason: 'BadRequest' }],
    ['label selector: invalid key', 'labelSelector=bad%20key%3Dv', { code: 400, reason: 'BadRequest' }],
    ['label selector: invalid value', `labelSelector=app%3D${'x'.repeat(70)}`, { code: 400, reason: 'BadRequest' }],
    ['field selector: no operator', 'fieldSelector=metadata.name', { code: 400, reason: 'BadRequest' }],
    ['field selector: unsupported field', 'fieldSelector=spec.foo%3Dbar', { code: 400, reason: 'BadRequest', message: ['spec.foo'] }],
    ['field selector: set syntax', 'fieldSelector=metadata.name%20in%20(a)', { code: 400, reason: 'BadRequest' }],
    ['negative limit', 'limit=-1', { code: 400, reason: 'BadRequest', message: ['limit'] }],
    ['non-numeric limit', 'limit=ten', { code: 400, reason: 'BadRequest', message: ['limit'] }],
    ['invalid continue token', 'continue=not-a-token!!', { code: 400, reason: 'BadRequest', message: ['continue'] }],
    [
      'continue token of valid base64 garbage',
      `continue=${Buffer.from('{"rv":"x"}').toString('base64')}`,
      { code: 400, reason: 'BadRequest' },
    ],
    ['invalid list resourceVersion', 'resourceVersion=abc', { code: [400, 422], message: ['resourceVersion'] }],
    ['invalid watch resourceVersion', 'watch=true&resourceVersion=abc', { code: [400, 422], message: ['resourceVersion'] }],
    ['negative watch resourceVersion', 'watch=true&resourceVersion=-4', { code: [400, 422], message: ['resourceVersion'] }],
    ['invalid watch timeoutSeconds', 'watch=true&timeoutSeconds=soon', { code: 400, reason: 'BadRequest' }],
    ['watch with bad label selector', 'watch=true&labelSelector=a%20notin%20', { code: 400, reason: 'BadRequest' }],
  ];
  for (const [what, qs, e] of cases) {
    const r = await send(what, 'GET', `${CM}?${qs}`, undefined, {});
    expectStatus(what, r, e);
  }
});

test('bad patches and content types', async () => {
  const ok = await send('create patch target', 'POST', CM, cm('patchme', { data: { a: '1' } }));
  assert.equal(ok.status, 201, ok.text);
  const p = `${CM}/patchme`;
  const jp = { 'Content-Type': 'application/json-patch+json' };
  const mp = { 'Content-Type': 'application/merge-patch+json' };
  const smp = { 'Content-Type': 'application/strategic-merge-patch+json' };

  let r = await send('JSON patch: unknown op', 'PATCH', p, '[{"op":"frobnicate","path":"/data/a","value":"x"}]', jp);
  expectStatus('JSON patch unknown op', r, { code: [400, 422] });
  r = await send('JSON patch: not an array', 'PATCH', p, '{"op":"add"}', jp);
  expectStatus('JSON patch not an array', r, { code: [400, 422] });
  r = await send('JSON patch: missing path', 'PATCH', p, '[{"op":"add","value":"x"}]', jp);
  expectStatus('JSON patch missing path', r, { code: [400, 422] });
  r = await send('JSON patch: remove a missing member', 'PATCH', p, '[{"op":"remove","path":"/data/nope"}]', jp);
  expectStatus('JSON patch remove missing', r, { code: [400, 422] });
  r = await send(
    'JSON patch: test fails',
    'PATCH',
    p,
    '[{"op":"test","path":"/data/a","value":"2"},{"op":"replace","path":"/data/a","value":"3"}]',
    jp,
  );
  expectStatus('JSON patch test failure', r, { code: 422, reason: 'Invalid' });
  r = await send('JSON patch: replace kind', 'PATCH', p, '[{"op":"replace","path":"/kind","value":"Secret"}]', jp);
  expectStatus('JSON patch changes kind', r, { code: [400, 422] });
  r = await send('JSON patch: malformed JSON', 'PATCH', p, '[{"op":', jp);
  expectStatus('JSON patch malformed', r, { code: 400, reason: 'BadRequest' });

  r = await send('merge patch: array body', 'PATCH', p, '[1,2]', mp);
  expectStatus('merge patch array body', r, { code: [400, 422] });
  r = await send('merge patch: string body', 'PATCH', p, '"hello"', mp);
  expectStatus('merge patch string body', r, { code: [400, 422] });
  r = await send('merge patch: invalid label', 'PATCH', p, '{"metadata":{"labels":{"a":"b c"}}}', mp);
  expectStatus('merge patch invalid label', r, { code: 422, reason: 'Invalid', causeField: 'metadata.labels' });
  r = await send('merge patch: rename', 'PATCH', p, '{"metadata":{"name":"renamed"}}', mp);
  expectStatus('merge patch rename', r, { code: [400, 422] });

  r = await send('SMP: $patch unknown', 'PATCH', p, '{"data":{"$patch":"unknown"}}', smp);
  expectStatus('SMP $patch unknown', r, { code: [400, 422] });
  r = await send('SMP: array body', 'PATCH', p, '[{"a":1}]', smp);
  expectStatus('SMP array body', r, { code: [400, 422] });

  r = await send('PATCH text/plain', 'PATCH', p, '{"data":{"a":"2"}}', { 'Content-Type': 'text/plain' });
  expectStatus('PATCH text/plain', r, { code: 415, reason: 'UnsupportedMediaType' });
  r = await send('PATCH application/json', 'PATCH', p, '{"data":{"a":"2"}}', JSON_CT);
  expectStatus('PATCH application/json', r, { code: 415, reason: 'UnsupportedMediaType' });
  r = await send('POST text/html', 'POST', CM, cm('html'), { 'Content-Type': 'text/html' });
  expectStatus('POST text/html', r, { code: 415, reason: 'UnsupportedMediaType' });
  r = await send('apply without fieldManager', 'PATCH', p, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"patchme"}}', {
    'Content-Type': 'application/apply-patch+yaml',
  });
  expectStatus('apply without fieldManager', r, { code: 400, reason: 'BadRequest', message: ['fieldManager'] });

  r = await send('DELETE with garbage body', 'DELETE', p, '{{{garbage', JSON_CT);
  expectStatus('DELETE garbage body', r, { code: 400, reason: 'BadRequest' });
  r = await send('DELETE with bad propagationPolicy', 'DELETE', p, '{"propagationPolicy":"Sideways"}', JSON_CT);
  expectStatus('DELETE bad propagationPolicy', r, { code: [400, 422] });

  // after all those failures the object is unchanged
  const after = await send('read back', 'GET', p, undefined, {});
  assert.equal(after.status, 200);
  const obj = JSON.parse(after.text) as { data?: Record<string, string>; metadata: { name: string } };
  assert.deepEqual(obj.data, { a: '1' });
  assert.equal(obj.metadata.name, 'patchme');
});

test('authentication', async () => {
  let r = await send('missing token', 'GET', CM, undefined, {}, null);
  expectStatus('missing token', r, { code: 401, reason: 'Unauthorized' });
  r = await send('wrong token', 'GET', CM, undefined, {}, 'not-the-token');
  expectStatus('wrong token', r, { code: 401, reason: 'Unauthorized' });
  r = await send('malformed Authorization', 'GET', CM, undefined, { Authorization: 'Basic Zm9vOmJhcg==' }, null);
  expectStatus('basic auth', r, { code: 401, reason: 'Unauthorized' });
  r = await send('healthz without token', 'GET', '/healthz', undefined, {}, null);
  assert.equal(r.status, 200);
  assert.equal(r.text, 'ok');
});

test('200 random garbage requests do not cause a 5xx', async () => {
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'FROB'];
  const types = [
    'application/json',
    'application/yaml',
    'application/vnd.kubernetes.protobuf',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
    'application/apply-patch+yaml',
    'text/plain',
    '',
    'multipart/form-data; boundary=x',
  ];
  const suffixes = [
    '',
    '/x',
    '/patchme',
    '/target',
    '/%00',
    '/a/b/c/d',
    '?watch=maybe',
    '?limit=1e9',
    '?labelSelector=%ff',
    '/x/status',
    '?fieldManager=' + 'm'.repeat(200),
    '/..%2f..%2fetc',
  ];
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const failures: string[] = [];
  for (let i = 0; i < 200; i++) {
    const method = methods[rnd(methods.length)]!;
    const path = CM + suffixes[rnd(suffixes.length)]!;
    const ct = types[rnd(types.length)]!;
    let body: Buffer | undefined;
    const shape = rnd(4);
    if (method !== 'GET' && method !== 'HEAD') {
      if (shape === 0) body = randomBytes(rnd(2000));
      else if (shape === 1) body = Buffer.from(cm(`g${i}`, { data: { k: randomBytes(20).toString('latin1') } }));
      else if (shape === 2) body = Buffer.from(JSON.stringify([{ op: 'add', path: `/${randomBytes(4).toString('hex')}`, value: i }]));
      else
        body = Buffer.from(
          `{"metadata":{"name":${JSON.stringify(randomBytes(8).toString('latin1'))}},"data":${randomBytes(16).toString('base64')}`,
        );
    }
    const r = await send(`garbage #${i} ${method} ${path} ${ct}`, method, path, body, ct ? { 'Content-Type': ct } : {});
    if (r.status >= 500) failures.push(`#${i} ${method} ${path} [${ct}] -> ${r.status} ${r.text.slice(0, 200)}`);
    if (r.status >= 400 && method !== 'HEAD' && r.text) {
      try {
        const st = JSON.parse(r.text) as Status;
        if (st.kind !== 'Status' || st.code !== r.status) failures.push(`#${i}: not a Status: ${r.text.slice(0, 200)}`);
      } catch {
        failures.push(`#${i} ${method} ${path}: non-JSON error body ${r.text.slice(0, 100)}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

test('no request answered 5xx and the server is still alive', async () => {
  const fives = seen.filter((s) => s.status >= 500);
  assert.deepEqual(fives, []);
  assert.ok(seen.length > 250, `sent ${seen.length} requests`);
  assert.equal(srv.proc.exitCode, null, 'server process still running');
  assert.equal(srv.proc.signalCode, null);
  const r = await c.request('GET', '/readyz', { token: null });
  assert.equal(r.status, 200);
  const list = await c.request('GET', CM);
  assert.equal(list.status, 200);
  assert.doesNotMatch(srv.output(), /internal error/, 'no internal errors logged');
});
