// `tandem agent install-service` and `uninstall-service`: the agent as a Windows service, run through a wrapper.

import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_SERVICE_NAME, planServiceInstall } from './agent-service.js';
import { fail, log } from './cli-output.js';
import { resolveDataDir } from './data-dir.js';

export function registerAgentServiceCommands(agent: Command): void {
  agent
    .command('install-service')
    .description('register the agent as a Windows service, run through a service wrapper (NSSM or srvany)')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[flags...]', '--wrapper PATH\\nssm.exe --kubeconfig FILE [--service-name NAME] [agent flags: --data-dir, --node-name ...]')
    .action(async (flags: string[]) => {
      if (process.platform !== 'win32') fail('install-service registers a Windows service (on Linux, run `tandem agent` under systemd)');
      const script = process.argv[1];
      if (!script) fail('cannot tell where the tandem script is (process.argv[1] is empty)');
      const plan = (() => {
        try {
          return planServiceInstall(flags, { script: resolve(script), cwd: process.cwd(), defaultDataDir: resolveDataDir(undefined) });
        } catch (e) {
          return fail(e);
        }
      })();
      if (!existsSync(plan.wrapper)) fail(`the service wrapper ${plan.wrapper} does not exist`);
      mkdirSync(plan.dataDir, { recursive: true });
      const { installService } = await import('../agent/platform/index.js');
      const got = await installService({
        name: plan.name,
        displayName: 'Tandem node agent',
        description: 'Runs the Tandem node agent (tandem agent), which registers this host as a node and runs its pods.',
        wrapper: plan.wrapper,
        application: process.execPath,
        parameters: plan.parameters,
        directory: plan.dataDir,
      }).catch(fail);
      log(
        `service ${plan.name} registered (start: automatic): ${got.imagePath ?? plan.wrapper} runs ${process.execPath} ${got.appParameters ?? ''}`,
      );
      log(`log: ${plan.logFile}\nstart it with: sc start ${plan.name}`);
    });

  agent
    .command('uninstall-service')
    .description('stop and remove the Windows service of the agent')
    .option('--service-name <name>', 'the service to remove', DEFAULT_SERVICE_NAME)
    .action(async (o: { serviceName: string }) => {
      if (process.platform !== 'win32') fail('uninstall-service removes a Windows service');
      const { uninstallService } = await import('../agent/platform/index.js');
      await uninstallService(o.serviceName).catch(fail);
      log(`service ${o.serviceName} removed (its data dir and log are left in place)`);
    });
}
