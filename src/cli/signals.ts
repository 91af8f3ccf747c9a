// Stopping a long-running command gracefully on the signals its OS sends. Linux: SIGINT (Ctrl-C) and
// SIGTERM. Windows has no signals; Node maps console events onto them: Ctrl-C → SIGINT, Ctrl-Break →
// SIGBREAK, closing the console window → SIGHUP (Windows ends the process about 10 s later whatever
// it does). A service wrapper such as NSSM stops its program with Ctrl-C first.

type LineWriter = (line: string) => void;

export function stopSignals(platform: NodeJS.Platform = process.platform): NodeJS.Signals[] {
  return platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] : ['SIGINT', 'SIGTERM'];
}

/** What a long-running command stops on a stop signal. */
export interface StopSignals {
  /** Hands over the stop of what has started; a signal that came during the start runs it at once. */
  stopWith(stop: () => Promise<void>): void;
}

/**
 * Catches the stop signals from now on, so that a signal during a start does not kill the process
 * half-way (a store's lock, a half-made data dir): it is kept until `stopWith` says what to stop. The
 * stop exits 0 when it is done (1 when it fails or takes over 20 s); a second signal exits at once.
 */
export function catchStopSignals(log: LineWriter, platform: NodeJS.Platform = process.platform): StopSignals {
  let stop: (() => Promise<void>) | undefined;
  let pending: string | undefined;
  let stopping = false;
  const run = (sig: string, fn: () => Promise<void>) => {
    stopping = true;
    log(`received ${sig}, shutting down`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    fn().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`shutdown failed: ${String(e)}`);
        process.exit(1);
      },
    );
  };
  const onSignal = (sig: string) => {
    if (stopping || pending) process.exit(1);
    if (stop) return run(sig, stop);
    pending = sig;
    log(`received ${sig} while starting: stopping as soon as the start is done (again to quit at once)`);
  };
  for (const sig of stopSignals(platform)) process.on(sig, () => onSignal(sig));
  return {
    stopWith(fn) {
      stop = fn;
      if (pending && !stopping) run(pending, fn);
    },
  };
}

/** Runs stop() on the first stop signal (see catchStopSignals). */
export function waitForSignal(stop: () => Promise<void>, log: LineWriter, platform: NodeJS.Platform = process.platform): void {
  catchStopSignals(log, platform).stopWith(stop);
}
