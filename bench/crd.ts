// Bench phase `crd` (issue 14, BENCH_ONLY=crd): what custom resources cost on one `tandem server`
// (API server alone). Creates/s of a custom resource whose schema has 20 fields (validation, pruning,
// defaults on every create) beside ConfigMap creates/s on the same server, in interleaved rounds
// (ABBA BAAB) with the same client count; then the server's RSS with no CRDs and with 200 installed,
// and the time from creating a 201st CRD until both discovery and the OpenAPI v3 index show it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureNamespace } from './api-phases.js';
import { wanted } from './cluster-phases.js';
import { closedLoop, createClient, type Client, type LoadResult } from './http-load.js';
import { startTandem } from './server-proc.js';
import { fmt } from './stats.js';

const CLIENTS = 64;
const ROUND_MS = 1500;
const ORDER = ['cm', 'cr', 'cm20', 'cr', 'cm', 'cm20', 'cr', 'cm', 'cm20', 'cm20', 'cm', 'cr'] as const;
const CRDS = 200;
const NS = 'bench-crd';
const RATIO_TARGET = 0.9;

const log = (s: string) => process.stderr.write(`[bench] crd: ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A CRD of group `g<i>.bench.example.com` whose spec has 20 typed fields, some with defaults. */
function crdBody(i: number): string {
  const group = `g${i}.bench.example.com`;
  const props: Record<string, unknown> = {};
  for (let f = 0; f < 20; f++) {
    const type = ['string', 'integer', 'boolean', 'number'][f % 4]!;
    const p: Record<string, unknown> = { type };
    if (f % 5 === 0) p['default'] = type === 'string' ? 'x' : type === 'boolean' ? false : 1;
    if (type === 'integer') p['minimum'] = 0;
    props[`field${f}`] = p;
  }
  return JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `things.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'things', singular: 'thing', kind: 'Thing' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: props } } } },
        },
      ],
    },
  });
}

const TWENTY: Record<string, string> = Object.fromEntries(Array.from({ length: 20 }, (_, f) => [`field${f}`, `v${f}`]));

function thingBody(name: string): string {
  const spec: Record<string, unknown> = {};
  for (let f = 0; f < 20; f++) {
    if (f % 5 === 0) continue; // left to the defaults
    spec[`field${f}`] = [`v${f}`, f, f % 2 === 0, f + 0.5][f % 4];
  }
  return JSON.stringify({ apiVersion: 'g0.bench.example.com/v1', kind: 'Thing', metadata: { name }, spec });
}

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await check()) return performance.now() - t0;
    await sleep(5);
  }
  throw new Error(`not seen within ${timeoutMs} ms`);
}

async function createCrd(c: Client, i: number): Promise<void> {
  const r = await c.send('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crdBody(i));
  if (r.status !== 201) throw new Error(`creating CRD ${i}: HTTP ${r.status} ${r.body ?? ''}`);
}

const served = (c: Client, i: number) => async () => (await c.send('GET', `/apis/g${i}.bench.example.com/v1`)).status === 200;

export async function runCrdPhase(): Promise<void> {
  if (!wanted('crd')) return;
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-crd-'));
  const srv = await startTandem({ dataDir: dir, controllers: 'none' });
  const client = createClient(srv.target, CLIENTS);
  try {
    await ensureNamespace(client, NS);
    await srv.probe(); // a full GC first
    const rssNone = srv.rssMb();
    await createCrd(client, 0);
    await until(served(client, 0), 10_000);

    let n = 0;
    const ops = {
      cm: async () =>
        (
          await client.send(
            'POST',
            `/api/v1/namespaces/${NS}/configmaps`,
            JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${n++}` }, data: { a: 'b' } }),
          )
        ).status === 201,
      // a ConfigMap as large as the custom resource (20 entries): the cost of the object's size, without a schema
      cm20: async () =>
        (
          await client.send(
            'POST',
            `/api/v1/namespaces/${NS}/configmaps`,
            JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${n++}` }, data: TWENTY }),
          )
        ).status === 201,
      cr: async () =>
        (await client.send('POST', `/apis/g0.bench.example.com/v1/namespaces/${NS}/things`, thingBody(`t-${n++}`))).status === 201,
    };
    const totals = { cm: { ok: 0, s: 0, errors: 0 }, cm20: { ok: 0, s: 0, errors: 0 }, cr: { ok: 0, s: 0, errors: 0 } };
    let firstError: string | undefined;
    for (const which of ['cm', 'cm20', 'cr'] as const) await closedLoop({ concurrency: CLIENTS, durationMs: 500, op: ops[which] }); // warm-up
    for (const which of ORDER) {
      const r: LoadResult = await closedLoop({ concurrency: CLIENTS, durationMs: ROUND_MS, op: ops[which] });
      totals[which].ok += r.ok;
      totals[which].s += r.seconds;
      totals[which].errors += r.errors;
      firstError ??= r.firstError;
    }
    const cmRate = totals.cm.ok / totals.cm.s;
    const crRate = totals.cr.ok / totals.cr.s;
    const cm20Rate = totals.cm20.ok / totals.cm20.s;
    log(
      `ConfigMap ${fmt(cmRate)}/s, 20-entry ConfigMap ${fmt(cm20Rate)}/s, custom resource ${fmt(crRate)}/s${firstError ? ` (first error: ${firstError})` : ''}`,
    );

    const t0 = performance.now();
    for (let i = 1; i < CRDS; i++) await createCrd(client, i);
    await until(served(client, CRDS - 1), 30_000);
    log(`${CRDS} CRDs installed and served in ${fmt(performance.now() - t0)} ms`);
    await sleep(500);
    await srv.probe();
    const rssMany = srv.rssMb();

    const t1 = performance.now();
    await createCrd(client, CRDS);
    await until(served(client, CRDS), 10_000);
    const discoveryMs = performance.now() - t1;
    await until(async () => {
      const r = await client.send('GET', '/openapi/v3', undefined, { keepBody: true });
      return r.status === 200 && (r.body ?? '').includes(`apis/g${CRDS}.bench.example.com/v1`);
    }, 10_000);
    const bothMs = performance.now() - t1;

    const mb = (m: number) => `${fmt(m)} MB`;
    const ratio = crRate / cmRate;
    const ratio20 = crRate / cm20Rate;
    process.stdout.write(
      [
        '',
        `## Custom resources (issue 14), ${CLIENTS} clients, rounds of ${ROUND_MS} ms`,
        `| figure | value | target |`,
        `| --- | --- | --- |`,
        `| ConfigMap creates/s (1 entry) | ${fmt(cmRate)} | |`,
        `| ConfigMap creates/s (20 entries, the custom resource's size) | ${fmt(cm20Rate)} | |`,
        `| custom resource creates/s (20-field schema) vs the 1-entry ConfigMap | ${fmt(crRate)} (${fmt(ratio, 2)}×) | ≥ ${RATIO_TARGET}× ${ratio >= RATIO_TARGET ? '✓' : '✗'} |`,
        `| the same vs the 20-entry ConfigMap (the schema's own cost) | ${fmt(ratio20, 2)}× | ≥ ${RATIO_TARGET}× ${ratio20 >= RATIO_TARGET ? '✓' : '✗'} |`,
        `| new CRD in discovery, ${CRDS} installed | ${fmt(discoveryMs)} ms | ≤ 1000 ms ${discoveryMs <= 1000 ? '✓' : '✗'} |`,
        `| new CRD in discovery and OpenAPI v3 | ${fmt(bothMs)} ms | ≤ 1000 ms ${bothMs <= 1000 ? '✓' : '✗'} |`,
        `| server RSS, no CRDs → ${CRDS} CRDs | ${mb(rssNone)} → ${mb(rssMany)} | printed |`,
        '',
      ].join('\n'),
    );
  } finally {
    client.close();
    await srv.stop();
    if (!process.env['BENCH_KEEP']) rmSync(dir, { recursive: true, force: true });
  }
}
