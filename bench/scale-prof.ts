// Where the scale server's CPU time goes, by area (HTTP/TLS, JSON, store, watch, controllers, scheduler,
// ...): each profile sample is charged to an area by its own frame when that is a well-known native or
// node-internal piece (JSON, TLS, GC), otherwise by the nearest project frame's folder.

import { selfTimes, type loadProfile, type Window } from './prof-top.js';

type CpuProfile = ReturnType<typeof loadProfile>;
type Node = CpuProfile['nodes'][number];

const AREAS: [RegExp, string][] = [
  [/\/src\/apiserver\/handlers\/watch|\/src\/storage\/watch-hub/, 'watch (API side)'],
  [/\/src\/storage\//, 'store'],
  [/\/src\/apiserver\/registry\//, 'store facade (registry)'],
  [/\/src\/scheduler\//, 'scheduler'],
  [/\/src\/controllers\//, 'controllers'],
  [/\/src\/client\/informer|\/src\/client\/index-store|\/src\/client\/watch/, 'informers (control loops)'],
  [/\/src\/client\//, 'REST client (control loops)'],
  [/\/src\/apiserver\/(auth|authn|authz|admission|flowcontrol)/, 'auth / admission / fairness'],
  [/\/src\/apiserver\//, 'API handlers'],
  [/\/src\/api\//, 'API types, defaults, validation'],
  [/\/src\/base\//, 'base (work queue, clock, log)'],
  [/\/src\/cli\//, 'cli wiring'],
];

function nativeArea(n: Node): string | undefined {
  const { functionName: f, url } = n.callFrame;
  if (f === '(garbage collector)') return 'GC';
  if (f === '(program)') return 'V8/runtime (program)';
  if (!url && /^(parse|stringify|JSONParse|JSONStringify)$/.test(f)) return 'JSON';
  if (/node:(_tls|tls|_http|http|https|net|internal\/(tls|http|stream|streams|net))/.test(url)) return 'HTTP/TLS';
  return undefined;
}

export interface AreaShare {
  area: string;
  ms: number;
  share: number;
}

/** Busy time per area (idle excluded), largest first; `window` cuts one phase out of the profile. */
export function areaShares(prof: CpuProfile, window?: Window): AreaShare[] {
  const { byId, parent, self } = selfTimes(prof, window);
  const areas = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n || n.callFrame.functionName === '(idle)') continue;
    busy += ms;
    let area = nativeArea(n);
    for (let up: Node | undefined = n; !area && up; up = byId.get(parent.get(up.id) ?? -1)) {
      const url = up.callFrame.url;
      if (url.includes('/dist/src/')) area = AREAS.find(([re]) => re.test(url))?.[1] ?? 'other project code';
      else if (url.includes('better-sqlite3')) area = 'store';
    }
    area ??= 'node internals, no project frame';
    areas.set(area, (areas.get(area) ?? 0) + ms);
  }
  return [...areas].map(([area, ms]) => ({ area, ms, share: busy > 0 ? ms / busy : 0 })).sort((a, b) => b.ms - a.ms);
}

export function renderAreas(title: string, shares: readonly AreaShare[]): string {
  const busy = shares.reduce((a, s) => a + s.ms, 0);
  return [
    `${title}: busy ${(busy / 1000).toFixed(1)} s, by area (a sample goes to JSON/TLS/GC by its own frame, else to the nearest project frame's folder)`,
    ...shares.map((s) => `    ${(100 * s.share).toFixed(1).padStart(5)}%  ${s.ms.toFixed(0).padStart(8)} ms  ${s.area}`),
  ].join('\n');
}
