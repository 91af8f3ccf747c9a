// Image facts against small in-process registries that answer what docker-registry never would:
// held responses (single-flight, the overall limit), 500s and back-off, garbage, artifacts, 403,
// NAME_UNKNOWN, a registry that never answers, a re-check that fails, and the entry cap.
import { failure, settled } from './testing/image-facts-waits.js';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, test } from 'node:test';
import { buildImage, buildIndex, MEDIA } from '../../agent/images/oci.js';
import { createManualClock } from '../../base/testing/manual-clock.js';
import { createImageFacts } from './image-facts.js';

const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

interface FakeRegistry {
  host: string;
  /** manifest and blob requests received */
  requests: string[];
  /** the most requests seen open at once */
  maxOpen: number;
  open: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<FakeRegistry> {
  const reg: FakeRegistry = { host: '', requests: [], maxOpen: 0, open: 0 };
  const s = createServer((req, res) => {
    reg.requests.push(req.url ?? '');
    reg.open++;
    reg.maxOpen = Math.max(reg.maxOpen, reg.open);
    res.once('close', () => reg.open--);
    handler(req, res);
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const a = s.address();
  reg.host = `127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  return reg;
}

const win = (v: string) =>
  buildImage({ name: 'x', os: 'windows', osVersion: v, entries: [{ type: 'file', path: 'v', data: Buffer.from(v) }] });
const INDEX = buildIndex([win('10.0.17763.1'), win('10.0.20348.1')]).index;

const sendIndex = (res: ServerResponse) => {
  res.writeHead(200, { 'Content-Type': MEDIA.index, 'Docker-Content-Digest': INDEX.digest });
  res.end(INDEX.data);
};
const sendError = (res: ServerResponse, status: number, code: string, message: string) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
};

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok(), what);
};

test('many concurrent peeks and gets of one image: one fetch, one request, one settle', async () => {
  const held: ServerResponse[] = [];
  const reg = await serve((_req, res) => held.push(res));
  const facts = createImageFacts();
  const ref = `${reg.host}/contoso/app:1.4`;
  let settles = 0;
  facts.onSettled(() => settles++);
  const gets = Array.from({ length: 5 }, () => facts.get(ref));
  for (let i = 0; i < 20; i++) assert.equal(facts.peek(ref).state, 'pending');
  await until('the request arrived', () => held.length === 1);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(reg.requests.length, 1, 'one request however often it is asked');
  assert.equal(facts.stats().inFlight, 1);
  for (const res of held) sendIndex(res);
  const all = await Promise.all(gets);
  for (const f of all) assert.equal(f, all[0]);
  assert.equal(all[0]?.platforms.length, 2);
  assert.equal(settles, 1);
  const st = facts.stats();
  assert.equal(st.fetches, 1);
  assert.equal(st.maxInFlightPerKey, 1);
  assert.equal(st.maxRequestsPerKey, 1);
});

test('at most maxInFlight fetches run at once; the rest wait in the queue', async () => {
  const held: ServerResponse[] = [];
  const reg = await serve((_req, res) => held.push(res));
  const facts = createImageFacts({ maxInFlight: 3 });
  const refs = Array.from({ length: 10 }, (_, i) => `${reg.host}/contoso/app:${i}`);
  const gets = refs.map((r) => facts.get(r));
  await until('three requests arrived', () => held.length === 3);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(held.length, 3);
  assert.equal(facts.stats().inFlight, 3);
  assert.equal(facts.stats().queued, 7);
  // answer as they come until all ten are done
  let answered = 0;
  while (answered < 10) {
    await until('a request arrived', () => held.length > answered);
    const res = held[answered++];
    if (res) sendIndex(res);
  }
  assert.equal((await Promise.all(gets)).length, 10);
  assert.equal(reg.maxOpen, 3);
  assert.equal(facts.stats().maxInFlight, 3);
  assert.equal(facts.stats().queued, 0);
});

test('a 500 is RegistryError, answered until a back-off that doubles has passed', async () => {
  let broken = true;
  const reg = await serve((_req, res) => (broken ? sendError(res, 500, 'UNKNOWN', 'storage backend down') : sendIndex(res)));
  const clock = createManualClock(0);
  const facts = createImageFacts({ clock, failureBackoffMs: 5000 });
  const ref = `${reg.host}/contoso/app:1`;
  const err = await failure(facts.get(ref));
  assert.equal(err.reason, 'RegistryError');
  assert.equal(err.message, `registry ${reg.host} answered 500 Internal Server Error for contoso/app:1: UNKNOWN: storage backend down`);
  clock.advance(4999);
  assert.deepEqual(facts.peek(ref), { state: 'failed', registry: reg.host, reason: 'RegistryError', message: err.message });
  assert.equal((await failure(facts.get(ref))).message, err.message, 'get answers the failure during the back-off');
  assert.equal(reg.requests.length, 1, 'no request during the back-off');
  clock.advance(1);
  let done = settled(facts, ref);
  assert.equal(facts.peek(ref).state, 'failed', 'the failure is answered while it is fetched again');
  await done;
  assert.equal(reg.requests.length, 2);
  // the second failure in a row waits 10 s
  clock.advance(5000);
  assert.equal(facts.peek(ref).state, 'failed');
  assert.equal(reg.requests.length, 2);
  broken = false;
  clock.advance(5000);
  done = settled(facts, ref);
  facts.peek(ref);
  await done;
  assert.equal(facts.peek(ref).state, 'known');
  assert.equal(facts.stats().failures, 2);
});

test('garbage, an artifact, Docker schema 1 and a lying digest are InvalidManifest', async () => {
  const helm = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA.manifest,
      config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 10 },
      layers: [],
    }),
  );
  const reg = await serve((req, res) => {
    const tag = (req.url ?? '').split('/').pop();
    if (tag === 'html') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body>Welcome to nginx!</body></html>');
    } else if (tag === 'helm') {
      res.writeHead(200, { 'Content-Type': MEDIA.manifest });
      res.end(helm);
    } else if (tag === 'schema1') {
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
      res.end(JSON.stringify({ schemaVersion: 1, name: 'contoso/app', tag: 'schema1', fsLayers: [] }));
    } else {
      res.writeHead(200, { 'Content-Type': MEDIA.index, 'Docker-Content-Digest': `sha256:${'b'.repeat(64)}` });
      res.end(INDEX.data);
    }
  });
  const facts = createImageFacts();
  const cases: Array<[string, RegExp]> = [
    ['html', /answered contoso\/app:html with a document that is not an image: .*not JSON/],
    ['helm', /not a container image: its config has media type application\/vnd\.cncf\.helm\.config\.v1\+json/],
    ['schema1', /schema 1 is not supported/],
    ['lying', /content that does not match its digest/],
  ];
  for (const [tag, message] of cases) {
    const err = await failure(facts.get(`${reg.host}/contoso/app:${tag}`));
    assert.equal(err.reason, 'InvalidManifest', tag);
    assert.match(err.message, new RegExp(`^registry ${reg.host} answered `));
    assert.match(err.message, message);
  }
  assert.equal(facts.stats().requests, 4, 'the artifact config is not fetched');
});

test('403, NAME_UNKNOWN and a registry that never answers', async () => {
  const reg = await serve((req, res) => {
    const tag = (req.url ?? '').split('/').pop();
    if (tag === 'forbidden') sendError(res, 403, 'DENIED', 'requested access to the resource is denied');
    else if (tag === 'gone') sendError(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    // 'silent': never answered
  });
  const facts = createImageFacts({ timeoutMs: 200 });
  const forbidden = await failure(facts.get(`${reg.host}/contoso/app:forbidden`));
  assert.equal(forbidden.reason, 'RegistryUnauthorized');
  assert.match(forbidden.message, /answered 403 Forbidden for contoso\/app:forbidden: it needs credentials; add an imagePullSecret for/);
  const gone = await failure(facts.get(`${reg.host}/contoso/app:gone`));
  assert.equal(gone.reason, 'ImageNotFound');
  assert.match(gone.message, /the repository does not exist there \(NAME_UNKNOWN: repository name not known to registry\)/);
  const silent = await failure(facts.get(`${reg.host}/contoso/app:silent`));
  assert.equal(silent.reason, 'RegistryUnavailable');
  assert.match(silent.message, new RegExp(`^registry ${reg.host} is unreachable for contoso/app:silent: no answer in time`));
});

test('a failed re-check keeps the facts while the registry is down, and drops them once the image is gone', async () => {
  let mode: 'ok' | 'down' | 'gone' = 'ok';
  const reg = await serve((_req, res) => {
    if (mode === 'ok') sendIndex(res);
    else if (mode === 'down') sendError(res, 503, 'UNAVAILABLE', 'maintenance');
    else sendError(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
  });
  const clock = createManualClock(0);
  const facts = createImageFacts({ clock, tagTtlMs: 10_000, failureBackoffMs: 1000 });
  const ref = `${reg.host}/contoso/app:1`;
  const known = await facts.get(ref);
  mode = 'down';
  clock.advance(10_000);
  let done = settled(facts, ref);
  facts.peek(ref);
  await done;
  assert.deepEqual(facts.peek(ref), { state: 'known', facts: known }, 'kept while the registry is down');
  assert.equal(await facts.get(ref), known);
  assert.equal(reg.requests.length, 2, 'no request during the back-off');
  mode = 'gone';
  clock.advance(1000);
  done = settled(facts, ref);
  assert.equal(facts.peek(ref).state, 'known');
  await done;
  const gone = facts.peek(ref);
  assert.equal(gone.state, 'failed');
  assert.equal(gone.state === 'failed' && gone.reason, 'ImageNotFound');
});

test('at most maxEntries keys are kept, least recently asked for first out; a listener that throws harms no one', async () => {
  const reg = await serve((_req, res) => sendIndex(res));
  const facts = createImageFacts({ maxEntries: 3 });
  facts.onSettled(() => {
    throw new Error('listener bug');
  });
  let settles = 0;
  facts.onSettled(() => settles++);
  const refs = Array.from({ length: 5 }, (_, i) => `${reg.host}/contoso/app:${i}`);
  for (const r of refs) await facts.get(r);
  assert.equal(settles, 5);
  assert.equal(facts.stats().entries, 3);
  assert.equal(facts.stats().evictions, 2);
  assert.equal(facts.peek(refs[4] ?? '').state, 'known');
  assert.equal(facts.peek(refs[0] ?? '').state, 'pending', 'evicted, so read again');
  assert.equal(facts.stats().digests, 1, 'one manifest digest behind every tag');
});
