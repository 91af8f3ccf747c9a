// `tandem version` and `tandem status`: the commands that report and start nothing. Registered here
// so that main.ts keeps to wiring the long-running ones; each loads its module only when it runs.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { resolveDataDir } from './data-dir.js';
import type { EtcdDoctorFlags } from './doctor/etcd-flags.js';

type OutputFormat = 'text' | 'json';

export function registerReportCommands(program: Command, io: { log: (line: string) => void; fail: (e: unknown) => never }): void {
  const parseOutput = (v: string): OutputFormat => (v === 'text' || v === 'json' ? v : io.fail(`--output ${v}: must be text or json`));

  program
    .command('version')
    .description("Tandem's version and commit, the Kubernetes API it serves, Node.js, the OS, and containerd when one answers")
    .option('-o, --output <format>', 'text or json', parseOutput, 'text')
    .option('--data-dir <dir>', 'whose private containerd to ask (default $TANDEM_HOME, else ~/.tandem)')
    .option('--containerd <endpoint>', 'ask this containerd instead (unix:///path, npipe:////./pipe/name)')
    .action(async (o: { output: OutputFormat; dataDir?: string; containerd?: string }) => {
      const { collectVersion, renderVersion } = await import('./version-command.js');
      const r = await collectVersion({ dataDir: resolveDataDir(o.dataDir), ...(o.containerd ? { containerd: o.containerd } : {}) });
      io.log(o.output === 'json' ? JSON.stringify(r, null, 2) : renderVersion(r));
    });

  program
    .command('status')
    .description('whether the control plane of a data dir (or kubeconfig) is up, its nodes and pods, and what is wrong; exit 1 when down')
    .option('--data-dir <dir>', 'the Tandem to look at (default $TANDEM_HOME, else ~/.tandem; %ProgramData%\\tandem on Windows)')
    .option('--kubeconfig <file>', 'look at the cluster of this kubeconfig instead')
    .option('-o, --output <format>', 'text or json', parseOutput, 'text')
    .action(async (o: { dataDir?: string; kubeconfig?: string; output: OutputFormat }) => {
      const { collectStatus, renderStatus } = await import('./status-command.js');
      const r = await collectStatus({
        dataDir: resolveDataDir(o.dataDir),
        dataDirGiven: o.dataDir !== undefined,
        ...(o.kubeconfig ? { kubeconfig: resolve(o.kubeconfig) } : {}),
      }).catch(io.fail);
      io.log(o.output === 'json' ? JSON.stringify(r, null, 2) : renderStatus(r));
      // a script can tell "down" without parsing the text
      if (!r.controlPlane.up) process.exitCode = 1;
    });

  program
    .command('doctor')
    .description(
      'checks this host’s Tandem (files, certificates, the API, credentials, runtime, network, DNS) with a verdict and a fix each; exit 1 when one fails',
    )
    .option('--data-dir <dir>', 'the Tandem to look at (default $TANDEM_HOME, else ~/.tandem; %ProgramData%\\tandem on Windows)')
    .option('--kubeconfig <file>', 'ask the API server of this kubeconfig (default DATA/kubeconfig, else DATA/agent/kubeconfig)')
    .option('-o, --output <format>', 'text or json', parseOutput, 'text')
    .option(
      '--bundle <file>',
      'also write a support bundle (.tar.gz: report, versions, redacted kubeconfig, nodes, pods, events, log tails)',
    )
    .option('--store <spec>', 'the server’s store, to check it when it is etcd: etcd://HOST:PORT[,HOST:PORT…][/PREFIX]')
    .option('--etcd-cafile <file>', 'CA of the etcd’s serving certificates (https endpoints)')
    .option('--etcd-certfile <file>', 'client certificate for etcd')
    .option('--etcd-keyfile <file>', 'client key for etcd')
    .option('--etcd-quota-bytes <n>', 'the members’ --quota-backend-bytes (default etcd’s 2 GiB)')
    .action(
      async (
        o: { dataDir?: string; kubeconfig?: string; output: OutputFormat; bundle?: string; clusterDns?: string } & EtcdDoctorFlags,
      ) => {
        const { runDoctor, renderDoctor, kubeconfigCredentials } = await import('./doctor/doctor.js');
        const { etcdDoctorOptions } = await import('./doctor/etcd-flags.js');
        const etcd = (() => {
          try {
            return etcdDoctorOptions(o);
          } catch (e) {
            return io.fail(e);
          }
        })();
        const { askContainerd, collectVersion } = await import('./version-command.js');
        const dataDir = resolveDataDir(o.dataDir);
        const dns = o.clusterDns ? /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(o.clusterDns) : undefined;
        if (o.clusterDns && !dns) io.fail(`--cluster-dns ${o.clusterDns}: must be HOST:PORT`);
        const r = await runDoctor({
          dataDir,
          askContainerd,
          ...(o.kubeconfig ? { kubeconfig: resolve(o.kubeconfig) } : {}),
          ...(dns ? { dns: { host: dns[1]!.replace(/^\[|\]$/g, ''), port: Number(dns[2]) } } : {}),
          ...(etcd ? { etcd } : {}),
        }).catch(io.fail);
        io.log(o.output === 'json' ? JSON.stringify(r, null, 2) : renderDoctor(r));
        if (o.bundle) {
          const { writeBundle } = await import('./doctor/bundle.js');
          let creds;
          try {
            creds = r.kubeconfig ? kubeconfigCredentials(r.kubeconfig) : undefined;
          } catch {
            creds = undefined;
          }
          const names = await writeBundle(resolve(o.bundle), {
            report: r,
            versions: await collectVersion({ dataDir }),
            ...(creds ? { creds } : {}),
          }).catch(io.fail);
          io.log(`support bundle: ${resolve(o.bundle)} (${names.length} files; credentials removed)`);
        }
        if (!r.healthy) process.exitCode = 1;
      },
    );
}
