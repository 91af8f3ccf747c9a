// `tandem join https://HOST:PORT --token T --ca-cert-hash sha256:H`: one command that makes this
// host a node with its own identity. It pins the server's CA by the hash, gets a system:node:NAME
// client certificate through a CSR made with a key that stays here, writes DATA/agent/kubeconfig,
// and then runs the agent exactly as `tandem agent --kubeconfig DATA/agent/kubeconfig` would. A
// second run finds that kubeconfig and goes straight to the agent.

import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../base/parse-duration.js';
import { resolveDataDir } from './data-dir.js';

interface JoinableFlags {
  dataDir?: string;
  nodeName?: string;
  logFile?: string;
}

export interface JoinIo<F extends JoinableFlags> {
  log: (line: string) => void;
  fail: (e: unknown) => never;
  /** the agent's flags, the same as `tandem agent` takes */
  addAgentFlags: (cmd: Command) => Command;
  logToFile: (file: string) => void;
  runAgent: (kubeconfig: string, flags: F) => Promise<void>;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The server URL of a join, checked: https with a host and a port. */
export function parseJoinServer(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(
      `${JSON.stringify(text)} is not a URL: give the API server as https://HOST:PORT (as \`tandem token create\` prints it)`,
    );
  }
  if (u.protocol !== 'https:') throw new Error(`${text}: the API server is reached over https (https://HOST:PORT)`);
  if (u.pathname !== '/' || u.search || u.hash) throw new Error(`${text}: give the server alone, https://HOST:PORT, without a path`);
  return `https://${u.host}`;
}

/** The node's name: --name, else --node-name, else the hostname; lower-case, a DNS subdomain. */
export function joinNodeName(o: { name?: string; nodeName?: string }, host = hostname()): string {
  if (o.name !== undefined && o.nodeName !== undefined && o.name !== o.nodeName) {
    throw new Error(`--name ${o.name} and --node-name ${o.nodeName} disagree: give one of them`);
  }
  const name = (o.name ?? o.nodeName ?? host).toLowerCase();
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    throw new Error(
      `node name ${JSON.stringify(name)}: must be a DNS subdomain (lower-case letters, digits, '-' and '.'); choose one with --name`,
    );
  }
  return name;
}

export function registerJoinCommand<F extends JoinableFlags>(program: Command, io: JoinIo<F>): void {
  io.addAgentFlags(
    program
      .command('join')
      .description('make this host a node of a cluster with a bootstrap token (from `tandem token create`), then run its agent')
      .argument('<server>', 'the API server, https://HOST:PORT')
      .option('--token <token>', 'the bootstrap token (required)')
      .option('--ca-cert-hash <hash>', "sha256:<hex> of the cluster CA's public key (required): the server is trusted only if it matches")
      .option('--name <name>', 'the node name (default: the hostname)')
      .option('--timeout <duration>', 'how long to wait for the certificate to be approved and signed (0: no limit)', '5m'),
  ).action(async (server: string, o: F & { token?: string; caCertHash?: string; name?: string; timeout: string }) => {
    if (o.logFile) io.logToFile(o.logFile);
    const [{ parseCaCertHash }, { bootstrapNode, checkBootstrapToken }] = await Promise.all([
      import('../pki/index.js'),
      import('../agent/certs/index.js'),
    ]);
    const args = (() => {
      try {
        const url = parseJoinServer(server);
        if (o.token === undefined) throw new Error('--token is required (a bootstrap token from `tandem token create` on the server)');
        checkBootstrapToken(o.token);
        if (o.caCertHash === undefined) throw new Error('--ca-cert-hash is required (sha256:<hex>, printed by `tandem token create`)');
        return {
          url,
          token: o.token,
          caCertHash: parseCaCertHash(o.caCertHash),
          nodeName: joinNodeName(o),
          // 0: wait as long as it takes (an administrator approving by hand)
          timeoutMs: parseDuration(o.timeout, '--timeout') || Number.POSITIVE_INFINITY,
        };
      } catch (e) {
        return io.fail(e);
      }
    })();
    const { createLogger } = await import('../base/log.js');
    const result = await bootstrapNode({
      server: args.url,
      token: args.token,
      caCertHash: args.caCertHash,
      nodeName: args.nodeName,
      dataDir: join(resolveDataDir(o.dataDir), 'agent'),
      timeoutMs: args.timeoutMs,
      log: createLogger({ write: io.log }).child('join'),
      say: io.log,
    }).catch((e: unknown) => io.fail(`cannot join ${args.url}: ${e instanceof Error ? e.message : String(e)}`));
    await io.runAgent(result.kubeconfig, { ...o, nodeName: args.nodeName });
  });
}
