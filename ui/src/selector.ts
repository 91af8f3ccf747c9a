// Label selectors matched in the page (equality and existence forms: `a=b,c!=d,e,!f`, and
// `k in (x,y)`), so one shared store per collection serves every filter without a new watch.

type Term = (labels: Record<string, string>) => boolean;

export function parseSelector(text: string): { match: Term } | { error: string } {
  const terms: Term[] = [];
  // split on commas outside parentheses
  const pieces = text.match(/([^,(]|\([^)]*\))+/g) ?? [];
  for (const raw of pieces) {
    const p = raw.trim();
    if (!p) continue;
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/))) {
      const [, k = '', op, v = ''] = m;
      terms.push(op === '!=' ? (l) => l[k] !== v : (l) => l[k] === v);
    } else if ((m = p.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const [, k = '', op, list = ''] = m;
      const vals = new Set(list.split(',').map((s) => s.trim()));
      terms.push(op === 'in' ? (l) => l[k] !== undefined && vals.has(l[k]) : (l) => l[k] === undefined || !vals.has(l[k]));
    } else if ((m = p.match(/^!([\w./-]+)$/))) {
      const k = m[1] ?? '';
      terms.push((l) => !(k in l));
    } else if ((m = p.match(/^([\w./-]+)$/))) {
      const k = m[1] ?? '';
      terms.push((l) => k in l);
    } else {
      return { error: `cannot read "${p}" as a label selector term (forms: a=b, a!=b, a, !a, a in (x,y))` };
    }
  }
  return { match: (labels) => terms.every((t) => t(labels)) };
}
