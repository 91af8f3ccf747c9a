// Stopping a long-running command gracefully on the signals its OS sends. Linux: SIGINT (Ctrl-C) and
// SIGTERM. Windows has no signals; Node maps console events onto them: Ctrl-C → SIGINT, Ctrl-Break →
// SIGBREAK, closing the console window → SIGHUP (Windows ends the process about 10 s later whatever
// it does). A service wrapper such as NSSM stops its program with Ctrl-C first.

type LineWriter = (line: string) => void;

export function stopSignals(platform: NodeJS.Platform = process.platform): NodeJS.Signals[] {
  return platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] : ['SIGINT', 'SIGTERM'];
}

/**
 * Runs stop() on the first stop signal and exits 0 when it is done (1 when it fails or takes over
 * 20 s); a second signal exits at once.
 */
export function waitForSignal(stop: () => Promise<void>, log: LineWriter, platform: NodeJS.Platform = process.platform): void {
  let stopping = false;
  const onSignal = (sig: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    log(`received ${sig}, shutting down`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    stop().then(
      () => process.exit(0),
      (e: unknown) => {
        log(`shutdown failed: ${String(e)}`);
        process.exit(1);
      },
    );
  };
  for (const sig of stopSignals(platform)) process.on(sig, () => onSignal(sig));
}
