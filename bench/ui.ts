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
import { fixtureNode, fixturePod } from './ui-fixture.js';
import { chromiumMissing, launchChromium } from './ui-chromium.js';

const log = (s: string) => process.stderr.write(`[bench ui] ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const NODES = Number(process.env['BENCH_UI_NODES'] ?? 5000);
const PODS = Number(process.env['BENCH_UI_PODS'] ?? 30_000);
const CHANGES = 1000;
const CHANGE_MS = 2000;
const FIRST_RENDER_TARGET_MS = 1000;
const FPS_TARGET = 30;

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
    await fresh.waitForFunction(`document.querySelector('[data-testid=fleet-count]')?.textContent?.includes('nodes')`, undefined, {
      timeout: 60_000,
    });
    await sleep(1500);

    // page-side code as text: the root tsconfig has no DOM types
    await fresh.evaluate(`(() => {
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
      for (let k = 0; k < perStep && done < CHANGES; k++, done++)
        api.put('/api/v1/pods', fixturePod(done * Math.floor(PODS / CHANGES), NODES, 'Running'));
      await sleep(step);
    }
    const elapsed = Date.now() - t0;
    const frames = await fresh.evaluate<number[]>(`(() => { window.__counting = false; return window.__frames; })()`);
    const span = ((frames.at(-1) ?? 0) - (frames[0] ?? 0)) / 1000;
    const fps = span > 0 ? (frames.length - 1) / span : 0;
    let worst = 0;
    for (let i = 1; i < frames.length; i++) worst = Math.max(worst, (frames[i] ?? 0) - (frames[i - 1] ?? 0));
    const running = await fresh.evaluate<string>(`document.querySelector('[data-testid=fleet-count]')?.textContent ?? ''`);

    const ok1 = firstRender >= 0 && firstRender < FIRST_RENDER_TARGET_MS;
    const ok2 = fps >= FPS_TARGET;
    console.log(
      [
        `web view (headless Chromium, ${NODES} nodes, ${PODS} pods from an in-memory stand-in of the UI server; bundle: see build-ui)`,
        `  ${ok1 ? '✓' : '✗'} fleet view first meaningful render: ${firstRender.toFixed(0)} ms from navigation (target < ${FIRST_RENDER_TARGET_MS} ms)`,
        `  ${ok2 ? '✓' : '✗'} frames while ${CHANGES} pods change state over ${elapsed} ms: ${fps.toFixed(1)} fps, longest frame ${worst.toFixed(0)} ms (target ≥ ${FPS_TARGET} fps)`,
        `  page after the changes: ${running}`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await api.close();
  }
}
