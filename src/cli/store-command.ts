// `tandem store migrate --from SPEC --to SPEC [--force]`: moves a stopped cluster's objects from one
// store to another, the way to grow from one machine (SQLite) to several (etcd). Only the flags here:
// the command's module (store-migrate-run.ts, which opens stores) loads when the command runs.
import type { Command } from 'commander';
import type { StoreMigrateFlags } from './store-migrate-run.js';

export function registerStoreCommands(program: Command, io: { log: (line: string) => void; fail: (e: unknown) => never }): void {
  const store = program.command('store').description('operations on the cluster’s store');
  store
    .command('migrate')
    .description('copy a stopped cluster’s objects to another store (sqlite:PATH → etcd://HOST:PORT,…), verified by count and checksum')
    .requiredOption('--from <spec>', 'the store to copy: sqlite (the data dir’s), sqlite:PATH or etcd://…')
    .requiredOption('--to <spec>', 'the store to fill: etcd://HOST:PORT[,HOST:PORT…][/PREFIX] or sqlite:PATH')
    .option('--force', 'delete what the target holds under /registry/ first (default: refuse a target that is not empty)')
    .option('--data-dir <dir>', 'the cluster’s data dir, for `sqlite` alone and the next steps (default $TANDEM_HOME, else ~/.tandem)')
    .option('--etcd-cafile <file>', 'CA of the etcd members’ serving certificates (https endpoints)')
    .option('--etcd-certfile <file>', 'client certificate for etcd')
    .option('--etcd-keyfile <file>', 'client key for etcd')
    .action(async (f: StoreMigrateFlags) => {
      const { runStoreMigrate, renderMigrateSummary } = await import('./store-migrate-run.js');
      const r = await runStoreMigrate(f).catch(io.fail);
      io.log(renderMigrateSummary(f, r));
    });
}
