// The web view in a real browser (Debian's headless Chromium through playwright-core) against a real
// `tandem server` with `tandem sim` fleets: log in with the one-time link `tandem ui` prints, see the
// Linux and Windows nodes grouped by build, watch a Deployment's pods appear without a reload, read
// why a Windows pod is Pending, follow a pod's log as it grows, ask the planner, sign in with a token
// on the login form. Screenshots of every view go to the folder printed as `ui screenshots: DIR`
// (TANDEM_UI_SCREENSHOTS names it; else test/e2e/output/ui-browser/, beside the server tests' own).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { kubectlAvailable, TANDEM } from './harness.js';
import { SKIP_MESSAGE } from './kubectl-support.js';
import { deployment, eventually, podView, runningReady, startCluster, type Cluster } from './cluster-fleet.js';
import { pushIndex, startRegistry, windowsStandIn, type Registry } from '../images/registry.js';
import { chromiumMissing, launchChromium, type Browser } from '../../bench/ui-chromium.js';

const RENEW = ['--lease-renew-ms', '2000'];
const UI_INDEX = fileURLToPath(new URL('../../ui/index.html', import.meta.url));
const skipWhy = () =>
  !kubectlAvailable() ? SKIP_MESSAGE : (chromiumMissing() ?? (existsSync(UI_INDEX) ? undefined : `${UI_INDEX} missing: npm run build`));

let c: Cluster | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let shots = '';
// a registry holding an image with a Windows Server 2019 entry only, for the planner to move
let reg: Registry | undefined;
let regDir = '';

const cl = () => {
  if (!c || !page) throw new Error('cluster or browser not started');
  return { c, page };
};

before(async () => {
  if (skipWhy()) return;
  shots =
    process.env['TANDEM_UI_SCREENSHOTS'] ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../test/e2e/output/ui-browser');
  mkdirSync(shots, { recursive: true });
  console.log(`ui screenshots: ${shots}`);
  regDir = mkdtempSync(join(tmpdir(), 'tandem-ui-registry-'));
  reg = await startRegistry({ dir: regDir });
  await pushIndex(reg.url, 'apps/app2019', '1', windowsStandIn('app2019', ['10.0.17763.6054']));
  c = await startCluster(
    {},
    [
      ['--nodes', '2', '--os', 'linux', '--name-prefix', 'lin-', ...RENEW],
      ['--nodes', '2', '--os', 'windows', '--windows-build', '10.0.17763', '--hyperv', '--name-prefix', 'w19-', ...RENEW],
      ['--nodes', '1', '--os', 'windows', '--windows-build', '10.0.20348', '--name-prefix', 'w22-', ...RENEW],
    ],
    ['--ui-listen', '127.0.0.1:0'],
  );
  browser = await launchChromium();
  page = await browser.context.newPage();
});
after(async () => {
  await browser?.close();
  await c?.stop();
  await reg?.stop();
  if (regDir) rmSync(regDir, { recursive: true, force: true });
});

const run = (fn: () => Promise<void>) => async (t: { skip(m: string): void }) => {
  const why = skipWhy();
  if (why) return void t.skip(why);
  await fn();
};

const shot = (name: string) => cl().page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
const text = (sel: string) => cl().page.locator(sel).first().innerText();

test(
  'the one-time link from `tandem ui` signs in, works once, and the fleet shows Linux and Windows nodes by build',
  run(async () => {
    const { c, page } = cl();
    const r = spawnSync(process.execPath, [TANDEM, 'ui', '--data-dir', c.srv.dataDir], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, `tandem ui: ${r.stdout}${r.stderr}`);
    const link = r.stdout.match(/https:\/\/\S+\/ui\/login\?code=\S+/)?.[0];
    assert.ok(link, `tandem ui printed no link:\n${r.stdout}`);
    await page.goto(link);
    await page.waitForURL(/\/ui\/$/);
    await page.getByText('5 nodes, 5 ready').waitFor({ timeout: 30_000 });
    const fleet = await text('.vlist');
    assert.match(fleet, /Linux — 2 nodes/);
    assert.match(fleet, /Windows 10\.0\.17763 · Hyper-V capable — 2 nodes/);
    assert.match(fleet, /Windows 10\.0\.20348 · process isolation only — 1 nodes/);
    for (const n of ['lin-0', 'lin-1', 'w19-0', 'w19-1', 'w22-0']) assert.match(fleet, new RegExp(`\\b${n}\\b`));
    assert.notEqual((await text('header .user')).trim(), '', 'the header names the signed-in user');
    await shot('fleet');
    // keyboard: the list is one tab stop; arrows move the active row, Enter opens it
    await page.locator('.vlist').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Node lin-0' }).waitFor();
    assert.match(page.url(), /#\/nodes\/lin-0$/);
    // the link was spent: a second use is refused
    const again = (await browser!.context.request.get(link, { maxRedirects: 0 })).status();
    assert.notEqual(again, 303, 'a one-time link must not log in twice');
  }),
);

test(
  'a Deployment applied with kubectl shows its pods in the workloads view without a reload',
  run(async () => {
    const { c, page } = cl();
    await page.goto(page.url().replace(/#.*$/, '') + '#/workloads');
    await page.getByRole('heading', { name: 'Workloads' }).waitFor();
    await page.evaluate('window.__sameDocument = true');
    c.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'main', image: 'example.com/web:1' }] },
          },
        },
      }),
    });
    await page.getByText(/Deployment default\/web — 3\/3 ready, 3 pods/).waitFor({ timeout: 30_000 });
    const list = await text('.vlist');
    assert.equal((list.match(/web-[a-z0-9]+-[a-z0-9]+/g) ?? []).length, 3, list);
    assert.match(list, /lin-[01]/);
    assert.equal(await page.evaluate('window.__sameDocument'), true, 'the page must not have reloaded');
    await shot('workloads');
  }),
);

test(
  'a Windows pod that no node can take is listed as Pending with the scheduler’s reason in words',
  run(async () => {
    const { c, page } = cl();
    c.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'win-waits' },
        spec: {
          nodeSelector: { 'kubernetes.io/os': 'windows', 'node.kubernetes.io/windows-build': '10.0.26100' },
          containers: [{ name: 'main', image: 'example.com/winapp:1' }],
        },
      }),
    });
    await page.goto(page.url().replace(/#.*$/, '') + '#/pending');
    const row = page.locator('.vrow', { hasText: 'default/win-waits' });
    await row.waitFor({ timeout: 30_000 });
    // (the page's CSP forbids eval, so waits are locators, not page functions)
    await page.locator('.vrow', { hasText: /win-waits[\s\S]*nodes are available/ }).waitFor({ timeout: 30_000 });
    const why = await row.innerText();
    assert.match(why, /0\/5 nodes are available/, why);
    await shot('pending');
    await page.goto(page.url().replace(/#.*$/, '') + '#/pods/default/win-waits');
    const podWhy = await page.getByTestId('pod-why').innerText();
    assert.match(podWhy, /nodes are available/);
    await shot('pod-pending');
  }),
);

test(
  'a pod’s log streams into its page: a line arrives while the page is open',
  run(async () => {
    const { c, page } = cl();
    c.ok(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'talker', annotations: { 'tandem.io/sim-run-seconds': '6' } },
        spec: {
          restartPolicy: 'Never',
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [{ name: 'main', image: 'example.com/talk:1' }],
        },
      }),
    });
    await page.goto(page.url().replace(/#.*$/, '') + '#/pods/default/talker');
    const logs = page.getByTestId('pod-logs');
    await page.locator('[data-testid=pod-logs]', { hasText: 'started' }).waitFor({ timeout: 30_000 });
    assert.doesNotMatch(await logs.innerText(), /terminated/, 'the pod should still run when its page opens');
    // the same open stream later brings the termination line (no reload, no new request by the test)
    await page.locator('[data-testid=pod-logs]', { hasText: 'terminated' }).waitFor({ timeout: 30_000 });
    assert.match(await logs.innerText(), /started[\s\S]*terminated/);
    await shot('pod-logs');
  }),
);

test(
  'the planner answers for a selector and a build, with a table and a picture',
  run(async () => {
    const { c, page } = cl();
    // a workload that runs process-isolated on the 2019 nodes today: on 26100 it can only run under Hyper-V
    c.ok(['apply', '-f', '-'], {
      input: deployment('app2019', 2, `${reg?.host ?? ''}/apps/app2019:1`, { nodeSelector: { 'kubernetes.io/os': 'windows' } }),
    });
    const running = await eventually(() => {
      const ps = c.items(['get', 'pods', '-l', 'app=app2019']).map(podView).filter(runningReady);
      return ps.length === 2 && ps;
    }, 60_000);
    assert.ok(running, 'both app2019 pods Running and Ready');
    await page.goto(page.url().replace(/#.*$/, '') + '#/planner');
    await page.getByLabel('Nodes (label selector)').fill('kubernetes.io/os=windows');
    await page.getByLabel('Windows build').fill('10.0.26100');
    await page.getByRole('button', { name: 'Plan' }).click();
    await page.getByTestId('plan-summary').waitFor({ timeout: 30_000 });
    assert.match(page.url(), /#\/planner\?selector=kubernetes\.io%2Fos%3Dwindows&build=10\.0\.26100/);
    const picture = await text('.picture');
    for (const n of ['w19-0', 'w19-1', 'w22-0']) assert.match(picture, new RegExp(`${n}: 10\\.0\\.\\d+ → 10\\.0\\.26100`));
    assert.doesNotMatch(picture, /lin-0/);
    assert.match(picture, /default\/app2019: process → hyperv/);
    const row = page.getByTestId('plan-table').locator('tr', { hasText: 'app2019' });
    assert.match(await row.innerText(), /Deployment default\/app2019\s+2\s+moves to Hyper-V/);
    await shot('planner');
  }),
);

test(
  'the events timeline lists the scheduler’s events, and the dark theme applies',
  run(async () => {
    const { page } = cl();
    await page.goto(page.url().replace(/#.*$/, '') + '#/events');
    await page.locator('.vrow', { hasText: 'FailedScheduling' }).first().waitFor({ timeout: 30_000 });
    await shot('events');
    await page.getByRole('button', { name: /^Theme:/ }).click();
    await page.getByRole('button', { name: /^Theme: dark/ }).waitFor();
    assert.equal(await page.evaluate('document.documentElement.dataset.theme'), 'dark');
    await shot('events-dark');
  }),
);

test(
  'without a session the login form appears; a bearer token signs in',
  run(async () => {
    const { c } = cl();
    const other = await launchChromium({ width: 400, height: 800 });
    try {
      const p = await other.context.newPage();
      const base = cl()
        .page.url()
        .replace(/\/ui\/.*$/, '');
      await p.goto(`${base}/ui/#/fleet`);
      await p.getByLabel('Token').fill('not-a-token');
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByRole('alert').waitFor();
      await p.screenshot({ path: join(shots, 'login-refused-narrow.png') });
      await p.getByLabel('Token').fill(c.srv.token());
      await p.getByRole('button', { name: 'Sign in' }).click();
      await p.getByText('5 nodes, 5 ready').waitFor({ timeout: 30_000 });
      await p.screenshot({ path: join(shots, 'fleet-narrow.png') });
    } finally {
      await other.close();
    }
  }),
);
