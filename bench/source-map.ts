// Maps a position in compiled dist/…/x.js back to its TypeScript source through x.js.map, so that
// profile hot spots name src/…/x.ts:line. Only what tsc emits is handled (one source per map).

import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';

type Segment = [genCol: number, srcIdx: number, srcLine: number, srcCol: number];
interface Loaded {
  sources: string[];
  lines: Segment[][];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map<string, number>([...B64].map((c, i) => [c, i]));

function decodeVlq(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of text) {
    const d = DIGIT.get(ch) ?? 0;
    value += (d & 31) << shift;
    if (d & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return out;
}

function parse(mapFile: string): Loaded {
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; sourceRoot?: string; mappings: string };
  const base = dirname(mapFile);
  const sources = map.sources.map((s) => resolve(base, map.sourceRoot ?? '', s));
  const lines: Segment[][] = [];
  let srcIdx = 0;
  let srcLine = 0;
  let srcCol = 0;
  for (const lineText of map.mappings.split(';')) {
    const segs: Segment[] = [];
    let genCol = 0;
    for (const seg of lineText.split(',')) {
      if (!seg) continue;
      const v = decodeVlq(seg);
      genCol += v[0] ?? 0;
      if (v.length >= 4) {
        srcIdx += v[1] ?? 0;
        srcLine += v[2] ?? 0;
        srcCol += v[3] ?? 0;
        segs.push([genCol, srcIdx, srcLine, srcCol]);
      }
    }
    lines.push(segs);
  }
  return { sources, lines };
}

const cache = new Map<string, Loaded | null>();

/** "src/x.ts:42" for a 0-based line/column in `jsFile`, or undefined when there is no map. */
export function originalPosition(jsFile: string, line: number, column: number, repo: string): string | undefined {
  const mapFile = `${jsFile}.map`;
  let m = cache.get(mapFile);
  if (m === undefined) {
    m = existsSync(mapFile) ? parse(mapFile) : null;
    cache.set(mapFile, m);
  }
  if (!m) return undefined;
  // the segment at or before the column; if the line has none before it, the first one of the line
  const segs = m.lines[line] ?? [];
  let best: Segment | undefined;
  for (const s of segs) {
    if (s[0] <= column) best = s;
    else break;
  }
  best ??= segs[0];
  if (!best) return undefined;
  const src = m.sources[best[1]];
  return src ? `${relative(repo, src)}:${best[2] + 1}` : undefined;
}
