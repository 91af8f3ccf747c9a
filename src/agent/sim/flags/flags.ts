// The flags of `tandem sim` as one table: the parser (args.ts) knows from it which flags exist and
// which take a value, and the help text is printed from it, so the two cannot disagree. No imports:
// the CLI loads this file for `tandem help sim` without loading the simulator.

export interface SimFlag {
  /** without the leading `--` */
  name: string;
  /** `-h` style alias */
  short?: string;
  /** what the value is, shown as `<value>`; absent for a switch (no value, or `--name=true|false`) */
  value?: string;
  help: string;
  /** the default, as the help shows it */
  default?: string;
}

export const SIM_FLAGS: readonly SimFlag[] = [
  {
    name: 'kubeconfig',
    value: 'file',
    help: 'kubeconfig of the API server to join',
    default: '$KUBECONFIG, else <data dir>/kubeconfig',
  },
  {
    name: 'server',
    value: 'url,...',
    help: "more API servers of the cluster (HA), tried after the kubeconfig's when one fails (repeatable; more are learned from the kubernetes Endpoints)",
  },
  {
    name: 'data-dir',
    value: 'dir',
    help: 'a `tandem up`/`tandem server` data dir: use its kubeconfig when --kubeconfig is absent',
    default: '$TANDEM_HOME, else ~/.tandem',
  },
  { name: 'nodes', value: 'n', help: 'number of simulated nodes', default: '1' },
  { name: 'os', value: 'os', help: 'linux or windows', default: 'linux' },
  { name: 'windows-build', value: 'version', help: 'major.minor.build of Windows nodes', default: '10.0.20348' },
  {
    name: 'name-prefix',
    value: 'prefix',
    help: 'nodes are named <prefix>0, <prefix>1, ...; existing nodes of those names are taken over',
    default: 'sim-linux- or sim-windows-, refused while another running sim holds those nodes',
  },
  { name: 'arch', value: 'arch', help: 'kubernetes.io/arch of the nodes', default: 'amd64' },
  { name: 'cpu', value: 'quantity', help: 'CPU capacity per node', default: '8' },
  { name: 'memory', value: 'quantity', help: 'memory capacity per node', default: '32Gi' },
  { name: 'pods', value: 'n', help: 'pod capacity per node', default: '110' },
  { name: 'zones', value: 'n', help: 'spread nodes over topology.kubernetes.io/zone zone-0 .. zone-<n-1>', default: '0 (no zone)' },
  { name: 'labels', value: 'k=v,...', help: 'extra node labels' },
  { name: 'taints', value: 'k[=v]:effect,...', help: 'node taints; effect is NoSchedule, PreferNoSchedule or NoExecute' },
  { name: 'hyperv', help: 'Windows nodes also offer Hyper-V isolation (runhcs-wcow-hypervisor)', default: 'off' },
  { name: 'runtime', value: 'runtime', help: 'containerd, or process: nodes that run native processes only', default: 'containerd' },
  { name: 'pod-cidr-base', value: 'cidr', help: 'range split into one /24 pod CIDR per node', default: '10.128.0.0/10' },
  { name: 'lease-renew-ms', value: 'ms', help: 'node Lease renewal period', default: '10000' },
  { name: 'create-delay-ms', value: 'ms', help: 'time a pod shows ContainerCreating (0: straight to Running)', default: '0' },
  { name: 'start-delay-ms', value: 'ms', help: 'extra time before a pod is Running', default: '0' },
  {
    name: 'complete-after-ms',
    value: 'ms',
    help: 'run time of Job pods (annotation tandem.io/sim-run-seconds overrides it per pod)',
    default: '1000',
  },
  { name: 'delete-delay-ms', value: 'ms', help: 'how long a deleted pod lingers before it is removed', default: '0' },
  { name: 'jitter-ms', value: 'ms', help: 'random extra time, up to this, on the create, start and complete delays', default: '0' },
  { name: 'help', short: 'h', help: 'print this help' },
];

const WIDTH = 100;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(' ')) {
    if (cur && cur.length + 1 + word.length > width) {
      lines.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** The text of `tandem sim --help`, laid out as the other commands' help. */
export function simHelp(): string {
  const heads = SIM_FLAGS.map((f) => `${f.short ? `-${f.short}, ` : ''}--${f.name}${f.value ? ` <${f.value}>` : ''}`);
  const col = Math.max(...heads.map((h) => h.length)) + 4;
  const out = [
    'Usage: tandem sim [flags]',
    '',
    'simulated nodes (Linux or Windows, any build) whose pods run in simulation: nothing is executed,',
    'pods move through their states by status writes (docs/simulator.md)',
    '',
    'Flags (--name value or --name=value):',
  ];
  SIM_FLAGS.forEach((f, i) => {
    const text = f.default !== undefined ? `${f.help} (default: ${f.default})` : f.help;
    const [first = '', ...rest] = wrap(text, WIDTH - col);
    out.push(`  ${(heads[i] ?? '').padEnd(col - 2)}${first}`);
    for (const l of rest) out.push(`${' '.repeat(col)}${l}`);
  });
  return out.join('\n');
}
