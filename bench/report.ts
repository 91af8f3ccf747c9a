// The figures table: each Tandem figure with the upstream / same-box anchor beside it, and the
// target from the issue with ✓ or ✗.

export interface Row {
  section: string;
  metric: string;
  value: string;
  anchor: string;
  target?: string;
  met?: boolean;
}

function pad(s: string, w: number): string {
  // count code points so ✓/✗/≥ do not skew the columns
  const len = [...s].length;
  return len >= w ? s : s + ' '.repeat(w - len);
}

function wrapText(s: string, w: number): string[] {
  const indent = /^ */.exec(s)?.[0] ?? '';
  const out: string[] = [];
  let line = indent;
  s = s.slice(indent.length);
  for (const word of s.split(' ')) {
    if (line.trim() && [...line].length + 1 + [...word].length > w) {
      out.push(line);
      line = word;
    } else line = line.trim() ? `${line} ${word}` : line + word;
  }
  if (line) out.push(line);
  return out.length > 0 ? out : [''];
}

export function renderTable(rows: readonly Row[]): string {
  const cols = [
    { head: 'measurement', w: 40, get: (r: Row) => r.metric },
    { head: 'tandem', w: 36, get: (r: Row) => r.value },
    { head: 'anchor / ceiling', w: 44, get: (r: Row) => r.anchor },
    { head: 'target', w: 24, get: (r: Row) => (r.target ? `${r.met === undefined ? ' ' : r.met ? '✓' : '✗'} ${r.target}` : '') },
  ];
  const lines: string[] = [];
  const rule = cols.map((c) => '-'.repeat(c.w)).join('-+-');
  lines.push(cols.map((c) => pad(c.head, c.w)).join(' | '), rule);
  let section = '';
  for (const r of rows) {
    if (r.section !== section) {
      section = r.section;
      lines.push(`[${section}]`);
    }
    const cells = cols.map((c) => wrapText(c.get(r), c.w));
    const height = Math.max(...cells.map((c) => c.length));
    for (let i = 0; i < height; i++)
      lines.push(
        cols
          .map((c, j) => pad(cells[j]?.[i] ?? '', c.w))
          .join(' | ')
          .trimEnd(),
      );
  }
  return lines.join('\n');
}

export function renderTargets(rows: readonly Row[]): string {
  const t = rows.filter((r) => r.target !== undefined && r.met !== undefined);
  const met = t.filter((r) => r.met).length;
  const lines = [`targets met: ${met}/${t.length}`];
  for (const r of t) lines.push(`  ${r.met ? '✓' : '✗'} ${r.metric}: ${r.value} (target ${r.target})`);
  return lines.join('\n');
}
