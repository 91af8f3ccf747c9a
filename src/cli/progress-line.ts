// Live status for long work in a one-shot command: on a terminal one line rewritten in place (a
// spinner and figures, at most ten times a second) above the lines that stay; elsewhere (a pipe, a
// CI log) only the lines that stay, so a log holds no carriage returns. Beside progress.ts (the
// awaited steps of a start, with their slow-wait hints): this one shows figures that change (bytes of
// a layer); the two share only the terminal's redraw, and a later change may fold them into one.

export interface ProgressLine {
  /** A line that stays. */
  line(text: string): void;
  /** The transient status (terminal only); replaced by the next status or line. */
  status(text: string): void;
  /** A step of unknown length: on a terminal a spinner and the seconds it has taken, until the next line; elsewhere a line. */
  spin(text: string): void;
  /** Clears the status and stops a spinner. */
  done(): void;
}

const FRAMES = ['|', '/', '-', '\\'];
const MIN_INTERVAL_MS = 100;

export function createProgressLine(out: { write(s: string): unknown; isTTY?: boolean } = process.stdout): ProgressLine {
  const tty = out.isTTY === true;
  let shown = false;
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const clear = () => {
    if (shown) out.write('\r\x1b[K');
    shown = false;
  };
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const draw = (text: string) => {
    clear();
    out.write(text);
    shown = true;
  };
  return {
    line(text) {
      stop();
      clear();
      out.write(`${text}\n`);
    },
    status(text) {
      if (!tty || timer) return;
      const now = Date.now();
      if (now - last < MIN_INTERVAL_MS) return;
      last = now;
      draw(text);
    },
    spin(text) {
      stop();
      if (!tty) return void out.write(`${text}\n`);
      const start = Date.now();
      let frame = 0;
      const tick = () => draw(`${text} ${FRAMES[frame++ % FRAMES.length]} ${Math.floor((Date.now() - start) / 1000)}s`);
      tick();
      timer = setInterval(tick, 250);
      timer.unref();
    },
    done() {
      stop();
      clear();
    },
  };
}

/** `1.2 MB`, `340 kB`, `12 B` (decimal units, as registries and docker show sizes). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  while (v >= 999.5 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
