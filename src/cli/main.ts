// The `tandem` command line: up, down, server, agent, join, token, sim, plan, version, status, images, doctor.

import { hostname } from 'node:os';
import { existsSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { realClock } from '../base/clock.js';
import { createLogger } from '../base/log.js';
import { DEFAULT_SERVICE_NAME, planServiceInstall } from './agent-service.js';
import { resolveDataDir } from './data-dir.js';
import { registerPlanCommands } from './plan/plan-register.js';
import { createProgress } from './progress.js';
import { POD_SECURITY_DEFAULT_HELP, POD_SECURITY_EXEMPT_HELP, podSecurityOptions, type PodSecurityFlags } from './pod-security-flags.js';
import { registerReportCommands } from './report-commands.js';
import { registerImagesCommands } from './images-command.js';
import { registerJoinCommand } from './join-command.js';
import { registerTokenCommands } from './token-command.js';
import { registerDownCommand } from './down-command.js';
import { catchStopSignals, waitForSignal as waitForStopSignal } from './signals.js';
import { simHelp } from '../agent/sim/flags/index.js';

// Each command loads only what it runs (an agent process never loads the API server or the
// simulator: that is memory a node pays for).
const serverModule = () => import('./server-command.js');
const nodeModule = () => import('./node-command.js');
const kubeconfigModule = () => import('../client/kubeconfig.js');

// Where this process's lines go: stdout and stderr, or one file for both (`agent --log-file`, which a
// service uses: it has no console). Writes are synchronous so that nothing is lost at process.exit.
// Lines to stdout pass through the start's progress (progress.ts), which keeps a live status line
// below them on a terminal while a long wait lasts.
let progress = createProgress({ out: process.stdout });
const writeOut = (line: string) => progress.line(line);
let writeErr: (line: string) => void = (line) => void process.stderr.write(`${line}\n`);
const log = (line: string) => writeOut(line);

function logToFile(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  progress = createProgress({ out: { write: (text) => writeSync(fd, text) } });
  writeErr = writeOut;
}

const waitForSignal = (stop: () => Promise<void>) => waitForStopSignal(stop, log);

interface NetworkFlags {
  serviceCidr: string;
  clusterCidr: string;
  nodeCidrMaskSize: string;
}

function networkOptions(o: NetworkFlags): { serviceCidr: string; clusterCidr: string; nodeCidrMaskSize: number } {
  const mask = Number(o.nodeCidrMaskSize);
  if (!/^\d+$/.test(o.nodeCidrMaskSize)) fail(`--node-cidr-mask-size: ${JSON.stringify(o.nodeCidrMaskSize)} is not a number of bits`);
  return { serviceCidr: o.serviceCidr, clusterCidr: o.clusterCidr, nodeCidrMaskSize: mask };
}

interface DnsFlags {
  clusterDnsListen?: string;
  clusterDomain: string;
}
type UpFlags = UpOptions & NetworkFlags & DnsFlags & TokenFlags & PodSecurityFlags;

function dnsOptions(o: DnsFlags): { clusterDns: { listen: string | undefined; domain: string } } {
  return { clusterDns: { listen: o.clusterDnsListen, domain: o.clusterDomain } };
}

/** ServiceAccount token flags of `server` and `up`. */
interface TokenFlags {
  serviceAccountIssuer?: string;
  apiAudiences?: string;
}
const ISSUER_HELP = 'the iss of ServiceAccount tokens, and the OIDC issuer (default https://kubernetes.default.svc.cluster.local)';
const AUDIENCES_HELP = 'comma-separated audiences the API server accepts in tokens, and gives tokens by default (default: the issuer)';

function tokenOptions(o: TokenFlags): { serviceAccountIssuer?: string; apiAudiences?: string[] } {
  const out: { serviceAccountIssuer?: string; apiAudiences?: string[] } = {};
  if (o.serviceAccountIssuer !== undefined) out.serviceAccountIssuer = o.serviceAccountIssuer;
  if (o.apiAudiences !== undefined) {
    const list = o.apiAudiences.split(',').map((a) => a.trim());
    if (list.some((a) => a === '')) fail(`--api-audiences ${JSON.stringify(o.apiAudiences)}: an audience is empty`);
    out.apiAudiences = list;
  }
  return out;
}

/** `--cluster-dns`: addresses, or none (ClusterFirst pods then get the host's settings, as the kubelet's do). */
function clusterDnsList(text: string): string[] {
  if (text === 'none' || text === '') return [];
  const ips = text.split(',').map((x) => x.trim());
  const bad = ips.find((ip) => isIP(ip) === 0);
  if (bad !== undefined) fail(`--cluster-dns: ${JSON.stringify(bad)} is not an IP address`);
  return ips;
}

function fail(e: unknown): never {
  writeErr(`tandem: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

type RuntimeMode = 'auto' | 'containerd' | 'process';
const RUNTIME_HELP =
  'runtimes of this node: auto (containerd when it can run, plus native processes), containerd (fail without it) or process (native processes only)';
const INSECURE_HELP = 'a registry host[:port] reachable over plain HTTP (repeatable; loopback always is)';
const INSECURE_SERVER_HELP =
  'a registry host[:port] the scheduler reads Windows image indexes from over plain HTTP (repeatable; loopback always is)';

function parseRuntimeMode(v: string): RuntimeMode {
  if (v === 'auto' || v === 'containerd' || v === 'process') return v;
  return fail(`--runtime ${v}: must be auto, containerd or process`);
}
const collect = (v: string, all: string[]) => [...all, v];

type ProxyMode = 'auto' | 'nftables' | 'userspace' | 'none';
const PROXY_HELP = "the node's service proxy: auto (nftables rules when root with nft, else userspace), nftables, userspace or none";
function parseProxyMode(v: string): ProxyMode {
  if (v === 'auto' || v === 'nftables' || v === 'userspace' || v === 'none') return v;
  return fail(`--proxy ${v}: must be auto, nftables, userspace or none`);
}

interface AgentFlags {
  dataDir?: string;
  podCidr?: string;
  nodeName?: string;
  containerd?: string;
  streamingPort: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  logFile?: string;
  runtime: RuntimeMode;
  insecureRegistry: string[];
  proxy: ProxyMode;
  clusterCidr: string;
  clusterDns: string;
  clusterDomain: string;
}

interface UpOptions {
  dataDir?: string;
  listen: string;
  podCidr?: string;
  nodeName?: string;
  containerd?: string;
  runtime: RuntimeMode;
  insecureRegistry: string[];
  proxy: ProxyMode;
}

/** The flags of a node agent, shared by `tandem agent` and `tandem join`. */
function addAgentFlags(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'state directory (default $TANDEM_HOME, else ~/.tandem; %ProgramData%\\tandem on Windows)')
    .option('--pod-cidr <cidr>', "this node's pod network (default: the one the control plane gives the Node)")
    .option(
      '--cluster-cidr <cidr>',
      "the whole pod network (the server's --cluster-cidr): traffic leaving it is masqueraded",
      '10.42.0.0/16',
    )
    .option('--node-name <name>', 'node name (default: the hostname)')
    .option('--containerd <endpoint>', 'use this containerd instead of starting a private one')
    .option('--runtime <mode>', RUNTIME_HELP, parseRuntimeMode, 'auto')
    .option('--insecure-registry <host>', INSECURE_HELP, collect, [])
    .option('--proxy <mode>', PROXY_HELP, parseProxyMode, 'auto')
    .option('--streaming-port <port>', 'port of the streaming server (logs, exec, port-forward)', '10250')
    .option('--tls-cert-file <file>', "the streaming server's certificate, from the cluster CA (the API server refuses others)")
    .option('--tls-private-key-file <file>', 'the key of --tls-cert-file')
    .option('--log-file <file>', 'append log lines to this file instead of stdout/stderr (a service has no console)')
    .option(
      '--cluster-dns <ips>',
      'comma-separated cluster DNS addresses for ClusterFirst pods ("none": the host\'s resolvers)',
      '10.96.0.10',
    )
    .option('--cluster-domain <domain>', "the cluster DNS domain in pods' search list", 'cluster.local');
}

/** Runs the node agent on a kubeconfig until a stop signal: `tandem agent`, and `tandem join` once it has its identity. */
async function runAgent(kubeconfig: string, o: AgentFlags): Promise<void> {
  // A node's memory is the node's owner's: keep V8's young generation at its initial 1 MB
  // semi-spaces instead of letting bursts of work grow it to 16 MB ones that stay resident
  // (~20 MB of RSS). The growth factor, unlike the maximum size, is read at each growth.
  (await import('node:v8')).setFlagsFromString('--semi-space-growth-factor=1');
  const dataDir = join(resolveDataDir(o.dataDir), 'agent');
  const [{ nodeUnsupportedReason, startNode }, { clientFromKubeconfig }, { ensurePki }] = await Promise.all([
    nodeModule(),
    kubeconfigModule(),
    import('../pki/index.js'),
  ]);
  const why = o.runtime === 'containerd' && !o.containerd ? nodeUnsupportedReason() : undefined;
  if (why) fail(`this host cannot run containers: ${why} (or run native processes only: --runtime process)`);
  const agentLog = createLogger({ write: writeOut }).child('agent');
  const { client, creds } = (() => {
    try {
      return clientFromKubeconfig(kubeconfig, 'tandem-agent', undefined, (e) =>
        agentLog.warn('the renewed client certificate is not readable yet', { error: e.message }),
      );
    } catch (e) {
      return fail(e);
    }
  })();
  const { hostname } = await import('node:os');
  // the streaming server's certificate: given (one from the cluster CA), else a self-made one, which
  // the API server refuses for logs, exec and metrics until a serving certificate is requested from it
  // (a joined node does that below, once its Node is registered)
  if ((o.tlsCertFile === undefined) !== (o.tlsPrivateKeyFile === undefined)) fail('--tls-cert-file and --tls-private-key-file go together');
  const { readFileSync } = await import('node:fs');
  const readPem = (flag: string, f: string): string => {
    try {
      return readFileSync(resolve(f), 'utf8');
    } catch (e) {
      return fail(`${flag} ${f}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const tls =
    o.tlsCertFile && o.tlsPrivateKeyFile
      ? { cert: readPem('--tls-cert-file', o.tlsCertFile), key: readPem('--tls-private-key-file', o.tlsPrivateKeyFile) }
      : await ensurePki(dataDir, { hosts: ['localhost', '127.0.0.1', hostname()] }).then((p) => ({ cert: p.certPem, key: p.keyPem }));
  const node = await startNode({
    client,
    dataDir,
    ...(o.podCidr ? { podCidr: o.podCidr } : {}),
    tls,
    // callers of the streaming server: client certificates from the cluster CA, or tokens through TokenReview
    clusterCa: creds.caPem,
    log: agentLog,
    streamingListen: { host: '0.0.0.0', port: Number(o.streamingPort) },
    runtimes: o.runtime,
    insecureRegistries: o.insecureRegistry,
    proxy: o.proxy,
    clusterCidr: o.clusterCidr,
    clusterDns: clusterDnsList(o.clusterDns),
    clusterDomain: o.clusterDomain,
    ...(o.nodeName ? { nodeName: o.nodeName } : {}),
    ...(o.containerd ? { containerdEndpoint: o.containerd } : {}),
    progress,
  }).catch(fail);
  // a node that authenticates by a certificate file renews it, and gets a serving certificate from the cluster
  const certs = creds.clientCertFiles
    ? (await import('../agent/certs/index.js')).startNodeCertificates({
        client,
        dataDir,
        nodeName: node.nodeName,
        log: agentLog.child('certs'),
        clock: realClock,
        nodeRegistered: node.agent.ready(),
        // a serving certificate given by flag is the operator's to renew
        ...(o.tlsCertFile ? {} : { onServingCertificate: (pair: { cert: string; key: string }) => node.setServingCertificate(pair) }),
      })
    : undefined;
  await progress
    .step(`registering node ${node.nodeName}`, () => node.agent.ready(), {
      slowAfterMs: 20_000,
      slowHint: `the agent registers the Node and lists its pods through ${creds.server}: is it reachable from this host, and are the kubeconfig's credentials accepted?`,
    })
    .catch((e: unknown) => fail(`node ${node.nodeName} could not join ${creds.server}: ${e instanceof Error ? e.message : String(e)}`));
  log(`node ${node.nodeName} ready: joined ${creds.server}`);
  waitForSignal(async () => {
    certs?.stop();
    await node.stop();
    client.close();
  });
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name('tandem').description('Kubernetes-compatible orchestrator for mixed Linux and Windows fleets');
  // options after a subcommand's name are the subcommand's (`agent install-service --kubeconfig ...`)
  program.enablePositionalOptions();

  program
    .command('server')
    .description('control plane only: API server, scheduler and controllers')
    .option('--data-dir <dir>', 'state directory (default $TANDEM_HOME, else ~/.tandem; %ProgramData%\\tandem on Windows)')
    .option('--listen <host:port>', 'address to serve the API on', '127.0.0.1:6443')
    .option('--store <spec>', 'storage backend: sqlite (in the data dir), sqlite:PATH or memory', 'sqlite')
    .option('--controllers <list>', 'comma-separated components to run (default: all; "none" for the API alone)')
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
    .action(
      async (
        o: { dataDir?: string; listen: string; store: string; controllers?: string; insecureRegistry: string[] } & NetworkFlags &
          DnsFlags &
          TokenFlags &
          PodSecurityFlags,
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
          ...(controllers ? { controllers } : {}),
          ...(o.insecureRegistry.length ? { insecureRegistries: o.insecureRegistry } : {}),
        }).catch(fail);
        log(`admin kubeconfig: ${s.kubeconfig}\n  kubectl --kubeconfig ${s.kubeconfig} get ns`);
        signals.stopWith(() => s.stop());
      },
    );

  program
    .command('up')
    .description('all-in-one: control plane plus a node agent for this host')
    .option('--data-dir <dir>', 'state directory (default $TANDEM_HOME, else ~/.tandem; %ProgramData%\\tandem on Windows)')
    .option('--listen <host:port>', 'address to serve the API on', '127.0.0.1:6443')
    .option('--pod-cidr <cidr>', "this node's pod network (default: one from --cluster-cidr, given by the control plane)")
    .option('--service-cidr <cidr>', 'the range Service ClusterIPs come from', '10.96.0.0/16')
    .option('--cluster-cidr <cidr>', 'the range node pod ranges (spec.podCIDR) come from', '10.42.0.0/16')
    .option('--node-cidr-mask-size <bits>', "prefix length of each node's pod range", '24')
    .option('--node-name <name>', 'node name (default: the hostname)')
    .option('--containerd <endpoint>', 'use this containerd instead of starting a private one (unix:///path)')
    .option('--runtime <mode>', RUNTIME_HELP, parseRuntimeMode, 'auto')
    .option('--insecure-registry <host>', INSECURE_HELP, collect, [])
    .option('--proxy <mode>', PROXY_HELP, parseProxyMode, 'auto')
    .option('--cluster-dns-listen <host:port>', 'where the cluster DNS server listens (default 0.0.0.0:1053; "none": no cluster DNS)')
    .option('--cluster-domain <domain>', 'the DNS domain of Services and pods', 'cluster.local')
    .option('--service-account-issuer <url>', ISSUER_HELP)
    .option('--api-audiences <list>', AUDIENCES_HELP)
    .option('--pod-security-default <policy>', POD_SECURITY_DEFAULT_HELP)
    .option('--pod-security-exempt <kind=name>', POD_SECURITY_EXEMPT_HELP, collect, [])
    .action(async (o: UpFlags) => {
      const signals = catchStopSignals(log); // a signal during the start stops it once started, never half-way
      const dataDir = resolveDataDir(o.dataDir);
      const [{ runServer }, { nodeUnsupportedReason, startNode }] = await Promise.all([serverModule(), nodeModule()]);
      const s = await runServer({
        dataDir,
        listen: o.listen,
        log: createLogger({ write: writeOut }),
        ...networkOptions(o),
        ...dnsOptions(o),
        ...tokenOptions(o),
        ...podSecurityOptions(o),
        ...(o.insecureRegistry.length ? { insecureRegistries: o.insecureRegistry } : {}),
      }).catch(fail);
      const why = o.runtime === 'containerd' && !o.containerd ? nodeUnsupportedReason() : undefined;
      let stopNode: () => Promise<void> = async () => undefined;
      if (why) {
        log(`note: running the control plane alone, pods will not run on this host: ${why}`);
      } else {
        try {
          const { createRestClient } = await import('../client/rest-client.js');
          const { nodeUser } = await import('../apiserver/index.js');
          // the agent runs as its node (system:node:NAME): the Node authorizer and NodeRestriction judge it
          const nodeName = (o.nodeName ?? hostname()).toLowerCase();
          const client = createRestClient({
            server: s.url,
            caPem: s.tls.ca,
            token: s.tokenFor(nodeUser(nodeName)),
            userAgent: 'tandem-agent',
          });
          const node = await startNode({
            client,
            dataDir: join(dataDir, 'agent'),
            ...(o.podCidr ? { podCidr: o.podCidr } : {}),
            tls: { cert: s.tls.cert, key: s.tls.key },
            clusterCa: s.tls.ca,
            log: createLogger({ write: writeOut }).child('agent'),
            progress,
            runtimes: o.runtime,
            insecureRegistries: o.insecureRegistry,
            proxy: o.proxy,
            clusterCidr: o.clusterCidr,
            nodeName,
            ...(o.containerd ? { containerdEndpoint: o.containerd } : {}),
            clusterDns: [s.clusterDns.serviceIp],
            clusterDomain: s.clusterDns.domain,
          });
          await progress.step(`registering node ${node.nodeName}`, () => node.agent.ready(), {
            slowAfterMs: 20_000,
            slowHint: `the agent registers the Node and lists its pods through the API server at ${s.url}: is it answering?`,
          });
          log(`node ${node.nodeName} ready (pods on ${node.podCidr ?? 'the host network: native processes only'})`);
          stopNode = async () => {
            await node.stop();
            client.close();
          };
        } catch (e) {
          // a pod range someone else routes is refused outright: a node whose pods are unreachable is worse than none
          if (e instanceof Error && e.name === 'PodCidrTakenError') {
            await s.stop().catch(() => undefined);
            fail(`refusing to start the node: ${e.message}`);
          }
          log(`note: the node agent could not start, running the control plane alone: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      log(`admin kubeconfig: ${s.kubeconfig}\n  export KUBECONFIG=${s.kubeconfig}\n  kubectl get nodes`);
      signals.stopWith(async () => {
        await stopNode();
        await s.stop();
      });
    });

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
      const { kubeconfig: kubeconfigFlag, dataDir, ...opts } = args;
      const { client } = (() => {
        try {
          const kubeconfig = resolveSimKubeconfig({
            flag: kubeconfigFlag,
            dataDir: dataDir === undefined ? undefined : resolve(dataDir),
            env: process.env['KUBECONFIG'],
            defaultDataDir: resolveDataDir(undefined),
          });
          return clientFromKubeconfig(kubeconfig, 'tandem-sim', 64);
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

  await program.parseAsync(argv);
}
