// The `tandem` command line: up, down, server, agent, join, token, sim, plan, version, status, images, doctor.

import { resolve } from 'node:path';
import { Command } from 'commander';
import { createLogger } from '../base/log.js';
import { addAgentFlags, INSECURE_HELP, type AgentFlags } from './agent-flags.js';
import { runAgent } from './agent-run.js';
import { registerAgentServiceCommands } from './agent-service-commands.js';
import { fail, log, logToFile, progress, waitForSignal } from './cli-output.js';
import {
  addFairnessFlags,
  fairnessOptions,
  type FairnessFlags,
  AUDIENCES_HELP,
  collect,
  CONTROL_LOOPS_HELP,
  dnsOptions,
  INSECURE_SERVER_HELP,
  CONTROLLERS_METRICS_HELP,
  metricsOptions,
  type MetricsFlags,
  ISSUER_HELP,
  networkOptions,
  tokenOptions,
  ALLOW_EMPTY_STORE_HELP,
  storeGuardOptions,
  type StoreGuardFlags,
  parseControlLoops,
  type ControlLoopsFlags,
  type DnsFlags,
  type NetworkFlags,
  type TokenFlags,
  JOIN_HELP,
  controlPlaneJoinOptions,
  type ControlPlaneJoinFlags,
  addEtcdFlags,
  etcdOptions,
  type EtcdFlags,
  UI_LISTEN_HELP,
  uiOptions,
  type UiFlags,
} from './control-plane-flags.js';
import { resolveDataDir } from './data-dir.js';
import { registerPlanCommands } from './plan/plan-register.js';
import { POD_SECURITY_DEFAULT_HELP, POD_SECURITY_EXEMPT_HELP, podSecurityOptions, type PodSecurityFlags } from './pod-security-flags.js';
import { registerReportCommands } from './report-commands.js';
import { registerImagesCommands } from './images-command.js';
import { registerJoinCommand } from './join-command.js';
import { registerTokenCommands } from './token-command.js';
import { registerDownCommand } from './down-command.js';
import { registerUpCommand } from './up-command.js';
import { registerStoreCommands } from './store-command.js';
import { registerUiCommand } from './ui-command.js';
import { catchStopSignals } from './signals.js';
import { simHelp } from '../agent/sim/flags/index.js';

// Each command loads only what it runs (an agent process never loads the API server or the
// simulator: that is memory a node pays for).
const serverModule = () => import('./server-command.js');
const kubeconfigModule = () => import('../client/kubeconfig.js');

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name('tandem').description('Kubernetes-compatible orchestrator for mixed Linux and Windows fleets');
  // options after a subcommand's name are the subcommand's (`agent install-service --kubeconfig ...`)
  program.enablePositionalOptions();

  addEtcdFlags(addFairnessFlags(program.command('server')))
    .description('control plane only: API server, scheduler and controllers')
    .option('--data-dir <dir>', 'state directory (default $TANDEM_HOME, else ~/.tandem; %ProgramData%\\tandem on Windows)')
    .option('--listen <host:port>', 'address to serve the API on', '127.0.0.1:6443')
    .option(
      '--store <spec>',
      'storage backend: sqlite (in the data dir), sqlite:PATH, memory or etcd://HOST:PORT[,HOST:PORT…][/PREFIX]',
      'sqlite',
    )
    .option('--controllers <list>', 'comma-separated components to run (default: all; "none" for the API alone)')
    .option('--control-loops <mode>', CONTROL_LOOPS_HELP, parseControlLoops)
    .option('--service-cidr <cidr>', 'the range Service ClusterIPs come from', '10.96.0.0/16')
    .option('--cluster-cidr <cidr>', 'the range node pod ranges (spec.podCIDR) come from', '10.42.0.0/16')
    .option('--node-cidr-mask-size <bits>', "prefix length of each node's pod range", '24')
    .option('--cluster-dns-listen <host:port>', 'where the cluster DNS server listens (default 0.0.0.0:1053; "none": no cluster DNS)')
    .option('--cluster-domain <domain>', 'the DNS domain of Services and pods', 'cluster.local')
    .option('--insecure-registry <host>', INSECURE_SERVER_HELP, collect, [])
    .option('--service-account-issuer <url>', ISSUER_HELP)
    .option('--api-audiences <list>', AUDIENCES_HELP)
    .option('--pod-security-default <policy>', POD_SECURITY_DEFAULT_HELP)
    .option('--pod-security-exempt <kind=name>', POD_SECURITY_EXEMPT_HELP, collect, [])
    .option('--controllers-metrics-listen <host:port>', CONTROLLERS_METRICS_HELP)
    .option('--allow-empty-store', ALLOW_EMPTY_STORE_HELP)
    .option('--join <url>', JOIN_HELP.join)
    .option('--token <token>', JOIN_HELP.token)
    .option('--certificate-key <hex>', JOIN_HELP.certificateKey)
    .option('--ca-cert-hash <hash>', JOIN_HELP.caCertHash)
    .option('--ui-listen <host:port>', UI_LISTEN_HELP)
    .action(
      async (
        o: { dataDir?: string; listen: string; store: string; controllers?: string; insecureRegistry: string[] } & ControlLoopsFlags &
          ControlPlaneJoinFlags &
          NetworkFlags &
          DnsFlags &
          TokenFlags &
          PodSecurityFlags &
          FairnessFlags &
          MetricsFlags &
          StoreGuardFlags &
          EtcdFlags &
          UiFlags,
      ) => {
        const signals = catchStopSignals(log); // a signal during the start stops it once started, never half-way
        const dataDir = resolveDataDir(o.dataDir);
        const controllers =
          o.controllers === undefined ? undefined : o.controllers === 'none' ? [] : o.controllers.split(',').map((x) => x.trim());
        const { runServer } = await serverModule();
        const s = await runServer({
          dataDir,
          listen: o.listen,
          store: o.store,
          ...networkOptions(o),
          ...dnsOptions(o),
          ...tokenOptions(o),
          ...podSecurityOptions(o),
          ...fairnessOptions(o),
          ...metricsOptions(o),
          ...storeGuardOptions(o),
          ...controlPlaneJoinOptions(o),
          ...etcdOptions(o),
          ...uiOptions(o),
          ...(controllers ? { controllers } : {}),
          ...(o.controlLoops ? { controlLoops: o.controlLoops } : {}),
          ...(o.insecureRegistry.length ? { insecureRegistries: o.insecureRegistry } : {}),
        }).catch(fail);
        log(`admin kubeconfig: ${s.kubeconfig}\n  kubectl --kubeconfig ${s.kubeconfig} get ns`);
        signals.stopWith(() => s.stop());
      },
    );

  registerUpCommand(program);

  const agent = addAgentFlags(
    program
      .command('agent')
      .description('node agent for this host, joining a server')
      // checked in the action, not by commander: its check of required options also runs for subcommands
      .option('--kubeconfig <file>', 'kubeconfig of the server to join (required)'),
  ).action(async (o: AgentFlags & { kubeconfig?: string }) => {
    if (o.logFile) logToFile(resolve(o.logFile));
    await runAgent(o.kubeconfig ?? fail('--kubeconfig FILE is required (the server to join)'), o);
  });

  // ---- tandem join: a node's identity from a bootstrap token, then the agent above ----
  registerJoinCommand<AgentFlags>(program, {
    log,
    fail,
    addAgentFlags,
    logToFile: (file) => logToFile(resolve(file)),
    runAgent,
  });

  // ---- tandem token: bootstrap tokens for `tandem join` ----
  registerTokenCommands(program, { log, fail });

  registerAgentServiceCommands(agent);

  program
    .command('sim')
    .description('simulated nodes (Linux or Windows, any build) whose pods run in simulation')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[flags...]', 'see tandem sim --help')
    // the flags are the simulator's own table (agent/sim/flags/): `tandem help sim` prints the same text as `sim --help`
    .configureHelp({ formatHelp: () => `${simHelp()}\n` })
    .action(async (flags: string[]) => {
      const [{ parseSimArgs, resolveSimKubeconfig, startSimFleet }, { clientFromKubeconfig }, { createInformerFactory }] =
        await Promise.all([import('../agent/sim/index.js'), kubeconfigModule(), import('../client/informer-factory.js')]);
      const args = (() => {
        try {
          return parseSimArgs(flags);
        } catch (e) {
          return fail(e);
        }
      })();
      if (args === 'help') return log(simHelp());
      const { kubeconfig: kubeconfigFlag, dataDir, servers, ...opts } = args;
      const { client } = (() => {
        try {
          const kubeconfig = resolveSimKubeconfig({
            flag: kubeconfigFlag,
            dataDir: dataDir === undefined ? undefined : resolve(dataDir),
            env: process.env['KUBECONFIG'],
            defaultDataDir: resolveDataDir(undefined),
          });
          return clientFromKubeconfig(kubeconfig, 'tandem-sim', 64, undefined, {
            servers: servers ?? [],
            discover: true,
            log: createLogger().child('sim-api'),
          });
        } catch (e) {
          return fail(e);
        }
      })();
      const informers = createInformerFactory(client);
      const fleet = startSimFleet({ ...opts, client, informers, log: createLogger().child('sim') });
      await fleet.ready().catch(fail);
      const st = fleet.stats();
      log(`tandem sim ready: ${st.nodes} ${args.os} node(s) registered in ${st.registerMs} ms`);
      waitForSignal(async () => {
        await fleet.stop();
        await informers.stop();
        client.close();
      });
    });

  // ---- tandem plan upgrade: reads the cluster, changes nothing ----
  registerPlanCommands(program, { fail, insecureHelp: INSECURE_HELP });

  // ---- tandem version, tandem status: they report, and start nothing ----
  registerReportCommands(program, { log, fail });

  // ---- tandem images import, tandem images sample: images for a node without a registry ----
  registerImagesCommands(program, { log, fail });

  // ---- tandem down: stops a node and removes what up made on the host ----
  registerDownCommand(program, { progress: () => progress, log, fail });

  // ---- tandem store migrate: a stopped cluster's objects into another store (SQLite → etcd) ----
  registerStoreCommands(program, { log, fail });

  // ---- tandem ui: a one-time login link for the web view ----
  registerUiCommand(program, { log, fail });

  await program.parseAsync(argv);
}
