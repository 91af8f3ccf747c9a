// Cron schedules as upstream's CronJob reads them (robfig/cron v3's standard parser): five fields
// minute hour day-of-month month day-of-week, each `*`, `?`, numbers, names (JAN..DEC, SUN..SAT,
// any case), ranges `a-b`, steps `*/n`, `a/n`, `a-b/n` and comma lists; the descriptors @yearly,
// @annually, @monthly, @weekly, @daily, @midnight, @hourly and `@every <duration>`; an optional
// leading `TZ=<zone>` or `CRON_TZ=<zone>`. Error messages are the library's, since upstream puts them
// in its validation errors verbatim.

import { isKnownTimeZone } from './zoned-time.js';

/** A field's allowed values as a set of numbers, plus whether it was a star. */
export interface CronField {
  values: ReadonlySet<number>;
  star: boolean;
}

export type CronSchedule =
  | {
      kind: 'spec';
      minute: CronField;
      hour: CronField;
      dom: CronField;
      month: CronField;
      dow: CronField;
      /** The zone from a TZ= / CRON_TZ= prefix; absent means the caller's zone. */
      zone?: string;
    }
  | { kind: 'every'; /** whole seconds, at least 1 */ seconds: number };

interface Bounds {
  min: number;
  max: number;
  names?: Readonly<Record<string, number>>;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const DAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const MINUTE: Bounds = { min: 0, max: 59 };
const HOUR: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTH: Bounds = { min: 1, max: 12, names: MONTHS };
const DOW: Bounds = { min: 0, max: 6, names: DAYS };

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

export class CronSyntaxError extends Error {}

/** Go's strconv.Atoi as the library uses it: an optional sign and decimal digits. */
function parseIntStrict(s: string): number {
  if (!/^[+-]?\d+$/.test(s))
    throw new CronSyntaxError(`failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n < 0) throw new CronSyntaxError(`negative number (${n}) not allowed: ${s}`);
  return n;
}

function valueOf(s: string, b: Bounds): number {
  const named = b.names?.[s.toLowerCase()];
  return named ?? parseIntStrict(s);
}

function parseRange(expr: string, b: Bounds, into: Set<number>): boolean {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  const single = lowAndHigh.length === 1;
  let start: number, end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = valueOf(lowAndHigh[0] ?? '', b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = valueOf(lowAndHigh[1] ?? '', b);
    else throw new CronSyntaxError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseIntStrict(rangeAndStep[1] ?? '');
    if (single) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) throw new CronSyntaxError(`too many slashes: ${expr}`);
  if (start < b.min) throw new CronSyntaxError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronSyntaxError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronSyntaxError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronSyntaxError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.add(v);
  return star;
}

function parseField(field: string, b: Bounds): CronField {
  const values = new Set<number>();
  let star = false;
  for (const expr of field.split(',')) if (parseRange(expr, b, values)) star = true;
  return { values, star };
}

/** Go's time.ParseDuration for `@every`, cut to whole seconds (at least 1 s) as the library does. */
function everySeconds(text: string, spec: string): number {
  const part = /([0-9]*(?:\.[0-9]*)?)(ns|us|µs|ms|s|m|h)/y;
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let t = text,
    sign = 1;
  if (t.startsWith('-') || t.startsWith('+')) {
    sign = t.startsWith('-') ? -1 : 1;
    t = t.slice(1);
  }
  let secs = 0,
    i = 0;
  const bad = () => new CronSyntaxError(`failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(text)}`);
  if (t === '0') return 1;
  if (t === '') throw bad();
  if (/^[0-9.]+$/.test(t))
    throw new CronSyntaxError(`failed to parse duration ${spec}: time: missing unit in duration ${JSON.stringify(text)}`);
  while (i < t.length) {
    part.lastIndex = i;
    const m = part.exec(t);
    if (!m || m[1] === '' || m[1] === '.') throw bad();
    secs += Number(m[1]) * (units[m[2] ?? ''] ?? 0);
    i = part.lastIndex;
  }
  // the library keeps whole seconds (dropping the fraction) and at least one
  const whole = Math.floor(sign * secs);
  return whole < 1 ? 1 : whole;
}

/** Parses a schedule; throws CronSyntaxError with the library's message. */
export function parseCron(text: string): CronSchedule {
  let spec = text;
  if (spec.length === 0) throw new CronSyntaxError('empty spec string');
  let zone: string | undefined;
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const sp = spec.indexOf(' ');
    const name = spec.slice(spec.indexOf('=') + 1, sp < 0 ? undefined : sp);
    if (!isKnownTimeZone(name)) throw new CronSyntaxError(`provided bad location ${name}: unknown time zone ${name}`);
    zone = name;
    spec = sp < 0 ? '' : spec.slice(sp).trim();
  }
  if (spec.startsWith('@')) {
    if (spec.startsWith('@every ')) return { kind: 'every', seconds: everySeconds(spec.slice('@every '.length), spec) };
    const expanded = DESCRIPTORS[spec];
    if (!expanded) throw new CronSyntaxError(`unrecognized descriptor: ${spec}`);
    spec = expanded;
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronSyntaxError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  const [mi, h, dom, mo, dow] = fields as [string, string, string, string, string];
  const s: CronSchedule = {
    kind: 'spec',
    minute: parseField(mi, MINUTE),
    hour: parseField(h, HOUR),
    dom: parseField(dom, DOM),
    month: parseField(mo, MONTH),
    dow: parseField(dow, DOW),
  };
  if (zone !== undefined) s.zone = zone;
  return s;
}
