// The `tandem` command line: up, server, agent, sim.

import { join } from 'node:path';
import { Command } from 'commander';
import { createLogger } from '../base/log.js';
import { resolveDataDir } from './data-dir.js';

// Each command loads only what it runs (an agent process never loads the API server or the
// simulator: that is memory a node pays for).
const serverModule = () => import('./server-command.js');
const nodeModule = () => import('./node-command.js');
const kubeconfigModule = () => import('../client/kubeconfig.js');

const log = (line: string) => process.stdout.write(`${line}\n`);

function waitForSignal(stop: () => Promise<void>): void {
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
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

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

function fail(e: unknown): never {
  process.stderr.write(`tandem: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program.name('tandem').description('Kubernetes-compatible orchestrator for mixed Linux and Windows fleets');

  program
    .command('server')
    .description('control plane only: API server, scheduler and controllers')
    .option('--data-dir <dir>', 'state directory (default $TANDEM_HOME or ~/.tandem)')
    .option('--listen <host:port>', 'address to serve the API on', '127.0.0.1:6443')
    .option('--store <spec>', 'storage backend: sqlite (in the data dir), sqlite:PATH or memory', 'sqlite')
    .option('--controllers <list>', 'comma-separated components to run (default: all; "none" for the API alone)')
    .option('--service-cidr <cidr>', 'the range Service ClusterIPs come from', '10.96.0.0/16')
    .option('--cluster-cidr <cidr>', 'the range node pod ranges (spec.podCIDR) come from', '10.42.0.0/16')
    .option('--node-cidr-mask-size <bits>', "prefix length of each node's pod range", '24')
    .action(async (o: { dataDir?: string; listen: string; store: string; controllers?: string } & NetworkFlags) => {
      const dataDir = resolveDataDir(o.dataDir);
      const controllers =
        o.controllers === undefined ? undefined : o.controllers === 'none' ? [] : o.controllers.split(',').map((x) => x.trim());
      const { runServer } = await serverModule();
      const s = await runServer({
        dataDir,
        listen: o.listen,
        store: o.store,
        ...networkOptions(o),
        ...(controllers ? { controllers } : {}),
      }).catch(fail);
      log(`admin kubeconfig: ${s.kubeconfig}\n  kubectl --kubeconfig ${s.kubeconfig} get ns`);
      waitForSignal(() => s.stop());
    });

  program
    .command('up')
    .description('all-in-one: control plane plus a node agent for this host')
    .option('--data-dir <dir>', 'state directory (default $TANDEM_HOME or ~/.tandem)')
    .option('--listen <host:port>', 'address to serve the API on', '127.0.0.1:6443')
    .option('--pod-cidr <cidr>', "this node's pod network (default: one from --cluster-cidr, given by the control plane)")
    .option('--service-cidr <cidr>', 'the range Service ClusterIPs come from', '10.96.0.0/16')
    .option('--cluster-cidr <cidr>', 'the range node pod ranges (spec.podCIDR) come from', '10.42.0.0/16')
    .option('--node-cidr-mask-size <bits>', "prefix length of each node's pod range", '24')
    .option('--node-name <name>', 'node name (default: the hostname)')
    .option('--containerd <endpoint>', 'use this containerd instead of starting a private one (unix:///path)')
    .action(async (o: { dataDir?: string; listen: string; podCidr?: string; nodeName?: string; containerd?: string } & NetworkFlags) => {
      const dataDir = resolveDataDir(o.dataDir);
      const [{ runServer }, { nodeUnsupportedReason, startNode }] = await Promise.all([serverModule(), nodeModule()]);
      const s = await runServer({ dataDir, listen: o.listen, ...networkOptions(o) }).catch(fail);
      const why = nodeUnsupportedReason();
      let stopNode: () => Promise<void> = async () => undefined;
      if (why && !o.containerd) {
        log(`note: running the control plane alone, pods will not run on this host: ${why}`);
      } else {
        try {
          const { createRestClient } = await import('../client/rest-client.js');
          const client = createRestClient({ server: s.url, caPem: s.tls.ca, token: s.token, userAgent: 'tandem-agent' });
          const node = await startNode({
            client,
            dataDir: join(dataDir, 'agent'),
            ...(o.podCidr ? { podCidr: o.podCidr } : {}),
            tls: { cert: s.tls.cert, key: s.tls.key },
            streamingToken: s.token,
            log: createLogger().child('agent'),
            ...(o.nodeName ? { nodeName: o.nodeName } : {}),
            ...(o.containerd ? { containerdEndpoint: o.containerd } : {}),
          });
          await node.agent.ready();
          log(`node ${node.nodeName} ready (pods on ${node.podCidr})`);
          stopNode = async () => {
            await node.stop();
            client.close();
          };
        } catch (e) {
          log(`note: the node agent could not start, running the control plane alone: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      log(`admin kubeconfig: ${s.kubeconfig}\n  export KUBECONFIG=${s.kubeconfig}\n  kubectl get nodes`);
      waitForSignal(async () => {
        await stopNode();
        await s.stop();
      });
    });

  program
    .command('agent')
    .description('node agent for this host, joining a server')
    .requiredOption('--kubeconfig <file>', 'kubeconfig of the server to join')
    .option('--data-dir <dir>', 'state directory (default $TANDEM_HOME or ~/.tandem)')
    .option('--pod-cidr <cidr>', "this node's pod network (default: the one the control plane gives the Node)")
    .option('--node-name <name>', 'node name (default: the hostname)')
    .option('--containerd <endpoint>', 'use this containerd instead of starting a private one')
    .option('--streaming-port <port>', 'port of the streaming server (logs, exec, port-forward)', '10250')
    .action(
      async (o: {
        kubeconfig: string;
        dataDir?: string;
        podCidr?: string;
        nodeName?: string;
        containerd?: string;
        streamingPort: string;
      }) => {
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
        const why = nodeUnsupportedReason();
        if (why && !o.containerd) fail(`this host cannot run pods: ${why}`);
        const { client, creds } = (() => {
          try {
            return clientFromKubeconfig(o.kubeconfig, 'tandem-agent');
          } catch (e) {
            return fail(e);
          }
        })();
        const { hostname } = await import('node:os');
        const pki = await ensurePki(dataDir, { hosts: ['localhost', '127.0.0.1', hostname()] });
        const node = await startNode({
          client,
          dataDir,
          ...(o.podCidr ? { podCidr: o.podCidr } : {}),
          tls: { cert: pki.certPem, key: pki.keyPem },
          streamingToken: creds.token,
          log: createLogger().child('agent'),
          streamingListen: { host: '0.0.0.0', port: Number(o.streamingPort) },
          ...(o.nodeName ? { nodeName: o.nodeName } : {}),
          ...(o.containerd ? { containerdEndpoint: o.containerd } : {}),
        }).catch(fail);
        await node.agent.ready();
        log(`node ${node.nodeName} ready: joined ${creds.server}`);
        waitForSignal(async () => {
          await node.stop();
          client.close();
        });
      },
    );

  program
    .command('sim')
    .description('simulated nodes (Linux or Windows, any build) whose pods run in simulation')
    .allowUnknownOption(true)
    .helpOption(false)
    .argument(
      '[flags...]',
      '--kubeconfig FILE --nodes N --os linux|windows [--windows-build 10.0.20348] [--name-prefix P] [--zones N] [--hyperv] ...',
    )
    .action(async (flags: string[]) => {
      const [{ parseSimArgs, startSimFleet }, { clientFromKubeconfig }, { createInformerFactory }] = await Promise.all([
        import('../agent/sim/index.js'),
        kubeconfigModule(),
        import('../client/informer-factory.js'),
      ]);
      const args = (() => {
        try {
          return parseSimArgs(flags);
        } catch (e) {
          return fail(e);
        }
      })();
      if (!args.kubeconfig) fail('--kubeconfig FILE is required');
      const { client } = (() => {
        try {
          return clientFromKubeconfig(args.kubeconfig!, 'tandem-sim', 64);
        } catch (e) {
          return fail(e);
        }
      })();
      const informers = createInformerFactory(client);
      const { kubeconfig: _k, ...opts } = args;
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

  await program.parseAsync(argv);
}
