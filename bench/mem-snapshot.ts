// Summarises a V8 heap snapshot (.heapsnapshot, as written by bench/server-probe.ts with
// BENCH_PROBE_SNAPSHOT_DIR) without DevTools: self size and count by constructor, the strings held
// most often (the same value stored once per object is the usual per-object waste of parsed JSON),
// and the holders reached through a named property, so the big owners show up by name.
// Run: node dist/bench/mem-snapshot.js FILE [TOP]

import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: {
    meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

interface Group {
  key: string;
  count: number;
  bytes: number;
}

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);

/** The group an object counts in: its constructor for objects, its kind for the rest. */
function groupOf(type: string, name: string): string {
  if (type === 'object' || type === 'native') return name;
  if (STRING_TYPES.has(type)) return '(string)';
  if (type === 'closure') return '(closure)';
  if (type === 'hidden' || type === 'synthetic') return `(system) ${name.slice(0, 40)}`;
  return `(${type})`;
}

function top(m: Map<string, { count: number; bytes: number }>, n: number): Group[] {
  return [...m.entries()]
    .map(([key, v]) => ({ key, ...v }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, n);
}

interface Summary {
  totalBytes: number;
  nodes: number;
  byConstructor: Group[];
  /** strings by value: count and bytes of the copies (only values held more than once) */
  duplicateStrings: Group[];
  /** self size of what hangs directly off a property of that name (e.g. `metadata`, `managedFields`) */
  byProperty: Group[];
}

function summarize(s: Snapshot, n = 25): Summary {
  const nf = s.snapshot.meta.node_fields;
  const ef = s.snapshot.meta.edge_fields;
  const nodeTypes = s.snapshot.meta.node_types[0];
  const edgeTypes = s.snapshot.meta.edge_types[0];
  const NW = nf.length;
  const EW = ef.length;
  const iType = nf.indexOf('type');
  const iName = nf.indexOf('name');
  const iSize = nf.indexOf('self_size');
  const iEdges = nf.indexOf('edge_count');
  const eType = ef.indexOf('type');
  const eName = ef.indexOf('name_or_index');
  const eTo = ef.indexOf('to_node');
  const byCtor = new Map<string, { count: number; bytes: number }>();
  const strings = new Map<string, { count: number; bytes: number }>();
  const byProp = new Map<string, { count: number; bytes: number }>();
  const add = (m: Map<string, { count: number; bytes: number }>, k: string, b: number) => {
    const g = m.get(k);
    if (g) {
      g.count++;
      g.bytes += b;
    } else m.set(k, { count: 1, bytes: b });
  };
  let total = 0;
  const nodeCount = s.nodes.length / NW;
  for (let i = 0; i < s.nodes.length; i += NW) {
    const type = nodeTypes[s.nodes[i + iType] ?? 0] ?? '?';
    const name = s.strings[s.nodes[i + iName] ?? 0] ?? '';
    const size = s.nodes[i + iSize] ?? 0;
    total += size;
    add(byCtor, groupOf(type, name), size);
    if (type === 'string') add(strings, name.length > 60 ? `${name.slice(0, 60)}…(${name.length})` : name, size);
  }
  // what each named property points at, counted once per edge (an object with two named holders counts twice)
  let e = 0;
  for (let i = 0; i < s.nodes.length; i += NW) {
    const ec = s.nodes[i + iEdges] ?? 0;
    for (let k = 0; k < ec; k++, e += EW) {
      if (edgeTypes[s.edges[e + eType] ?? 0] !== 'property') continue;
      const to = s.edges[e + eTo] ?? 0;
      add(byProp, s.strings[s.edges[e + eName] ?? 0] ?? '?', s.nodes[to + iSize] ?? 0);
    }
  }
  for (const [k, v] of strings) if (v.count < 2) strings.delete(k);
  return {
    totalBytes: total,
    nodes: nodeCount,
    byConstructor: top(byCtor, n),
    duplicateStrings: top(strings, n),
    byProperty: top(byProp, n),
  };
}

const mb = (b: number) => (b / 2 ** 20).toFixed(1);

function render(title: string, g: Group[]): string {
  return [title, ...g.map((x) => `  ${mb(x.bytes).padStart(8)} MB ${String(x.count).padStart(9)}×  ${JSON.stringify(x.key)}`)].join('\n');
}

const file = process.argv[2];
if (file && process.argv[1]?.endsWith('mem-snapshot.js')) {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const sum = summarize(s, Number(process.argv[3] ?? '25'));
  process.stdout.write(`${file}: ${mb(sum.totalBytes)} MB in ${sum.nodes} objects\n\n`);
  process.stdout.write(`${render('self size by constructor', sum.byConstructor)}\n\n`);
  process.stdout.write(`${render('strings held more than once (all copies)', sum.duplicateStrings)}\n\n`);
  process.stdout.write(`${render('self size of the values of each property name', sum.byProperty)}\n`);
}
