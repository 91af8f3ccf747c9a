// Durations as Go's time.ParseDuration reads them on upstream's command lines (`--ttl 24h`,
// `1h30m`, `90s`, `500ms`, `0`): a sequence of decimal numbers each with a unit.

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of `text`; throws an Error naming `flag` and the accepted form. */
export function parseDuration(text: string, flag: string): number {
  const t = text.trim();
  if (t === '0') return 0;
  const part = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
  let ms = 0;
  let i = 0;
  while (i < t.length) {
    part.lastIndex = i;
    const m = part.exec(t);
    if (!m) break;
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    i = part.lastIndex;
  }
  if (t === '' || i !== t.length) {
    throw new Error(`${flag} ${JSON.stringify(text)}: not a duration (numbers with units h, m, s or ms, e.g. 24h, 1h30m, 90s; 0 for none)`);
  }
  return Math.round(ms);
}
