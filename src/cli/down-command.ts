// `tandem down [--purge] [--data-dir D]`: the end of a node's lifecycle, registered here so main.ts
// keeps to wiring; the work is in down/ (plan.ts decides, run-down.ts does, one progress line a step).
// Exit status 1 when a step failed (what failed is said above it); running it again is harmless.

import type { Command } from 'commander';
import { resolveDataDir } from './data-dir.js';
import type { Progress } from './progress.js';

export function registerDownCommand(
  program: Command,
  io: { progress: () => Progress; log: (line: string) => void; fail: (e: unknown) => never },
): void {
  program
    .command('down')
    .description(
      "stops the node of a data dir (a running tandem up first) and its pods, and removes what up made on this host: bridge, routes, nftables tables, mounts, cgroups, containerd's state; --purge: the data dir too",
    )
    .option('--data-dir <dir>', 'the Tandem to take down (default $TANDEM_HOME, else ~/.tandem; %ProgramData%\\tandem on Windows)')
    .option('--purge', 'also delete the data dir (the cluster store, certificates, images)', false)
    .option('--stop-timeout <seconds>', 'how long a running tandem up gets to stop on SIGTERM before it is killed', '30')
    .action(async (o: { dataDir?: string; purge: boolean; stopTimeout: string }) => {
      const secs = Number(o.stopTimeout);
      if (!/^\d+$/.test(o.stopTimeout) || secs < 1)
        io.fail(`--stop-timeout ${JSON.stringify(o.stopTimeout)}: must be a whole number of seconds (1 or more)`);
      const dataDir = resolveDataDir(o.dataDir);
      const { runDown } = await import('./down/run-down.js');
      io.log(`taking down the Tandem of ${dataDir}${o.purge ? ' (and removing it)' : ''}`);
      const r = await runDown({ dataDir, purge: o.purge, progress: io.progress(), stopWaitMs: secs * 1000 }).catch(io.fail);
      for (const k of r.kept) io.log(`left in place: ${k}`);
      io.log(
        r.failed
          ? `down: ${r.failed} step(s) failed (see above); running tandem down again retries them`
          : `down: done (${r.done} step(s))`,
      );
      if (r.failed) process.exitCode = 1;
    });
}
