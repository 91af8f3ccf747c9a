// `tandem sim` flags -> fleet options (without the client, which the command builds from the kubeconfig).

import type { Taint } from '../../api/gen/types.js';
import { badRequest } from '../../base/errors.js';
import { SIM_RUNTIMES, type SimRuntime } from './node-object.js';
import type { SimFleetOptions } from './options.js';
import { SIM_FLAGS, type SimFlag } from './flags/flags.js';

export type SimArgs = Omit<SimFleetOptions, 'client' | 'informers' | 'clock' | 'log'> & {
  kubeconfig?: string;
  dataDir?: string;
  /** more API servers (HA), from --server (repeatable, comma-separated) */
  servers?: string[];
};

const BY_NAME = new Map(SIM_FLAGS.map((f) => [f.name, f]));
const BY_SHORT = new Map(SIM_FLAGS.filter((f) => f.short).map((f) => [f.short ?? '', f]));

function splitPairs(v: string, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) throw badRequest(`--${flag}: expected key=value, got ${JSON.stringify(part)}`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

/** `key=value:Effect` or `key:Effect`, comma-separated. */
export function parseTaints(v: string): Taint[] {
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([^=:]+)(?:=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/.exec(part);
      if (!m) throw badRequest(`--taints: expected key[=value]:NoSchedule|PreferNoSchedule|NoExecute, got ${JSON.stringify(part)}`);
      const t: Taint = { key: m[1] ?? '', effect: m[3] ?? '' };
      if (m[2]) t.value = m[2];
      return t;
    });
}

function int(v: string, flag: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n))
    throw badRequest(`--${flag}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

function ms(v: string, flag: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw badRequest(`--${flag}: expected milliseconds, got ${JSON.stringify(v)}`);
  return n;
}

/** The flag an argument names (`--nodes`, `--nodes=3`, `-h`), or undefined for a plain word. */
function flagOf(a: string): { name: string; inline: string | undefined; flag: SimFlag | undefined } | undefined {
  if (a.startsWith('--')) {
    const eq = a.indexOf('=');
    const name = (eq > 0 ? a.slice(2, eq) : a.slice(2)).toLowerCase();
    return { name: `--${name}`, inline: eq > 0 ? a.slice(eq + 1) : undefined, flag: BY_NAME.get(name) };
  }
  if (/^-[^-]/.test(a)) return { name: a, inline: undefined, flag: BY_SHORT.get(a.slice(1)) };
  return undefined;
}

function switchValue(name: string, v: string | undefined): string {
  if (v === undefined || v === 'true') return 'true';
  if (v === 'false') return 'false';
  throw badRequest(`${name}: takes no value, or =true or =false (got ${JSON.stringify(v)})`);
}

/**
 * `tandem sim` flags -> options, or 'help' when --help/-h is among them (help wins over other
 * mistakes, as with the other commands). Every flag is known from SIM_FLAGS: an unknown one is
 * reported as unknown wherever it stands, and only flags that take a value consume the next argument.
 */
export function parseSimArgs(argv: readonly string[]): SimArgs | 'help' {
  if (argv.some((a) => flagOf(a)?.flag?.name === 'help')) return 'help';
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const f = flagOf(a);
    if (!f) throw badRequest(`unexpected argument ${JSON.stringify(a)} (flags are --name value or --name=value; see tandem sim --help)`);
    if (!f.flag) throw badRequest(`unknown flag ${f.name} (see tandem sim --help)`);
    const name = f.flag.name;
    if (!f.flag.value) {
      flags.set(name, switchValue(f.name, f.inline));
      continue;
    }
    // --server is the one flag that adds up when repeated
    const put = (v: string) => flags.set(name, name === 'server' && flags.has(name) ? `${flags.get(name)},${v}` : v);
    if (f.inline !== undefined) {
      put(f.inline);
      continue;
    }
    const v = argv[i + 1];
    if (v === undefined) throw badRequest(`${f.name}: missing value <${f.flag.value}>`);
    // `--nodes --os windows` is a forgotten value, not a node count of "--os"
    if (flagOf(v)?.flag) throw badRequest(`${f.name}: missing value <${f.flag.value}> (the next argument is the flag ${v})`);
    put(v);
    i++;
  }
  const os = flags.get('os') ?? 'linux';
  if (os !== 'linux' && os !== 'windows') throw badRequest(`--os: must be linux or windows, got ${JSON.stringify(os)}`);
  const out: SimArgs = { nodes: int(flags.get('nodes') ?? '1', 'nodes'), os };
  const stages: NonNullable<SimArgs['stages']> = {};
  for (const [name, v] of flags) {
    switch (name) {
      case 'nodes':
      case 'os':
        break;
      case 'kubeconfig':
        out.kubeconfig = v;
        break;
      case 'data-dir':
        out.dataDir = v;
        break;
      case 'server':
        out.servers = v.split(',').filter((x) => x.trim());
        break;
      case 'windows-build':
        out.windowsBuild = v;
        break;
      case 'name-prefix':
        out.namePrefix = v;
        break;
      case 'arch':
        out.arch = v;
        break;
      case 'cpu':
        out.cpu = v;
        break;
      case 'memory':
        out.memory = v;
        break;
      case 'pods':
        out.pods = int(v, name);
        break;
      case 'zones':
        out.zones = int(v, name);
        break;
      case 'labels':
        out.labels = splitPairs(v, name);
        break;
      case 'taints':
        out.taints = parseTaints(v);
        break;
      case 'hyperv':
        out.hyperV = v !== 'false';
        break;
      case 'runtime':
        if (!(SIM_RUNTIMES as readonly string[]).includes(v))
          throw badRequest(`--runtime: must be ${SIM_RUNTIMES.join(' or ')}, got ${JSON.stringify(v)}`);
        out.runtime = v as SimRuntime;
        break;
      case 'pod-cidr-base':
        out.podCidrBase = v;
        break;
      case 'lease-renew-ms':
        out.leaseRenewMs = ms(v, name);
        break;
      case 'create-delay-ms':
        stages.createDelayMs = ms(v, name);
        break;
      case 'start-delay-ms':
        stages.startDelayMs = ms(v, name);
        break;
      case 'complete-after-ms':
        stages.completeAfterMs = ms(v, name);
        break;
      case 'delete-delay-ms':
        stages.deleteDelayMs = ms(v, name);
        break;
      case 'jitter-ms':
        stages.jitterMs = ms(v, name);
        break;
      default:
        // a flag in SIM_FLAGS that this switch forgot: a bug here, not the user's mistake
        throw new Error(`tandem sim: flag --${name} is not handled`);
    }
  }
  if (Object.keys(stages).length > 0) out.stages = stages;
  return out;
}
