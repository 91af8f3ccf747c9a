// `tandem plan upgrade` on the command line: its flags and help; the work is loaded on use
// (plan-command.ts), so other commands never load the planner.

import type { Command } from 'commander';
import type { PlanUpgradeFlags } from './plan-command.js';
import { PLAN_UPGRADE_DESCRIPTION, PLAN_UPGRADE_HELP } from './plan-help.js';

const collect = (v: string, all: string[]) => [...all, v];

export function registerPlanCommands(program: Command, io: { fail: (e: unknown) => never; insecureHelp: string }): void {
  program
    .command('plan')
    .description('plans that read the cluster and change nothing')
    .command('upgrade')
    .description(PLAN_UPGRADE_DESCRIPTION)
    .option('--kubeconfig <file>', "the cluster's kubeconfig (default: $KUBECONFIG, else the data dir's admin kubeconfig)")
    .option('--nodes <selector>', 'label selector of the nodes to upgrade (required), e.g. pool=win2019')
    .option('--to-build <version>', 'the Windows build they will run (required), e.g. 10.0.26100')
    .option('-o, --output <format>', 'table or json', 'table')
    .option('--from-image-index', 'judge images by every Windows build their indexes offer, not only the one each pod runs', false)
    .option('--insecure-registry <host>', io.insecureHelp, collect, [])
    .addHelpText('after', PLAN_UPGRADE_HELP)
    .action(async (o: PlanUpgradeFlags) => {
      const { runPlanUpgrade } = await import('./plan-command.js');
      const text = await runPlanUpgrade(o).catch(io.fail);
      // exit once written: a registry client's idle connections must not keep a one-shot command alive
      process.stdout.write(text, () => process.exit(0));
    });
}
