// The next activation of a cron schedule after an instant, walked on the wall clock of a time zone
// the way robfig/cron v3 (upstream's CronJob controller) walks it: months, then days, then hours,
// then minutes, with hours and minutes stepped in absolute time. So across DST, a wall time skipped
// in spring does not run that day, and one repeated in autumn runs twice (once per offset).

import type { CronField, CronSchedule } from './cron-parse.js';
import { wallTime, zonedDate } from './zoned-time.js';

const has = (f: CronField, v: number) => f.values.has(v);

type Spec = Extract<CronSchedule, { kind: 'spec' }>;

function dayMatches(s: Spec, dom: number, dow: number): boolean {
  const d = has(s.dom, dom),
    w = has(s.dow, dow);
  // a restriction on both day fields means either may match (classic cron); a star in one means both must
  return s.dom.star || s.dow.star ? d && w : d || w;
}

const HOUR = 3_600_000,
  MINUTE = 60_000;

/**
 * The first activation strictly after `afterMs` (ms since the epoch, truncated to whole seconds
 * first), in `zone` unless the schedule names its own; undefined when none exists within five
 * years (a date like 31 February).
 */
export function nextActivation(schedule: CronSchedule, afterMs: number, zone: string): number | undefined {
  if (schedule.kind === 'every') return Math.floor(afterMs / 1000) * 1000 + schedule.seconds * 1000;
  const s = schedule;
  const tz = s.zone ?? zone;
  let t = Math.floor(afterMs / 1000) * 1000 + 1000;
  let w = wallTime(t, tz);
  let added = false;
  const yearLimit = w.year + 5;
  const truncate = (fn: () => number) => {
    if (!added) {
      added = true;
      t = fn();
    }
  };
  for (;;) {
    w = wallTime(t, tz);
    if (w.year > yearLimit) return undefined;
    let wrapped = false;
    while (!has(s.month, w.month)) {
      truncate(() => zonedDate(w.year, w.month, 1, 0, 0, 0, tz));
      w = wallTime(t, tz);
      t = zonedDate(w.year, w.month + 1, w.day, w.hour, w.minute, w.second, tz);
      w = wallTime(t, tz);
      if (w.month === 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!dayMatches(s, w.day, w.weekday)) {
      truncate(() => zonedDate(w.year, w.month, w.day, 0, 0, 0, tz));
      w = wallTime(t, tz);
      t = zonedDate(w.year, w.month, w.day + 1, w.hour, w.minute, w.second, tz);
      w = wallTime(t, tz);
      // midnight may have moved by a DST change: back to it (or on to the next one)
      if (w.hour !== 0) {
        t += w.hour > 12 ? (24 - w.hour) * HOUR : -w.hour * HOUR;
        w = wallTime(t, tz);
      }
      if (w.day === 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!has(s.hour, w.hour)) {
      truncate(() => zonedDate(w.year, w.month, w.day, w.hour, 0, 0, tz));
      t += HOUR;
      w = wallTime(t, tz);
      if (w.hour === 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!has(s.minute, w.minute)) {
      truncate(() => Math.floor(t / MINUTE) * MINUTE);
      t += MINUTE;
      w = wallTime(t, tz);
      if (w.minute === 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    if (w.second !== 0) {
      // the standard parser fixes seconds at 0: on to the next minute, then check everything again
      truncate(() => Math.floor(t / 1000) * 1000);
      t += (60 - w.second) * 1000;
      continue;
    }
    return t;
  }
}
