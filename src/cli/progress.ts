// Progress of the long waits of a start (`tandem up`, `tandem agent`): building the pod sandbox image,
// containerd coming up, the control plane giving the node its pod range, the node registering. On a
// terminal one live status line (a spinner, what is awaited, seconds so far) is redrawn in place and
// log lines are written above it; elsewhere (a pipe, a log file, a service) only plain whole lines,
// and only for a wait that lasts, so that a quick start logs nothing extra. A wait that takes
// unusually long says so once, with what it is waiting for and what to check.

import type { Clock } from '../base/clock.js';
import { realClock } from '../base/clock.js';

/** Where the status goes: process.stdout, or anything that takes whole lines (isTTY false). */
interface StatusStream {
  isTTY?: boolean;
  /** the terminal's width: the status line is cut to fit (a wrapped line cannot be redrawn) */
  columns?: number;
  write(text: string): unknown;
}

interface StepOptions {
  /** after this long, say once that it is taking unusually long (default 30 s) */
  slowAfterMs?: number;
  /** what to check when it does: appended to that message */
  slowHint?: string;
}

export interface Progress {
  /** Runs `run`, showing `what` (e.g. "starting containerd") as awaited until it settles; returns or throws as it does. */
  step<T>(what: string, run: () => Promise<T>, o?: StepOptions): Promise<T>;
  /** Writes one whole line (a log line) without breaking the status line. */
  line(text: string): void;
}

export interface ProgressOptions {
  out: StatusStream;
  clock?: Clock;
  /** not on a terminal: a wait is announced only when it lasts this long (default 2 s) */
  quietMs?: number;
  /** on a terminal: how often the status line is redrawn (default 100 ms) */
  tickMs?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const CLEAR = '\r\x1b[2K';

const seconds = (ms: number) => (ms < 10_000 ? (ms / 1000).toFixed(1) : String(Math.round(ms / 1000)));

interface Active {
  what: string;
  started: number;
  announced: boolean;
}

/** A Progress writing to `out` (see the file comment for how a terminal and a plain stream differ). */
export function createProgress(o: ProgressOptions): Progress {
  const clock = o.clock ?? realClock;
  const tty = o.out.isTTY === true;
  const quietMs = o.quietMs ?? 2000;
  const tickMs = o.tickMs ?? 100;
  // steps may overlap (one awaited inside another): the newest is the one shown
  const active: Active[] = [];
  let frame = 0;
  let drawn = false;
  let cancelTick: (() => void) | undefined;

  const statusText = (a: Active): string => {
    const elapsed = clock.now() - a.started;
    const text = `${FRAMES[frame % FRAMES.length]} ${a.what}…${elapsed >= 1000 ? ` ${Math.floor(elapsed / 1000)} s` : ''}`;
    // a pseudo-terminal without a size says 0 columns
    const width = (o.out.columns && o.out.columns >= 20 ? o.out.columns : 80) - 1;
    return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
  };
  const draw = () => {
    const a = active[active.length - 1];
    if (!tty || !a) return;
    o.out.write(`${CLEAR}${statusText(a)}`);
    drawn = true;
  };
  const clear = () => {
    if (drawn) o.out.write(CLEAR);
    drawn = false;
  };
  const tick = () => {
    frame++;
    draw();
    cancelTick = clock.schedule(tick, tickMs);
  };
  const line = (text: string) => {
    clear();
    o.out.write(`${text}\n`);
    draw();
  };

  return {
    line,
    async step(what, run, so = {}) {
      const a: Active = { what, started: clock.now(), announced: false };
      active.push(a);
      const timers: Array<() => void> = [];
      if (tty) {
        if (!cancelTick) cancelTick = clock.schedule(tick, tickMs);
        draw();
      } else {
        timers.push(
          clock.schedule(() => {
            a.announced = true;
            line(`${what}…`);
          }, quietMs),
        );
      }
      const slowAfterMs = so.slowAfterMs ?? 30_000;
      timers.push(
        clock.schedule(() => {
          a.announced = true;
          line(`still ${what} after ${seconds(clock.now() - a.started)} s${so.slowHint ? `: ${so.slowHint}` : ''}`);
        }, slowAfterMs),
      );
      const settle = (outcome: string) => {
        for (const cancel of timers) cancel();
        active.splice(active.indexOf(a), 1);
        if (active.length === 0) {
          cancelTick?.();
          cancelTick = undefined;
          clear();
        }
        const took = clock.now() - a.started;
        // a wait that was shown (or lasted) gets its end said; a quick one leaves no trace
        if (a.announced || (tty && took >= quietMs)) line(`${what}: ${outcome} after ${seconds(took)} s`);
        else draw();
      };
      try {
        const v = await run();
        settle('done');
        return v;
      } catch (e) {
        settle('failed');
        throw e;
      }
    },
  };
}

/** A Progress that shows nothing: steps simply run (library use, tests). */
export const silentProgress: Progress = {
  step: (_what, run) => run(),
  line: () => undefined,
};
