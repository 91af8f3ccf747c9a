// BENCH_ONLY=ui: the web view in headless Chromium over thousands of nodes and pods — time to the
// fleet view's first meaningful render (the first frame showing nodes: performance mark set by
// ui/src/perf.ts, from navigation start) and frames per second (requestAnimationFrame counted in the
// page) while 1,000 pods change state through the watch.
// The objects come from a real cluster by default (bench/ui-cluster.ts: `tandem server` with its web
// view, `tandem sim` fleets, Deployments until every pod is Ready; 1,000 pods deleted and replaced
// by their ReplicaSets while frames are counted). BENCH_UI_STANDIN=1 reads them from
// bench/ui-fake-api.ts instead (the UI server's contract in memory; seconds instead of minutes to
// build; it measures the page alone). Sizes: BENCH_UI_NODES (5,000), BENCH_UI_PODS (30,000).

import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wanted } from './cluster-phases.js';
import { startFakeUiApi } from './ui-fake-api.js';
import { DEPLOYMENTS, fixtureDeployment, fixtureNode, fixturePod } from './ui-fixture.js';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from './ui-chromium.js';
import { startUiCluster } from './ui-cluster.js';
import { loadText } from './machine.js';

const log = (s: string) => process.stderr.write(`[bench ui] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const NODES = Number(process.env['BENCH_UI_NODES'] ?? 5000);
const PODS = Number(process.env['BENCH_UI_PODS'] ?? 30_000);
const CHANGES = 1000;
const CHANGE_MS = 2000;
/** frames are still counted this long after the last change is sent (the watch events of the replacements) */
const SETTLE_MS = 1500;
const FIRST_RENDER_TARGET_MS = 1000;
const FPS_TARGET = 30;

interface Frames {
  fps: number;
  worst: number;
  elapsed: number;
}

/** requestAnimationFrame counted in the page while `drive` runs, and SETTLE_MS after. */
async function measureFps(page: Page, drive: () => Promise<void>): Promise<Frames> {
  // page-side code as text: the root tsconfig has no DOM types
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__counting = true;
    const tick = (t) => {
      window.__frames.push(t);
      if (window.__counting) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  })()`);
  const t0 = Date.now();
  await drive();
  await sleep(SETTLE_MS);
  const elapsed = Date.now() - t0;
  const frames = await page.evaluate<number[]>(`(() => { window.__counting = false; return window.__frames; })()`);
  const span = ((frames.at(-1) ?? 0) - (frames[0] ?? 0)) / 1000;
  let worst = 0;
  for (let i = 1; i < frames.length; i++) worst = Math.max(worst, (frames[i] ?? 0) - (frames[i - 1] ?? 0));
  return { fps: span > 0 ? (frames.length - 1) / span : 0, worst, elapsed };
}

/** Where the page's objects come from, and how the bench changes 1,000 pods' state. */
interface Source {
  describe: string;
  /** the web view's origin */
  url: string;
  loginLink(): Promise<string>;
  /** changes CHANGES pods' state, spread over CHANGE_MS; `round` counts the calls */
  change(round: number): Promise<string>;
  close(): Promise<void>;
}

async function standIn(uiDir: string): Promise<Source> {
  const api = await startFakeUiApi({ uiDir });
  for (let i = 0; i < NODES; i++) {
    const n = fixtureNode(i);
    api.put('/api/v1/nodes', n);
    api.put('/apis/metrics.k8s.io/v1beta1/nodes', {
      metadata: { name: n.metadata.name },
      usage: { cpu: `${(i % 8) * 500}m`, memory: `${(i % 30) + 1}Gi` },
    } as never);
  }
  for (let i = 0; i < Math.min(PODS, DEPLOYMENTS); i++) api.put('/apis/apps/v1/deployments', fixtureDeployment(i));
  for (let i = 0; i < PODS; i++) api.put('/api/v1/pods', fixturePod(i, NODES, 'Pending'));
  log(`${NODES} nodes, ${PODS} pods in the stand-in API`);
  return {
    describe: `${NODES} nodes, ${PODS} pods from an in-memory stand-in of the UI server (BENCH_UI_STANDIN=1), not sims`,
    url: api.url,
    loginLink: async () => `${api.url}/ui/login?code=${api.loginCode}`,
    change: async (round) => {
      const phase = round % 2 === 0 ? 'Running' : 'Succeeded';
      const step = 50;
      const perStep = Math.ceil(CHANGES / (CHANGE_MS / step));
      for (let done = 0; done < CHANGES;) {
        for (let k = 0; k < perStep && done < CHANGES; k++, done++)
          api.put('/api/v1/pods', fixturePod(done * Math.floor(PODS / CHANGES), NODES, phase));
        await sleep(step);
      }
      return `${CHANGES} pods set ${phase}`;
    },
    close: () => api.close(),
  };
}

async function realCluster(): Promise<Source> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-ui-'));
  try {
    const c = await startUiCluster(dir, NODES, PODS);
    return {
      describe:
        `${NODES} tandem sim nodes (60% Linux, 40% Windows on two builds), ${PODS} Ready pods of Deployments, through the real ` +
        `UI server and API server (cluster built in ${(c.buildMs / 1000).toFixed(0)} s; server RSS ${c.serverRssMb().toFixed(0)} MB)`,
      url: c.uiUrl,
      loginLink: () => c.loginLink(),
      change: async () => {
        const r = await c.churn(CHANGES, CHANGE_MS);
        return `${r.deleted} pods deleted${r.failed ? ` (${r.failed} deletes failed)` : ''} and replaced by their ReplicaSets`;
      },
      close: async () => {
        await c.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export async function runUiPhase(): Promise<void> {
  if (!wanted('ui')) return;
  const uiDir = fileURLToPath(new URL('../ui/', import.meta.url));
  const missing = chromiumMissing() ?? (existsSync(`${uiDir}index.html`) ? undefined : `${uiDir}index.html is missing (npm run build)`);
  if (missing) return void log(`skipped: ${missing}`);
  const source = process.env['BENCH_UI_STANDIN'] ? await standIn(uiDir) : await realCluster();
  const browser = await launchChromium().catch(async (e: unknown) => {
    await source.close();
    throw e;
  });
  try {
    const page = await browser.context.newPage();
    await page.goto(await source.loginLink());
    const fresh = await browser.context.newPage();
    await page.close();
    await fresh.goto(`${source.url}/ui/#/fleet`);
    await fresh.waitForFunction(() => performance.getEntriesByName('tandem:first-render:fleet').length > 0, undefined, {
      timeout: 300_000,
    });
    const firstRender = await fresh.evaluate(() => performance.getEntriesByName('tandem:first-render:fleet')[0]?.startTime ?? -1);
    // wait until the pods are in too (the pod counts per node), then measure steady updates
    await fresh.waitForFunction(() => performance.getEntriesByName('tandem:listed:/api/v1/pods').length > 0, undefined, {
      timeout: 300_000,
    });
    await sleep(1500);
    const podsListed = await fresh.evaluate<number>(`performance.getEntriesByName('tandem:listed:/api/v1/pods')[0]?.startTime ?? -1`);
    const results: (Frames & { view: string; what: string })[] = [];
    for (const view of ['fleet', 'workloads']) {
      if (view !== 'fleet') {
        await fresh.goto(`${source.url}/ui/#/${view}`);
        await fresh.locator('.vrow').first().waitFor({ timeout: 300_000 });
        await sleep(1500);
      }
      let what = '';
      const r = await measureFps(fresh, async () => {
        what = await source.change(results.length);
      });
      results.push({ ...r, view, what });
    }
    const running = await fresh.evaluate<string>(`document.querySelector('[aria-live]')?.textContent ?? ''`);

    const ok1 = firstRender >= 0 && firstRender < FIRST_RENDER_TARGET_MS;
    console.log(
      [
        `web view (headless Chromium; ${source.describe}; bundle: see build-ui)`,
        `  ${ok1 ? '✓' : '✗'} fleet view first meaningful render (nodes shown): ${firstRender.toFixed(0)} ms from navigation (target < ${FIRST_RENDER_TARGET_MS} ms)`,
        `    all ${PODS} pods listed into the page: ${podsListed.toFixed(0)} ms from navigation`,
        ...results.map(
          (r) =>
            `  ${r.fps >= FPS_TARGET ? '✓' : '✗'} ${r.view} view, frames while ${r.what} (${r.elapsed} ms counted): ` +
            `${r.fps.toFixed(1)} fps, longest frame ${r.worst.toFixed(0)} ms (target ≥ ${FPS_TARGET} fps)`,
        ),
        `  page after the changes: ${running}; load average at the end ${loadText()}`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await source.close();
  }
}
