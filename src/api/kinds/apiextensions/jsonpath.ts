// The JSONPath subset that CRD printer columns and scale paths use: `.spec.replicas`, `.items[0].x`,
// `.items[*].name`, `.status.conditions[?(@.type=="Ready")].status`, optionally wrapped in `{}`.
// Compiled once per column; evaluation returns every match (a table cell shows the first, or all).

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: unknown };

export type JsonPath = readonly Step[];

/** Parses `expr`; throws an Error with a message that says what is wrong. */
export function parseJsonPath(expr: string): JsonPath {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      i++;
      let j = i;
      while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
      const name = s.slice(i, j);
      if (name === '') {
        if (j >= s.length && steps.length === 0) break; // `.` alone: the object itself
        throw new Error(`empty field name at position ${i}`);
      }
      steps.push(name === '*' ? { kind: 'all' } : { kind: 'field', name });
      i = j;
    } else if (c === '[') {
      const end = closing(s, i);
      const inner = s.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'[^']*'$|^"[^"]*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else if (inner.startsWith('?(') && inner.endsWith(')')) steps.push(parseFilter(inner.slice(2, -1).trim()));
      else throw new Error(`unsupported subscript [${inner}]`);
    } else {
      throw new Error(`unexpected character ${JSON.stringify(c)} at position ${i}; paths start with "."`);
    }
  }
  return steps;
}

function closing(s: string, open: number): number {
  let depth = 0;
  let quote: string | undefined;
  for (let k = open; k < s.length; k++) {
    const ch = s[k];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) return k;
  }
  throw new Error('unterminated [');
}

function parseFilter(f: string): Step {
  const m = /^@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(.+)$/.exec(f);
  if (!m) throw new Error(`unsupported filter ?(${f})`);
  const raw = m[3]!.trim();
  let value: unknown;
  if (/^'.*'$/.test(raw)) value = raw.slice(1, -1);
  else {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new Error(`unsupported filter value ${raw}`);
    }
  }
  return { kind: 'filter', path: m[1]!.slice(1).split('.'), op: m[2] as '==' | '!=', value };
}

const isRec = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every value the path reaches in `root`. */
export function evalJsonPath(path: JsonPath, root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const step of path) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (step.kind) {
        case 'field':
          if (isRec(v) && v[step.name] !== undefined) next.push(v[step.name]);
          break;
        case 'index':
          if (Array.isArray(v)) {
            const x: unknown = v[step.index < 0 ? v.length + step.index : step.index];
            if (x !== undefined) next.push(x);
          }
          break;
        case 'all':
          if (Array.isArray(v)) next.push(...(v as unknown[]));
          else if (isRec(v)) next.push(...Object.values(v));
          break;
        case 'filter':
          if (Array.isArray(v))
            for (const item of v as unknown[]) {
              let x: unknown = item;
              for (const p of step.path) x = isRec(x) ? x[p] : undefined;
              const eq = x === step.value;
              if ((step.op === '==') === eq) next.push(item);
            }
          break;
      }
    }
    cur = next;
  }
  return cur;
}
