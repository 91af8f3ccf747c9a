// The `tandem` command line.

import { Command } from 'commander';
import { resolveDataDir } from './data-dir.js';
import { runServer } from './server-command.js';

function waitForSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (sig: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    process.stdout.write(`received ${sig}, shutting down\n`);
    stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name('tandem').description('Kubernetes-compatible orchestrator for mixed Linux and Windows fleets');

  program.command('server')
    .description('control plane only: API server, scheduler and controllers')
    .option('--data-dir <dir>', 'state directory (default $TANDEM_HOME or ~/.tandem)')
    .option('--listen <host:port>', 'address to serve the API on', '127.0.0.1:6443')
    .option('--store <spec>', 'storage backend: sqlite (in the data dir), sqlite:PATH or memory', 'sqlite')
    .action(async (o: { dataDir?: string; listen: string; store: string }) => {
      const dataDir = resolveDataDir(o.dataDir);
      const s = await runServer({ dataDir, listen: o.listen, store: o.store });
      process.stdout.write(`admin kubeconfig: ${s.kubeconfig}\n  kubectl --kubeconfig ${s.kubeconfig} get ns\n`);
      waitForSignal(() => s.stop());
    });

  program.command('up')
    .description('all-in-one: control plane plus a node agent for this host')
    .option('--data-dir <dir>', 'state directory (default $TANDEM_HOME or ~/.tandem)')
    .option('--listen <host:port>', 'address to serve the API on', '127.0.0.1:6443')
    .action(async (o: { dataDir?: string; listen: string }) => {
      const dataDir = resolveDataDir(o.dataDir);
      const s = await runServer({ dataDir, listen: o.listen });
      process.stdout.write('note: the node agent is not built yet, so `tandem up` runs the control plane alone (no pods will run).\n');
      process.stdout.write(`admin kubeconfig: ${s.kubeconfig}\n  export KUBECONFIG=${s.kubeconfig}\n  kubectl get ns\n`);
      waitForSignal(() => s.stop());
    });

  await program.parseAsync(argv);
}
