// The web view's live-data core in headless Chromium, against the in-memory stand-in of the UI
// server (bench/ui-fake-api.ts) so that connections can be cut and history expired on purpose: a
// dropped watch resumes from the last resourceVersion without listing again; a watch answered
// 410 Gone lists again and shows what changed meanwhile; a sign-in with a wrong token is refused
// and the right one lets the page in. No reload happens in between.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { startFakeUiApi, type FakeUiApi } from '../../bench/ui-fake-api.js';
import { fixtureNode } from '../../bench/ui-fixture.js';
import { chromiumMissing, launchChromium, type Browser } from '../../bench/ui-chromium.js';

const UI_DIR = fileURLToPath(new URL('../../ui/', import.meta.url));
const skipWhy = () => chromiumMissing() ?? (existsSync(`${UI_DIR}index.html`) ? undefined : `${UI_DIR}index.html missing: npm run build`);

let api: FakeUiApi | undefined;
let browser: Browser | undefined;
let page: Page | undefined;

before(async () => {
  if (skipWhy()) return;
  api = await startFakeUiApi({ uiDir: UI_DIR });
  for (let i = 0; i < 10; i++) api.put('/api/v1/nodes', fixtureNode(i));
  browser = await launchChromium();
  page = await browser.context.newPage();
});
after(async () => {
  await browser?.close();
  await api?.close();
});

const run = (fn: (a: FakeUiApi, p: Page) => Promise<void>) => async (t: { skip(m: string): void }) => {
  const why = skipWhy();
  if (why) return void t.skip(why);
  if (!api || !page) throw new Error('not started');
  await fn(api, page);
};

const lists = (a: FakeUiApi) => a.requests.filter((r) => r.startsWith('/api/v1/nodes?') && !r.includes('watch=1')).length;
const watches = (a: FakeUiApi) => a.requests.filter((r) => r.startsWith('/api/v1/nodes?') && r.includes('watch=1'));

test(
  'the sign-in form refuses a wrong token and lets the right one in',
  run(async (a, p) => {
    await p.goto(`${a.url}/ui/#/fleet`);
    await p.getByLabel('Token').fill('wrong');
    await p.getByRole('button', { name: 'Sign in' }).click();
    assert.match(await p.getByRole('alert').innerText(), /not accepted/);
    await p.getByLabel('Token').fill(a.token);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByText('10 nodes, 9 ready').waitFor({ timeout: 10_000 });
    await p.evaluate('window.__sameDocument = true');
  }),
);

test(
  'a dropped watch resumes from the last resourceVersion: the change made meanwhile arrives, no new list',
  run(async (a, p) => {
    const listsBefore = lists(a);
    const watchesBefore = watches(a).length;
    a.dropWatches();
    a.put('/api/v1/nodes', fixtureNode(10));
    await p.getByText('11 nodes').waitFor({ timeout: 10_000 });
    assert.equal(lists(a), listsBefore, 'no list after a dropped watch');
    const again = watches(a).slice(watchesBefore);
    assert.ok(again.length >= 1, 'the page watched again');
    assert.doesNotMatch(again[0] ?? '', /resourceVersion=(&|$)/, 'the new watch names a resourceVersion');
    assert.equal(await p.evaluate('window.__sameDocument'), true);
  }),
);

test(
  'a watch answered 410 Gone lists again and shows the current state',
  run(async (a, p) => {
    const listsBefore = lists(a);
    a.dropWatches();
    a.put('/api/v1/nodes', fixtureNode(11));
    a.remove('/api/v1/nodes', fixtureNode(0));
    a.expireHistory();
    await p.locator('.vrow', { hasText: 'win-00011' }).waitFor({ timeout: 10_000 });
    await p.getByText('11 nodes').waitFor({ timeout: 10_000 });
    const fleet = await p.locator('.vlist').innerText();
    assert.doesNotMatch(fleet, /\b(lin|win)-00000\b/);
    assert.ok(lists(a) > listsBefore, 'the page listed again after 410');
    assert.equal(await p.evaluate('window.__sameDocument'), true);
  }),
);

test(
  '500 node updates sent in one burst all show, without a reload',
  run(async (a, p) => {
    for (let i = 100; i < 600; i++) a.put('/api/v1/nodes', fixtureNode(i));
    await p.getByText('511 nodes').waitFor({ timeout: 10_000 });
    assert.equal(await p.evaluate('window.__sameDocument'), true);
  }),
);

test(
  'a list whose continue token expires between pages is finished with one full list, not restarted page by page',
  run(async (a, p) => {
    // more nodes than one page of the page's lists (5,000), then every continuation refused
    for (let i = 1000; i < 6000; i++) a.put('/api/v1/nodes', fixtureNode(i));
    a.expireContinues();
    const listsBefore = a.requests.length;
    const fresh = await p.context().newPage();
    try {
      await fresh.goto(`${a.url}/ui/#/fleet`);
      await fresh.getByText('5511 nodes').waitFor({ timeout: 20_000 });
      const asked = a.requests.slice(listsBefore).filter((r) => r.startsWith('/api/v1/nodes') && !r.includes('watch=1'));
      assert.deepEqual(
        asked.map((r) => (r.includes('continue=') ? 'continue' : r.includes('limit=') ? 'first page' : 'full')),
        ['first page', 'continue', 'full'],
        asked.join('\n'),
      );
    } finally {
      await fresh.close();
    }
  }),
);
