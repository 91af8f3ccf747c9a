// The web view's server against a real `tandem server` (--ui-listen), with real HTTPS clients and
// kubectl: the one-time link from `tandem ui` logs in once (cookie flags checked) and is refused when
// used again, expired (TANDEM_UI_LOGIN_TTL_MS shortens its life) or made from a wrong token; nothing
// reaches the API without a session; another Origin is refused; Secret values are withheld unless
// revealed; a watch streams through. Then Debian's Chromium (playwright-core) opens the link and sees
// the page logged in, and a page of another origin cannot use the session; screenshots go to
// test/e2e/output/ui-login/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectlAvailable, startTandem, TANDEM, type TandemProcess } from './harness.js';

const TTL_MS = 3000;
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../test/e2e/output/ui-login');
const DIST_UI = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../ui');
const skip = kubectlAvailable() ? false : 'kubectl is not installed';

let srv: TandemProcess | undefined;
let ui = '';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((res, rej) => {
    const req = request(`${ui}${path}`, { method, ca: srv!.caPem(), headers }, (r) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (text += c));
      r.on('end', () => res({ status: r.statusCode ?? 0, headers: r.headers, body: text }));
    });
    req.on('error', rej);
    req.end(body);
  });
}

/** `tandem ui` as a user runs it: the link it prints. */
function loginLink(): string {
  const r = spawnSync(process.execPath, [TANDEM, 'ui', '--data-dir', srv!.dataDir], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `tandem ui failed: ${r.stderr}`);
  const m = /^(https:\/\/\S+\/ui\/login\?code=\S+)$/m.exec(r.stdout);
  assert.ok(m, `no link in: ${r.stdout}`);
  return m[1]!;
}

/** Follows a link's path with the server, returning the session cookie. */
async function loginWith(link: string): Promise<string> {
  const a = await call('GET', new URL(link).pathname + new URL(link).search);
  assert.equal(a.status, 303, a.body);
  const set = String(a.headers['set-cookie'] ?? '');
  const m = /tandem_ui_session=([^;]+)/.exec(set);
  assert.ok(m, set);
  return `tandem_ui_session=${m[1]}`;
}

const UI = { 'x-tandem-ui': '1' };

/** The API's own count of requests for ConfigMaps and of 401 answers (its /metrics). */
async function apiCount(): Promise<number> {
  const r = spawnSync(
    'curl',
    ['-s', '--cacert', join(srv!.dataDir, 'pki', 'ca.crt'), '-H', `Authorization: Bearer ${srv!.token()}`, `${srv!.url}/metrics`],
    {
      encoding: 'utf8',
    },
  );
  let n = 0;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('apiserver_request_total{') && (line.includes('resource="configmaps"') || line.includes('code="401"'))) {
      n += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return n;
}

before(async () => {
  if (skip) return;
  srv = await startTandem({
    args: ['--ui-listen', '127.0.0.1:0', '--controllers', 'none'],
    env: { TANDEM_UI_LOGIN_TTL_MS: String(TTL_MS) },
  });
  ui = readFileSync(join(srv.dataDir, 'ui.url'), 'utf8').trim();
});
after(async () => {
  await srv?.stop();
});

test('the one-time link logs in once; the cookie is HttpOnly, Secure, SameSite=Strict, Path=/ui', { skip }, async () => {
  const link = loginLink();
  assert.ok(link.startsWith(ui), `${link} is on ${ui}`);
  const a = await call('GET', new URL(link).pathname + new URL(link).search);
  assert.equal(a.status, 303);
  assert.equal(a.headers['location'], '/ui/');
  const cookie = String(a.headers['set-cookie']);
  for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/ui'])
    assert.ok(cookie.split('; ').includes(flag), `${flag} in ${cookie}`);
  const id = /tandem_ui_session=([^;]+)/.exec(cookie)![1]!;
  assert.ok(Buffer.from(id, 'base64url').length === 32, 'a 32-byte session id');
  const who = await call('GET', '/ui/whoami', { cookie: `tandem_ui_session=${id}` });
  assert.equal(who.status, 200);
  assert.equal(JSON.parse(who.body).username, 'tandem-admin');
  // the same link again: refused, clearly
  const again = await call('GET', new URL(link).pathname + new URL(link).search);
  assert.equal(again.status, 401);
  assert.match(again.body, /unknown or was used already/);
  assert.equal(again.headers['set-cookie'], undefined);
  // the security headers
  assert.match(String(a.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/);
  assert.equal(a.headers['x-content-type-options'], 'nosniff');
  assert.equal(a.headers['referrer-policy'], 'no-referrer');
  // logout ends the session
  const out = await call('POST', '/ui/logout', { cookie: `tandem_ui_session=${id}`, ...UI, origin: ui });
  assert.equal(out.status, 200);
  assert.equal((await call('GET', '/ui/whoami', { cookie: `tandem_ui_session=${id}` })).status, 401);
});

test(
  'the page: index revalidated, hashed assets immutable, deep links served the page',
  { skip: skip || (existsSync(join(DIST_UI, 'index.html')) ? false : 'dist/ui is not built (npm run build)') },
  async () => {
    const index = await call('GET', '/ui/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.match(String(index.headers['content-type']), /text\/html/);
    const assets = [...index.body.matchAll(/\/ui\/assets\/([A-Za-z0-9._-]+)/g)].map((m) => m[1]!);
    assert.ok(assets.length >= 1, index.body);
    for (const a of assets) {
      const r = await call('GET', `/ui/assets/${a}`);
      assert.equal(r.status, 200, a);
      assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    }
    assert.equal((await call('GET', '/ui/assets/..%2Findex.html')).status, 404);
    assert.equal((await call('GET', '/ui/assets/nope.js')).status, 404);
    const deep = await call('GET', '/ui/pods/default/web-1');
    assert.equal(deep.status, 200);
    assert.equal(deep.body, index.body);
  },
);

test('an expired link and a wrong token are refused with 401s that say why', { skip }, async () => {
  const link = loginLink();
  await new Promise((r) => setTimeout(r, TTL_MS + 300));
  const a = await call('GET', new URL(link).pathname + new URL(link).search);
  assert.equal(a.status, 401);
  assert.match(a.body, /has expired/);
  // a made-up code
  assert.equal((await call('GET', '/ui/login?code=AAAA')).status, 401);
  // a wrong token: no link, no session
  const wrong = await call('POST', '/ui/api/login-links', { authorization: 'Bearer abcdef.0123456789abcdef' });
  assert.equal(wrong.status, 401);
  assert.match(JSON.parse(wrong.body).message, /does not accept this token/);
  const byToken = await call(
    'POST',
    '/ui/session',
    { ...UI, origin: ui, 'content-type': 'application/json' },
    JSON.stringify({ token: 'wrong' }),
  );
  assert.equal(byToken.status, 401);
  assert.equal(byToken.headers['set-cookie'], undefined);
  // `tandem ui` with a kubeconfig whose token is wrong says so
  const bad = join(srv!.home, 'bad-kubeconfig');
  const kc = readFileSync(srv!.kubeconfig, 'utf8').replace(srv!.token(), 'not-a-real-token');
  assert.notEqual(kc, readFileSync(srv!.kubeconfig, 'utf8'));
  spawnSync('sh', ['-c', `cat > ${bad}`], { input: kc });
  const r = spawnSync(process.execPath, [TANDEM, 'ui', '--data-dir', srv!.dataDir, '--kubeconfig', bad], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /refused a login link \(401\).*does not accept this token/);
  // with the web view off (no DATA/ui.url) or not answering, `tandem ui` says so
  const off = spawnSync(process.execPath, [TANDEM, 'ui', '--data-dir', srv!.home, '--kubeconfig', srv!.kubeconfig], { encoding: 'utf8' });
  assert.notEqual(off.status, 0);
  assert.match(off.stderr, /the web view is not running .*--ui-listen none/);
  const gone = spawnSync(process.execPath, [TANDEM, 'ui', '--data-dir', srv!.dataDir, '--url', 'https://127.0.0.1:1'], {
    encoding: 'utf8',
  });
  assert.notEqual(gone.status, 0);
  assert.match(gone.stderr, /no web view answers at https:\/\/127\.0\.0\.1:1/);
  // the right token logs in from the page's form
  const ok = await call(
    'POST',
    '/ui/session',
    { ...UI, origin: ui, 'content-type': 'application/json' },
    JSON.stringify({ token: srv!.token() }),
  );
  assert.equal(ok.status, 200, ok.body);
  assert.match(String(ok.headers['set-cookie']), /tandem_ui_session=.*HttpOnly; Secure; SameSite=Strict/);
});

test('without a session nothing reaches the API: 401 and no data', { skip }, async () => {
  srv!.kubectl(['create', 'configmap', 'ui-private', '--from-literal=k=v']);
  const before = await apiCount();
  const get = await call('GET', '/ui/k8s/api/v1/namespaces/default/configmaps', UI);
  assert.equal(get.status, 401);
  assert.equal(JSON.parse(get.body).kind, 'Status');
  assert.doesNotMatch(get.body, /ui-private/);
  const made = await call(
    'POST',
    '/ui/k8s/api/v1/namespaces/default/configmaps',
    { ...UI, origin: ui, 'content-type': 'application/json' },
    JSON.stringify({ metadata: { name: 'ui-sneaky' } }),
  );
  assert.equal(made.status, 401);
  // a made-up session id is no session
  assert.equal(
    (await call('GET', '/ui/k8s/api/v1/namespaces/default/configmaps', { ...UI, cookie: 'tandem_ui_session=forged' })).status,
    401,
  );
  assert.equal(await apiCount(), before, 'the API saw no ConfigMap request and no 401');
  assert.notEqual(srv!.kubectl(['get', 'configmap', 'ui-sneaky']).code, 0);
});

test('the session cookie is refused from another Origin and without the X-Tandem-UI header', { skip }, async () => {
  const cookie = await loginWith(loginLink());
  const body = JSON.stringify({ metadata: { name: 'ui-csrf' } });
  const json = { 'content-type': 'application/json', cookie };
  const other = await call(
    'POST',
    '/ui/k8s/api/v1/namespaces/default/configmaps',
    { ...json, ...UI, origin: 'https://evil.example' },
    body,
  );
  assert.equal(other.status, 403);
  assert.match(JSON.parse(other.body).message, /Origin https:\/\/evil\.example is not this web view's/);
  const noOrigin = await call('POST', '/ui/k8s/api/v1/namespaces/default/configmaps', { ...json, ...UI }, body);
  assert.equal(noOrigin.status, 403);
  const noHeader = await call('GET', '/ui/k8s/api/v1/namespaces/default/configmaps', { cookie });
  assert.equal(noHeader.status, 403);
  assert.notEqual(srv!.kubectl(['get', 'configmap', 'ui-csrf']).code, 0);
  // from its own origin, the same call goes through the API (201 as the API answers it)
  const own = await call('POST', '/ui/k8s/api/v1/namespaces/default/configmaps', { ...json, ...UI, origin: ui }, body);
  assert.equal(own.status, 201, own.body);
  assert.equal(srv!.kubectl(['get', 'configmap', 'ui-csrf']).code, 0);
  // and the API's errors come back as the API's Status
  const dup = await call('POST', '/ui/k8s/api/v1/namespaces/default/configmaps', { ...json, ...UI, origin: ui }, body);
  assert.equal(dup.status, 409);
  assert.equal(JSON.parse(dup.body).reason, 'AlreadyExists');
});

test('Secret values are withheld unless revealed', { skip }, async () => {
  const cookie = await loginWith(loginLink());
  assert.equal(srv!.kubectl(['create', 'secret', 'generic', 'ui-secret', '--from-literal=password=hunter2']).code, 0);
  const h = { ...UI, cookie };
  const one = JSON.parse((await call('GET', '/ui/k8s/api/v1/namespaces/default/secrets/ui-secret', h)).body);
  assert.equal(one.metadata.name, 'ui-secret');
  assert.equal(one.data, undefined);
  const list = await call('GET', '/ui/k8s/api/v1/namespaces/default/secrets', h);
  assert.match(list.body, /ui-secret/);
  assert.doesNotMatch(list.body, /aHVudGVyMg|hunter2/);
  const all = await call('GET', '/ui/k8s/api/v1/secrets', { ...h, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.doesNotMatch(all.body, /aHVudGVyMg|hunter2/);
  const shown = JSON.parse((await call('GET', '/ui/k8s/api/v1/namespaces/default/secrets/ui-secret?reveal=1', h)).body);
  assert.equal(Buffer.from(shown.data.password, 'base64').toString(), 'hunter2');
});

test('a watch streams through the forwarder: kubectl creates a ConfigMap, the event arrives', { skip }, async () => {
  const cookie = await loginWith(loginLink());
  const list = JSON.parse((await call('GET', '/ui/k8s/api/v1/namespaces/default/configmaps', { ...UI, cookie })).body);
  const rv = list.metadata.resourceVersion as string;
  const seen = new Promise<{ type: string; name: string }>((res, rej) => {
    const req = request(
      `${ui}/ui/k8s/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`,
      { ca: srv!.caPem(), headers: { ...UI, cookie } },
      (r) => {
        assert.equal(r.statusCode, 200);
        let buf = '';
        r.setEncoding('utf8');
        r.on('data', (c: string) => {
          buf += c;
          for (const line of buf.split('\n').slice(0, -1)) {
            const ev = JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
            if (ev.object.metadata.name === 'ui-watched') {
              res({ type: ev.type, name: ev.object.metadata.name });
              req.destroy();
            }
          }
          buf = buf.slice(buf.lastIndexOf('\n') + 1);
        });
      },
    );
    req.on('error', (e) => (e.message.includes('aborted') ? undefined : rej(e)));
    req.end();
    setTimeout(() => rej(new Error('no watch event in 15 s')), 15_000).unref();
  });
  // the watch is open before the ConfigMap is made: the event comes through the stream, not a list
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  assert.equal(srv!.kubectl(['create', 'configmap', 'ui-watched', '--from-literal=a=b']).code, 0);
  assert.deepEqual(await seen, { type: 'ADDED', name: 'ui-watched' });
  console.log(`# watch event through the forwarder ${Date.now() - started} ms after kubectl create began`);
});

test('GET /ui/api/plan answers what `tandem plan upgrade -o json` answers', { skip }, async () => {
  const sim = spawn(
    process.execPath,
    [
      TANDEM,
      'sim',
      '--kubeconfig',
      srv!.kubeconfig,
      '--os',
      'windows',
      '--windows-build',
      '10.0.17763',
      '--nodes',
      '2',
      '--name-prefix',
      'uiw19-',
      '--labels',
      'pool=w19',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    await new Promise<void>((res, rej) => {
      let out = '';
      const t = setTimeout(() => rej(new Error(`tandem sim not ready in 30 s:\n${out}`)), 30_000);
      const onData = (c: Buffer) => {
        out += c.toString();
        if (/tandem sim ready/.test(out)) {
          clearTimeout(t);
          res();
        }
      };
      sim.stdout!.on('data', onData);
      sim.stderr!.on('data', onData);
    });
    const cookie = await loginWith(loginLink());
    const q = 'selector=pool%3Dw19&build=10.0.26100&fromImageIndex=1';
    const a = await call('GET', `/ui/api/plan?${q}`, { ...UI, cookie });
    assert.equal(a.status, 200, a.body);
    const cli = spawnSync(
      process.execPath,
      [
        TANDEM,
        'plan',
        'upgrade',
        '--kubeconfig',
        srv!.kubeconfig,
        '--nodes',
        'pool=w19',
        '--to-build',
        '10.0.26100',
        '--from-image-index',
        '-o',
        'json',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(cli.status, 0, cli.stderr);
    assert.deepEqual(JSON.parse(a.body), JSON.parse(cli.stdout));
    assert.equal((JSON.parse(a.body) as { nodes: unknown[] }).nodes.length, 2);
    // bad input: the planner's own words, as a 400 Status
    const bad = await call('GET', '/ui/api/plan?selector=pool%3Dw19&build=banana', { ...UI, cookie });
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).message, /banana/);
    assert.equal((await call('GET', `/ui/api/plan?${q}`, UI)).status, 401, 'no session, no plan');
  } finally {
    sim.kill('SIGTERM');
    await new Promise((r) => sim.once('exit', r));
  }
});

test(
  'Chromium: the link opens the page logged in; another origin cannot use the session',
  { skip: skip || (existsSync(CHROMIUM) ? false : 'no /usr/bin/chromium') },
  async () => {
    const { chromium } = await import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'tandem-chromium-'));
    mkdirSync(OUTPUT, { recursive: true });
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      ignoreHTTPSErrors: true, // the UI's certificate is from the cluster CA, which this fresh profile does not trust
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    // a page on another origin (plain HTTP on another port) that tries to use the session
    const evil = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title><p>elsewhere</p>');
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    try {
      const page = await browser.newPage();
      await page.goto(loginLink());
      assert.equal(new URL(page.url()).pathname, '/ui/');
      const who = await page.evaluate(async () => (await fetch('/ui/whoami')).json());
      assert.equal((who as { username: string }).username, 'tandem-admin');
      const nodes = await page.evaluate(async () => (await fetch('/ui/k8s/api/v1/namespaces', { headers: { 'X-Tandem-UI': '1' } })).status);
      assert.equal(nodes, 200);
      const cookies = await browser.cookies(`${ui}/ui/`);
      const c = cookies.find((x) => x.name === 'tandem_ui_session');
      assert.ok(c && c.httpOnly && c.secure && c.sameSite === 'Strict', JSON.stringify(cookies));
      assert.equal(
        await page.evaluate(() =>
          (globalThis as unknown as { document: { cookie: string } }).document.cookie.includes('tandem_ui_session'),
        ),
        false,
        'script cannot read the cookie',
      );
      await page.screenshot({ path: join(OUTPUT, 'logged-in.png'), fullPage: true });
      console.log(`# screenshot: ${join(OUTPUT, 'logged-in.png')}`);

      const other = await browser.newPage();
      await other.goto(`http://127.0.0.1:${(evil.address() as { port: number }).port}/`);
      const tries = await other.evaluate(async (target) => {
        const out: string[] = [];
        for (const init of [
          {
            method: 'POST',
            credentials: 'include',
            headers: { 'X-Tandem-UI': '1', 'Content-Type': 'application/json' },
            body: '{"metadata":{"name":"ui-from-evil"}}',
          },
          { method: 'POST', credentials: 'include', mode: 'no-cors', body: '{"metadata":{"name":"ui-from-evil"}}' },
        ] as RequestInit[]) {
          try {
            const r = await fetch(`${target}/ui/k8s/api/v1/namespaces/default/configmaps`, init);
            out.push(`status ${r.status}`);
          } catch (e) {
            out.push(`refused: ${String(e)}`);
          }
        }
        return out;
      }, ui);
      console.log(`# from another origin: ${tries.join('; ')}`);
      assert.notEqual(srv!.kubectl(['get', 'configmap', 'ui-from-evil']).code, 0, 'nothing was made from another origin');
    } finally {
      await browser.close();
      evil.close();
      rmSync(profile, { recursive: true, force: true });
    }
  },
);
