// BENCH_ONLY=ui: the web view in headless Chromium over thousands of nodes and pods — time to the
// fleet view's first meaningful render (the first frame showing nodes: performance mark set by
// ui/src/perf.ts, from navigation start) and frames per second (requestAnimationFrame counted in the
// page) while 1,000 pods change state through the watch. The objects come from bench/ui-fake-api.ts
// (the UI server's contract, in memory), not from running sims: this measures the page, not the API.
// Sizes: BENCH_UI_NODES (5,000), BENCH_UI_PODS (30,000).

import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { wanted } from './cluster-phases.js';
import { startFakeUiApi } from './ui-fake-api.js';
import { DEPLOYMENTS, fixtureDeployment, fixtureNode, fixturePod } from './ui-fixture.js';
import type { Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from './ui-chromium.js';

const log = (s: string) => process.stderr.write(`[bench ui] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const NODES = Number(process.env['BENCH_UI_NODES'] ?? 5000);
const PODS = Number(process.env['BENCH_UI_PODS'] ?? 30_000);
const CHANGES = 1000;
const CHANGE_MS = 2000;
const FIRST_RENDER_TARGET_MS = 1000;
const FPS_TARGET = 30;

/** requestAnimationFrame counted in the page while `change(i)` runs for i < CHANGES, spread over CHANGE_MS. */
async function measureFps(page: Page, change: (i: number) => void): Promise<{ view: string; fps: number; worst: number; elapsed: number }> {
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
  const step = 50;
  const perStep = Math.ceil(CHANGES / (CHANGE_MS / step));
  for (let done = 0; done < CHANGES;) {
    for (let k = 0; k < perStep && done < CHANGES; k++, done++) change(done);
    await sleep(step);
  }
  await sleep(100); // the last batch's frame
  const elapsed = Date.now() - t0;
  const frames = await page.evaluate<number[]>(`(() => { window.__counting = false; return window.__frames; })()`);
  const span = ((frames.at(-1) ?? 0) - (frames[0] ?? 0)) / 1000;
  let worst = 0;
  for (let i = 1; i < frames.length; i++) worst = Math.max(worst, (frames[i] ?? 0) - (frames[i - 1] ?? 0));
  return { view: '', fps: span > 0 ? (frames.length - 1) / span : 0, worst, elapsed };
}

export async function runUiPhase(): Promise<void> {
  if (!wanted('ui')) return;
  const uiDir = fileURLToPath(new URL('../ui/', import.meta.url));
  const missing = chromiumMissing() ?? (existsSync(`${uiDir}index.html`) ? undefined : `${uiDir}index.html is missing (npm run build)`);
  if (missing) return void log(`skipped: ${missing}`);
  const api = await startFakeUiApi({ uiDir });
  const browser = await launchChromium();
  try {
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
    log(`${NODES} nodes, ${PODS} pods in the fake API`);

    const page = await browser.context.newPage();
    await page.goto(`${api.url}/ui/login?code=${api.loginCode}`);
    const fresh = await browser.context.newPage();
    await page.close();
    await fresh.goto(`${api.url}/ui/#/fleet`);
    await fresh.waitForFunction(() => performance.getEntriesByName('tandem:first-render:fleet').length > 0, undefined, { timeout: 60_000 });
    const firstRender = await fresh.evaluate(() => performance.getEntriesByName('tandem:first-render:fleet')[0]?.startTime ?? -1);
    // wait until the pods are in too (the pod counts per node), then measure steady updates
    await fresh.waitForFunction(() => performance.getEntriesByName('tandem:listed:/api/v1/pods').length > 0, undefined, {
      timeout: 60_000,
    });
    await sleep(1500);
    const podsListed = await fresh.evaluate<number>(`performance.getEntriesByName('tandem:listed:/api/v1/pods')[0]?.startTime ?? -1`);
    const results: { view: string; fps: number; worst: number; elapsed: number }[] = [];
    let phase = 'Running';
    for (const view of ['fleet', 'workloads']) {
      if (view !== 'fleet') {
        await fresh.goto(`${api.url}/ui/#/${view}`);
        await fresh.locator('.vrow').first().waitFor({ timeout: 60_000 });
        await sleep(1500);
      }
      const r = await measureFps(fresh, (i) => api.put('/api/v1/pods', fixturePod(i * Math.floor(PODS / CHANGES), NODES, phase)));
      results.push({ ...r, view });
      phase = phase === 'Running' ? 'Succeeded' : 'Running';
    }
    const running = await fresh.evaluate<string>(`document.querySelector('[aria-live]')?.textContent ?? ''`);

    const ok1 = firstRender >= 0 && firstRender < FIRST_RENDER_TARGET_MS;
    console.log(
      [
        `web view (headless Chromium, ${NODES} nodes, ${PODS} pods from an in-memory stand-in of the UI server, not sims; bundle: see build-ui)`,
        `  ${ok1 ? '✓' : '✗'} fleet view first meaningful render (nodes shown): ${firstRender.toFixed(0)} ms from navigation (target < ${FIRST_RENDER_TARGET_MS} ms)`,
        `    all ${PODS} pods listed into the page: ${podsListed.toFixed(0)} ms from navigation`,
        ...results.map(
          (r) =>
            `  ${r.fps >= FPS_TARGET ? '✓' : '✗'} ${r.view} view, frames while ${CHANGES} pods change state over ${r.elapsed} ms: ` +
            `${r.fps.toFixed(1)} fps, longest frame ${r.worst.toFixed(0)} ms (target ≥ ${FPS_TARGET} fps)`,
        ),
        `  page after the changes: ${running}`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await api.close();
  }
}
