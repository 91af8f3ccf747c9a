// `tandem sim` flags -> fleet options (without the client, which the command builds from --kubeconfig).

import type { Taint } from '../../api/gen/types.js';
import { badRequest } from '../../base/errors.js';
import { SIM_RUNTIMES, type SimRuntime } from './node-object.js';
import type { SimFleetOptions } from './options.js';

export type SimArgs = Omit<SimFleetOptions, 'client' | 'informers' | 'clock' | 'log'> & { kubeconfig?: string };

const BOOLEAN = new Set(['hyperv']);

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

export function parseSimArgs(argv: readonly string[]): SimArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) throw badRequest(`unexpected argument ${JSON.stringify(a)}`);
    const eq = a.indexOf('=');
    const name = (eq > 0 ? a.slice(2, eq) : a.slice(2)).toLowerCase();
    if (eq > 0) flags.set(name, a.slice(eq + 1));
    else if (BOOLEAN.has(name)) flags.set(name, 'true');
    else {
      const v = argv[i + 1];
      if (v === undefined) throw badRequest(`--${name}: missing value`);
      flags.set(name, v);
      i++;
    }
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
        throw badRequest(`unknown flag --${name}`);
    }
  }
  if (Object.keys(stages).length > 0) out.stages = stages;
  return out;
}
