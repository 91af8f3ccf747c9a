// Summarise a V8 .cpuprofile: self time by function (file:line), by file, and "attributed" time: each
// sample charged to its nearest project frame (dist/src/…), so time spent in node internals or native
// code (TLS writes, JSON, SQLite) lands on the project function that caused it. An optional time
// window (monotonic µs, the clock of process.hrtime) restricts it to one benchmark phase.
//   node dist/bench/prof-top.js FILE.cpuprofile [N]

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { relative } from 'node:path';
import { REPO } from './server-proc.js';
import { originalPosition } from './source-map.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

interface HotSpot {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}
export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  gcMs: number;
  functions: HotSpot[];
  files: HotSpot[];
  attributed: HotSpot[];
  inclusive: HotSpot[];
}
export interface Window {
  fromUs: number;
  toUs: number;
}

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const rel = path.startsWith('/') ? relative(REPO, path) : path;
  // compiled project files are named after their TypeScript source
  return /^dist\/(src|bench)\/.*\.js$/.test(rel) ? rel.slice('dist/'.length).replace(/\.js$/, '.ts') : rel;
}

const isProject = (url: string) => url.includes('/dist/src/');

export function loadProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}

/** A profile's nodes by id, each node's parent, and each node's self time in ms (within `window` if given). */
export function selfTimes(
  prof: CpuProfile,
  window?: Window,
): { byId: Map<number, ProfileNode>; parent: Map<number, number>; self: Map<number, number> } {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of prof.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const self = new Map<number, number>();
  let t = prof.startTime;
  for (let i = 0; i < prof.samples.length; i++) {
    const d = prof.timeDeltas[i] ?? 0;
    t += d;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    const id = prof.samples[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + d / 1000);
  }
  return { byId, parent, self };
}

export function summarizeProfile(prof: CpuProfile, top = 20, window?: Window): ProfileSummary {
  const { byId, parent, self } = selfTimes(prof, window);
  let totalMs = 0;
  let idleMs = 0;
  let gcMs = 0;
  const fn = new Map<string, HotSpot>();
  const files = new Map<string, HotSpot>();
  const attributed = new Map<string, HotSpot>();
  const inclusive = new Map<string, HotSpot>();
  const add = (m: Map<string, HotSpot>, key: string, name: string, where: string, ms: number) => {
    const h = m.get(key) ?? { name, where, selfMs: 0, share: 0 };
    h.selfMs += ms;
    m.set(key, h);
  };
  const whereOf = (cf: CallFrame) => {
    if (!cf.url) return '(native)';
    if (cf.url.startsWith('file://')) {
      const ts = originalPosition(fileURLToPath(cf.url), cf.lineNumber, cf.columnNumber, REPO);
      if (ts) return ts;
    }
    return `${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
  };
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    totalMs += ms;
    const cf = n.callFrame;
    if (cf.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    if (cf.functionName === '(garbage collector)') gcMs += ms;
    const where = whereOf(cf);
    add(fn, `${cf.functionName}@${where}`, cf.functionName || '(anonymous)', where, ms);
    add(files, shortUrl(cf.url), shortUrl(cf.url), shortUrl(cf.url), ms);
    // nearest project frame at or above this one
    let cur: ProfileNode | undefined = n;
    while (cur && !isProject(cur.callFrame.url)) cur = byId.get(parent.get(cur.id) ?? -1);
    if (cur)
      add(
        attributed,
        `${cur.callFrame.functionName}@${whereOf(cur.callFrame)}`,
        cur.callFrame.functionName || '(anonymous)',
        whereOf(cur.callFrame),
        ms,
      );
    else add(attributed, `(outside project code) ${cf.functionName}`, `${cf.functionName || '(anonymous)'} [no project frame]`, where, ms);
    // inclusive: every distinct project frame on the stack
    const seen = new Set<string>();
    for (let up: ProfileNode | undefined = n; up; up = byId.get(parent.get(up.id) ?? -1)) {
      if (!isProject(up.callFrame.url)) continue;
      const key = `${up.callFrame.functionName}@${whereOf(up.callFrame)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      add(inclusive, key, up.callFrame.functionName || '(anonymous)', whereOf(up.callFrame), ms);
    }
  }
  const busy = totalMs - idleMs;
  const rank = (m: Map<string, HotSpot>) =>
    [...m.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map((h) => ({ ...h, share: h.selfMs / busy }));
  return { totalMs, idleMs, gcMs, functions: rank(fn), files: rank(files), attributed: rank(attributed), inclusive: rank(inclusive) };
}

export function renderProfile(title: string, s: ProfileSummary, top = 20): string {
  const busy = s.totalMs - s.idleMs;
  const lines = [
    `${title}: wall ${(s.totalMs / 1000).toFixed(1)} s, busy ${(busy / 1000).toFixed(1)} s, GC ${(s.gcMs / 1000).toFixed(2)} s (${((100 * s.gcMs) / busy).toFixed(1)}% of busy)`,
  ];
  const list = (head: string, hs: HotSpot[], n: number) => {
    lines.push(`  ${head}`);
    for (const h of hs.slice(0, n))
      lines.push(`    ${(100 * h.share).toFixed(1).padStart(5)}%  ${h.selfMs.toFixed(0).padStart(7)} ms  ${h.name}  ${h.where}`);
  };
  list('self time by function (share of busy time):', s.functions, top);
  list('attributed to the nearest project frame (self + node/native below it):', s.attributed, top);
  list('inclusive time of project functions (callees included):', s.inclusive, top);
  list('self time by file:', s.files, Math.min(top, 10));
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const f = process.argv[2];
  if (!f) {
    process.stderr.write('usage: prof-top.js FILE.cpuprofile [N]\n');
    process.exit(2);
  }
  const n = Number(process.argv[3] ?? 25);
  process.stdout.write(`${renderProfile(f, summarizeProfile(loadProfile(f), n), n)}\n`);
}
