// Time formats of the Kubernetes API: `Time` is RFC 3339 in UTC with whole seconds
// (`2024-01-01T00:00:00Z`), `MicroTime` has exactly six fractional digits (`...00.000000Z`).

import { badRequest } from './errors.js';

const toDate = (d: Date | number): Date => (typeof d === 'number' ? new Date(d) : d);

function checkValid(d: Date): Date {
  if (Number.isNaN(d.getTime())) throw badRequest('invalid time value');
  return d;
}

/** `2024-01-01T00:00:00Z`: UTC, fractional seconds dropped (truncated, as upstream marshals metav1.Time). */
export function rfc3339(date: Date | number): string {
  const iso = checkValid(toDate(date)).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return `${iso.slice(0, 19)}Z`;
}

/** `2024-01-01T00:00:00.123000Z`: UTC with exactly six fractional digits (JavaScript dates hold milliseconds). */
export function microTime(date: Date | number): string {
  const iso = checkValid(toDate(date)).toISOString();
  return `${iso.slice(0, 23)}000Z`;
}

// Upstream accepts RFC 3339 with any offset and optional fractional seconds of any length.
const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

function parseWith(s: string, layout: string): Date {
  const m = RFC3339_RE.exec(s);
  const fail = () =>
    badRequest(`parsing time ${JSON.stringify(s)} as ${JSON.stringify(layout)}: cannot parse ${JSON.stringify(s)} as RFC 3339`);
  if (!m) throw fail();
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d),
    hour = Number(h),
    min = Number(mi),
    second = Number(sec);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysIn = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  if (month < 1 || month > 12 || day < 1 || day > daysIn || hour > 23 || min > 59 || second > 59) throw fail();
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMin = 0;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) throw fail();
    offsetMin = sign * (oh * 60 + om);
  }
  const out = new Date(0);
  out.setUTCFullYear(year, month - 1, day); // not Date.UTC: it maps years 0-99 to 1900-1999
  out.setUTCHours(hour, min, second, ms);
  return new Date(out.getTime() - offsetMin * 60_000);
}

/** Parses a `Time` (RFC 3339; a fraction and any offset are accepted). Throws BadRequest when malformed. */
export function parseRfc3339(s: string): Date {
  return parseWith(s, '2006-01-02T15:04:05Z07:00');
}

/** Parses a `MicroTime` (RFC 3339 with a fraction, or without). Sub-millisecond digits are dropped. */
export function parseMicroTime(s: string): Date {
  return parseWith(s, '2006-01-02T15:04:05.000000Z07:00');
}
