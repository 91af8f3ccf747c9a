// Bench phase `image-facts` (issue 11): the platform facts of 1,000 distinct images read from a
// local docker-registry (Debian's) through createImageFacts with a fresh cache, as the scheduler
// would ask for them: every image asked for by several pods at once. Figures: images/s, and the
// most registry requests ever in flight for one image, counted by a wrapper around the registry
// client (the target: never more than one). Then the same 1,000 peeked with the facts cached.
//
// The images are small Windows-index stand-ins: one set of platform manifests (Windows 10.0.17763,
// 10.0.20348, 10.0.26100 and Linux) per repository, and per tag an index over them whose
// annotation names the tag, so every reference resolves to its own index digest.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildImage, buildIndex, sha256, type OciImage } from '../src/agent/images/oci.js';
import { createRegistryClient, type RegistryClient } from '../src/client/registry/client.js';
import { createImageFacts } from '../src/client/registry/index.js';
import type { ImageReference } from '../src/client/registry/reference.js';
import { pushImage, pushIndex, startRegistry } from '../test/images/registry.js';
import { wanted } from './cluster-phases.js';
import { describeMachine, loadText } from './machine.js';
import { renderTable, renderTargets, type Row } from './report.js';
import { fmt } from './stats.js';

const IMAGES = Number(process.env['IMAGE_FACTS_BENCH_IMAGES'] ?? 1000);
const REPOS = 50;
/** pods asking for each image at the same moment */
const ASKERS = 4;
const PUSH_CONCURRENCY = 16;
const TARGET_RATE = 200;

const log = (s: string) => process.stderr.write(`[bench] image-facts: ${s}\n`);

/** Runs `fn` over `items` with at most `n` at once. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

/** The registry client with every request counted per image: total, and the most open at once for one image. */
function countingClient(inner: RegistryClient) {
  const open = new Map<string, number>();
  const c = { requests: 0, maxPerImage: 0 };
  async function track<T>(ref: ImageReference, fn: () => Promise<T>): Promise<T> {
    const key = `${ref.domain}/${ref.path}:${ref.tag ?? ''}@${ref.digest ?? ''}`;
    c.requests++;
    const n = (open.get(key) ?? 0) + 1;
    open.set(key, n);
    c.maxPerImage = Math.max(c.maxPerImage, n);
    try {
      return await fn();
    } finally {
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    }
  }
  const client: RegistryClient = {
    ping: (domain) => inner.ping(domain),
    getManifest: (ref, auth, reference) => track(ref, () => inner.getManifest(ref, auth, reference)),
    openBlob: (ref, desc, auth) => track(ref, () => inner.openBlob(ref, desc, auth)),
  };
  return { client, counts: c };
}

const tiny = (os: string, osVersion?: string): OciImage =>
  buildImage({
    name: 'bench',
    os,
    ...(osVersion ? { osVersion } : {}),
    entries: [{ type: 'file', path: 'v', data: Buffer.from(os + (osVersion ?? '')) }],
  });

/** Pushes IMAGES distinct index references; returns them. */
async function pushImages(registryUrl: string, host: string): Promise<string[]> {
  const images = [
    tiny('windows', '10.0.17763.6414'),
    tiny('windows', '10.0.20348.2700'),
    tiny('windows', '10.0.26100.1742'),
    tiny('linux'),
  ];
  const base = JSON.parse(buildIndex(images).index.data.toString('utf8')) as Record<string, unknown>;
  const repos = Array.from({ length: Math.min(REPOS, IMAGES) }, (_, i) => `bench/app${String(i).padStart(2, '0')}`);
  await pool(repos, PUSH_CONCURRENCY, async (repo) => {
    for (const img of images) await pushImage(registryUrl, repo, undefined, img);
  });
  const refs = Array.from({ length: IMAGES }, (_, i) => ({ repo: repos[i % repos.length] ?? '', tag: `v${i}` }));
  await pool(refs, PUSH_CONCURRENCY, async ({ repo, tag }) => {
    const data = Buffer.from(JSON.stringify({ ...base, annotations: { 'org.opencontainers.image.version': `${repo}:${tag}` } }));
    await pushIndex(registryUrl, repo, tag, { index: { digest: sha256(data), data }, images: [] });
  });
  return refs.map(({ repo, tag }) => `${host}/${repo}:${tag}`);
}

/** `npm run bench` phase `image-facts` (BENCH_ONLY=image-facts runs it alone). */
export async function runImageFactsPhase(): Promise<void> {
  if (!wanted('image-facts')) return;
  const root = mkdtempSync(join(tmpdir(), 'tandem-bench-facts-'));
  const machine = describeMachine(root);
  const registry = await startRegistry({ dir: join(root, 'registry') });
  try {
    let t = performance.now();
    const refs = await pushImages(registry.url, registry.host);
    log(`${refs.length} images pushed in ${fmt(performance.now() - t)} ms`);

    const { client, counts } = countingClient(createRegistryClient());
    const facts = createImageFacts({ client });
    t = performance.now();
    const asked: Promise<unknown>[] = [];
    for (const ref of refs) {
      facts.peek(ref);
      for (let i = 0; i < ASKERS; i++) asked.push(facts.get(ref));
    }
    const results = await Promise.allSettled(asked);
    const coldMs = performance.now() - t;
    const failed = results.filter((r) => r.status === 'rejected');
    const rate = refs.length / (coldMs / 1000);
    const st = facts.stats();
    log(`cold: ${fmt(rate)} images/s; ${st.fetches} fetches, ${counts.requests} requests, ${failed.length} failed asks`);

    t = performance.now();
    let known = 0;
    for (const ref of refs) if (facts.peek(ref).state === 'known') known++;
    const warmMs = performance.now() - t;

    const first = failed[0];
    const firstError = first?.status === 'rejected' ? String(first.reason instanceof Error ? first.reason.message : first.reason) : '';
    const section = 'image facts (issue 11)';
    const rows: Row[] = [
      {
        section,
        metric: `facts of ${fmt(refs.length)} images, fresh cache`,
        value: `${fmt(rate)} images/s (${fmt(coldMs)} ms; ${ASKERS} gets + 1 peek per image)${failed.length ? `; ${failed.length} failed: ${firstError}` : ''}`,
        anchor: `docker-registry 2.8 (Debian) on loopback, ${st.maxInFlight} fetches in flight at most`,
        target: `≥ ${TARGET_RATE} images/s`,
        met: rate >= TARGET_RATE && failed.length === 0,
      },
      {
        section,
        metric: 'requests in flight for one image (max)',
        value: `${counts.maxPerImage} (client-side count; facts' own: ${st.maxRequestsPerKey})`,
        anchor: `${counts.requests} registry requests, ${st.fetches} fetches`,
        target: 'never more than 1',
        met: counts.maxPerImage === 1 && st.maxRequestsPerKey === 1,
      },
      {
        section,
        metric: `peek of ${fmt(refs.length)} images, facts cached`,
        value: `${fmt(refs.length / (warmMs / 1000))} lookups/s (${known} known, ${fmt(warmMs, 1)} ms)`,
        anchor: 'no registry request',
      },
    ];
    const out = process.stdout;
    out.write('\nImage platform facts benchmark (issue 11)\n');
    out.write(`machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load at end ${loadText()}\n\n`);
    out.write(`${renderTable(rows)}\n\n${renderTargets(rows)}\n`);
  } finally {
    await registry.stop();
    if (process.env['BENCH_KEEP']) log(`data kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}
