// Wall-clock arithmetic in an IANA time zone through Intl, following Go's time package where cron
// schedules depend on it: the fields of an instant in a zone, and Go's time.Date for turning fields
// back into an instant (overflowing fields normalise; a wall time skipped by a DST change lands one
// offset early, an ambiguous one takes the first, earlier-offset-wise, occurrence as Go does).

export interface WallTime {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` names a time zone Intl knows (IANA names such as `Europe/Berlin`, or `UTC`). */
export function isKnownTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The process's own zone (the TZ environment variable, else the system's): Go's time.Local. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The fields of instant `ms` on the wall clocks of `zone`. */
export function wallTime(ms: number, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const year = parts.year ?? 1970,
    month = parts.month ?? 1,
    day = parts.day ?? 1;
  return {
    year,
    month,
    day,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** Offset of `zone` from UTC at instant `ms`, in ms (east positive). */
export function zoneOffset(ms: number, zone: string): number {
  const w = wallTime(ms, zone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant of the given wall-clock fields in `zone`, as Go's time.Date: fields out of range
 * carry over (month 13 is January of the next year); the offset is first guessed from the wall time
 * read as UTC and corrected once if the resulting instant lies under another offset.
 */
export function zonedDate(year: number, month: number, day: number, hour: number, minute: number, second: number, zone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  let offset = zoneOffset(wall, zone);
  const other = zoneOffset(wall - offset, zone);
  if (other !== offset) offset = other;
  return wall - offset;
}
