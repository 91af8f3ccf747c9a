// Bench phase `auth` (issue 13): what authorization and ServiceAccount authentication cost on one
// `tandem server` (RBAC, ServiceAccount admission, PodSecurity on; the serviceaccount controller is
// the only component, for the namespaces' `default` accounts). Pod creates/s by a ServiceAccount
// whose RoleBinding RBAC checks on every request, beside the admin's (system:masters, allowed by the
// privileged-group authorizer before RBAC is asked) on the same server, with the same client count,
// pod template and round length, in interleaved rounds so drift favours neither.
// Then GETs of one pod with each identity's token (the static table vs the JWT authenticator and its
// cache) and TokenReview calls/s reviewing the ServiceAccount token. BENCH_PROF=1 profiles the server.

import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureNamespace } from './api-phases.js';
import { checkTokenReview, podCreatorToken, tokenReviewBody, waitFor } from './auth-setup.js';
import { wanted } from './cluster-phases.js';
import { closedLoop, createClient, type Client, type LoadResult } from './http-load.js';
import { describeMachine, loadText } from './machine.js';
import { cpuNote, createPhaseMeter, type PhaseMeter, type PhaseStat } from './phase-meter.js';
import { createPodTemplate, type PodTemplate } from './pod-fixture.js';
import { loadProfile, renderProfile, summarizeProfile } from './prof-top.js';
import { renderTable, renderTargets, type Row } from './report.js';
import { startTandem, type ServerProc } from './server-proc.js';
import { fmt, summarize } from './stats.js';

const CLIENTS = 64;
const WARMUP_MS = 1000;
/**
 * The order of the timed rounds (A admin, B ServiceAccount): ABBA BAAB, so drift (a store filling,
 * other work on the box coming and going) favours neither; short rounds so a burst spans both.
 */
const ORDER = ['admin', 'sa', 'sa', 'admin', 'sa', 'admin', 'admin', 'sa'] as const;
/** each create round, capped in pods so the store stays moderate: 6 s per identity */
const CREATE_ROUND_MS = 1500;
const CREATE_ROUND_MAX = 4000;
/** each GET round: 5 s per identity; TokenReviews run GET_MS in one go */
const GET_ROUND_MS = 1250;
const GET_MS = 5000;
const RATIO_TARGET = 0.9;
const NS_ADMIN = 'auth-admin';
const NS_SA = 'auth-sa';
const SA_NAME = 'bench-creator';
const SA_USER = `system:serviceaccount:${NS_SA}:${SA_NAME}`;

const log = (s: string) => process.stderr.write(`[bench] auth: ${s}\n`);

/** One identity's figure over several timed rounds: latencies of every success, phases for CPU. */
interface Tally {
  lat: number[];
  ok: number;
  errors: number;
  seconds: number;
  firstError: string | undefined;
  phases: PhaseStat[];
}

const tally = (): Tally => ({ lat: [], ok: 0, errors: 0, seconds: 0, firstError: undefined, phases: [] });

function result(t: Tally): LoadResult {
  return { ok: t.ok, errors: t.errors, seconds: t.seconds, rate: t.ok / t.seconds, latencyMs: summarize(t.lat), firstError: t.firstError };
}

/** The phases of a tally as one (wall and CPU summed), for cpuNote. */
function merged(t: Tally): PhaseStat | undefined {
  const first = t.phases[0];
  if (!first) return undefined;
  const sum = (f: (p: PhaseStat) => number) => t.phases.reduce((a, p) => a + f(p), 0);
  return { ...first, wallS: sum((p) => p.wallS), serverCpuS: sum((p) => p.serverCpuS), clientCpuS: sum((p) => p.clientCpuS) };
}

type Op = (i: number) => Promise<boolean | string>;

/** One timed round of `op` with CLIENTS workers, added to `t` (latency measured around each op). */
async function round(meter: PhaseMeter, s: ServerProc, name: string, t: Tally, op: Op, durationMs: number, max?: number): Promise<void> {
  const timed: Op = async (i) => {
    const t0 = performance.now();
    const r = await op(i);
    if (r === true) t.lat.push(performance.now() - t0);
    return r;
  };
  const r = await meter.run(name, s, () =>
    closedLoop({ concurrency: CLIENTS, durationMs, op: timed, ...(max !== undefined ? { maxRequests: max } : {}) }),
  );
  t.ok += r.ok;
  t.errors += r.errors;
  t.seconds += r.seconds;
  t.firstError ??= r.firstError;
  const p = meter.get(name);
  if (p) t.phases.push(p);
}

const warmUp = (op: Op) => closedLoop({ concurrency: CLIENTS, durationMs: WARMUP_MS, op });

function createOp(client: Client, namespace: string, pods: PodTemplate, prefix: string, created: string[]): Op {
  const path = `/api/v1/namespaces/${namespace}/pods`;
  let next = 0;
  return async () => {
    const name = `${prefix}-${next++}`;
    const r = await client.send('POST', path, pods.body(name));
    if (r.status !== 201) return `HTTP ${r.status}: ${(r.body ?? '').slice(0, 300)}`;
    created.push(name);
    return true;
  };
}

function expect(client: Client, method: string, path: string, status: number, body?: string): Op {
  return async () => {
    const r = await client.send(method, path, body);
    return r.status === status ? true : `HTTP ${r.status}: ${(r.body ?? '').slice(0, 300)}`;
  };
}

interface AuthFigures {
  createAdmin: Tally;
  createSa: Tally;
  getAdmin: Tally;
  getSa: Tally;
  review: Tally;
}

async function measure(meter: PhaseMeter, s: ServerProc): Promise<AuthFigures> {
  const admin = createClient(s.target, CLIENTS);
  let sa: Client | undefined;
  try {
    // two namespaces made the same way, each with the controller's `default` account (the pods' account)
    for (const ns of [NS_ADMIN, NS_SA]) {
      await ensureNamespace(admin, ns);
      await waitFor(admin, `/api/v1/namespaces/${ns}/serviceaccounts/default`);
    }
    const token = await podCreatorToken(admin, NS_SA, SA_NAME);
    await checkTokenReview(admin, token, SA_USER);
    sa = createClient({ ...s.target, token }, CLIENTS);
    const created = { admin: [] as string[], sa: [] as string[] };
    const adminCreate = createOp(admin, NS_ADMIN, createPodTemplate(NS_ADMIN), 'admin', created.admin);
    const saCreate = createOp(sa, NS_SA, createPodTemplate(NS_SA), 'sa', created.sa);
    // warm-up of each: all connections open, TLS done, code compiled, the SA token verified and cached
    await warmUp(adminCreate);
    await warmUp(saCreate);
    const f: AuthFigures = { createAdmin: tally(), createSa: tally(), getAdmin: tally(), getSa: tally(), review: tally() };
    let n = 0;
    for (const who of ORDER) {
      const [t, op] = who === 'admin' ? [f.createAdmin, adminCreate] : [f.createSa, saCreate];
      await round(meter, s, `creates ${who} #${++n}`, t, op, CREATE_ROUND_MS, CREATE_ROUND_MAX);
    }
    log(`creates/s: admin ${fmt(result(f.createAdmin).rate)}, ServiceAccount ${fmt(result(f.createSa).rate)}`);

    // the same GET (one pod the ServiceAccount created) with either token
    const pod = `/api/v1/namespaces/${NS_SA}/pods/${created.sa[0] ?? 'none'}`;
    const adminGet = expect(admin, 'GET', pod, 200);
    const saGet = expect(sa, 'GET', pod, 200);
    await warmUp(adminGet);
    await warmUp(saGet);
    n = 0;
    for (const who of ORDER) {
      const [t, op] = who === 'admin' ? [f.getAdmin, adminGet] : [f.getSa, saGet];
      await round(meter, s, `GETs ${who} #${++n}`, t, op, GET_ROUND_MS);
    }
    log(`GETs/s: admin ${fmt(result(f.getAdmin).rate)}, ServiceAccount ${fmt(result(f.getSa).rate)}`);

    const review = expect(admin, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', 201, tokenReviewBody(token));
    await warmUp(review);
    await round(meter, s, 'TokenReviews', f.review, review, GET_MS);
    log(`TokenReviews/s: ${fmt(result(f.review).rate)}`);
    return f;
  } finally {
    admin.close();
    sa?.close();
  }
}

const rate = (r: LoadResult) => `${fmt(r.rate)}/s`;
const lat = (r: LoadResult) => `p50 ${fmt(r.latencyMs.p50)} ms, p99 ${fmt(r.latencyMs.p99)} ms`;
const errs = (r: LoadResult) => (r.errors > 0 ? ` [${r.errors} errors: ${(r.firstError ?? '').slice(0, 160)}]` : '');

/** server CPU seconds per successful request */
const perOp = (t: Tally) => (merged(t)?.serverCpuS ?? Number.NaN) / t.ok;

function rows(f: AuthFigures): Row[] {
  const sc = `A1. pod creates (~3.5 KB pod JSON), ${CLIENTS} clients, rounds ABBABAAB of ${fmt(CREATE_ROUND_MS / 1000, 1)} s (≤ ${fmt(CREATE_ROUND_MAX, 0)} pods), SQLite`;
  const sg = `A2. authentication: GET of one pod, ${CLIENTS} clients, rounds ABBABAAB of ${fmt(GET_ROUND_MS / 1000, 2)} s; TokenReview ${GET_MS / 1000} s`;
  const [ca, cs, ga, gs, tr] = [f.createAdmin, f.createSa, f.getAdmin, f.getSa, f.review].map(result) as [
    LoadResult,
    LoadResult,
    LoadResult,
    LoadResult,
    LoadResult,
  ];
  const ratio = cs.rate / ca.rate;
  const anchor = 'no upstream anchor: kube-apiserver publishes no per-authenticator figure';
  return [
    {
      section: sc,
      metric: 'admin (system:masters, static token)',
      value: `${rate(ca)} (${lat(ca)})${errs(ca)}`,
      anchor: 'privileged-group authorizer allows before RBAC',
    },
    { section: sc, metric: '  CPU', value: cpuNote(merged(f.createAdmin), ca.ok), anchor: '' },
    {
      section: sc,
      metric: 'ServiceAccount token, RBAC RoleBinding',
      value: `${rate(cs)} (${lat(cs)}) = ${fmt(ratio)} × admin${errs(cs)}`,
      anchor: 'Role create/get/list pods; the admin figure of this run',
      target: `≥ ${RATIO_TARGET} × admin = ${fmt(RATIO_TARGET * ca.rate)}/s`,
      met: ratio >= RATIO_TARGET && cs.errors === 0 && ca.errors === 0,
    },
    {
      section: sc,
      metric: '  CPU',
      value: `${cpuNote(merged(f.createSa), cs.ok)}; per op ${fmt(perOp(f.createSa) / perOp(f.createAdmin))} × admin's`,
      anchor: 'server CPU per create: less skewed by other work on the box than the rate',
    },
    { section: sg, metric: 'GETs/s, static bearer (admin) token', value: `${rate(ga)} (${lat(ga)})${errs(ga)}`, anchor },
    { section: sg, metric: '  CPU', value: cpuNote(merged(f.getAdmin), ga.ok), anchor: '' },
    {
      section: sg,
      metric: 'GETs/s, ServiceAccount JWT, RBAC',
      value: `${rate(gs)} (${lat(gs)}) = ${fmt(gs.rate / ga.rate)} × static${errs(gs)}`,
      anchor: `${anchor}; verified JWTs are cached 10 s (upstream's token cache likewise)`,
    },
    {
      section: sg,
      metric: '  CPU',
      value: `${cpuNote(merged(f.getSa), gs.ok)}; per op ${fmt(perOp(f.getSa) / perOp(f.getAdmin))} × static's`,
      anchor: '',
    },
    {
      section: sg,
      metric: 'TokenReviews/s of the SA token (by admin)',
      value: `${rate(tr)} (${lat(tr)}) = ${fmt(tr.rate / ga.rate)} × static GETs${errs(tr)}`,
      anchor: `${anchor}; POST → 201, the cached verdict`,
    },
    { section: sg, metric: '  CPU', value: cpuNote(merged(f.review), tr.ok), anchor: '' },
  ];
}

function printProfile(profDir: string, pid: number, meter: PhaseMeter): void {
  const out = process.stdout;
  const file = readdirSync(profDir).find((n) => n.endsWith('.cpuprofile') && n.includes(`.${pid}.`));
  if (!file) {
    out.write(`no CPU profile was written in ${profDir}\n`);
    return;
  }
  const keep = join(tmpdir(), `tandem-bench-auth-${pid}.cpuprofile`);
  copyFileSync(join(profDir, file), keep);
  const prof = loadProfile(keep);
  out.write(`\n${renderProfile('CPU profile of the auth server, whole run', summarizeProfile(prof, 15), 15)}\n`);
  for (const name of ['creates admin #1', 'creates sa #2', 'GETs admin #1', 'GETs sa #2', 'TokenReviews']) {
    const p = meter.get(name);
    if (p && p.fromUs >= prof.startTime && p.toUs <= prof.endTime)
      out.write(`\n${renderProfile(`phase "${name}"`, summarizeProfile(prof, 12, p), 12)}\n`);
  }
  out.write(`\nprofile kept at ${keep}\n`);
}

/** `npm run bench` phase `auth` (BENCH_ONLY=auth runs it alone). */
export async function runAuthPhase(): Promise<void> {
  if (!wanted('auth')) return;
  const root = mkdtempSync(join(tmpdir(), 'tandem-bench-auth-'));
  const profDir = process.env['BENCH_PROF'] ? join(root, 'prof') : undefined;
  if (profDir) mkdirSync(profDir);
  const machine = describeMachine(root);
  const meter = createPhaseMeter();
  try {
    const s = await startTandem({
      dataDir: join(root, 'server'),
      controllers: ['serviceaccount'],
      ...(profDir ? { cpuProfDir: profDir } : {}),
    });
    let f: AuthFigures;
    try {
      f = await measure(meter, s);
    } finally {
      await s.stop(30_000);
    }
    const table = rows(f);
    const out = process.stdout;
    out.write('\nAuthorization and ServiceAccount authentication benchmark (issue 13)\n');
    out.write(
      `machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average at start ${machine.load}, at end ${loadText()}\n`,
    );
    out.write(
      '`tandem server --controllers serviceaccount`: RBAC, ServiceAccount admission (projected token volume on every pod), PodSecurity; both identities create the same pod in namespaces made the same way\n\n',
    );
    out.write(`${renderTable(table)}\n\n${renderTargets(table)}\n`);
    if (profDir) printProfile(profDir, s.pid, meter);
  } finally {
    if (process.env['BENCH_KEEP']) log(`data kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}
