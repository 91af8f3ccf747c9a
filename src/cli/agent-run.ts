// `tandem agent` and `tandem join` once it has its identity: the node agent on a kubeconfig, until a stop signal.

import { join, resolve } from 'node:path';
import { realClock } from '../base/clock.js';
import { createLogger } from '../base/log.js';
import { resolveDataDir } from './data-dir.js';
import { clusterDnsList, type AgentFlags } from './agent-flags.js';
import { fail, log, progress, waitForSignal, writeOut } from './cli-output.js';

// an agent process never loads the API server or the simulator: that is memory a node pays for
const nodeModule = () => import('./node-command.js');
const kubeconfigModule = () => import('../client/kubeconfig.js');

/** Runs the node agent on a kubeconfig until a stop signal: `tandem agent`, and `tandem join` once it has its identity. */
export async function runAgent(kubeconfig: string, o: AgentFlags): Promise<void> {
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
      return clientFromKubeconfig(
        kubeconfig,
        'tandem-agent',
        undefined,
        (e) => agentLog.warn('the renewed client certificate is not readable yet', { error: e.message }),
        // every API server: the kubeconfig's, --server, and those the kubernetes Endpoints name
        { servers: o.server, discover: true, log: agentLog.child('api') },
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
