// The plain sentence that follows the upstream summary when a Windows pod fits nowhere: the image,
// its builds, the Windows nodes' builds, and what would fix it, e.g. "image contoso/app:1.4 is built
// for Windows 10.0.26100; the 6 Windows nodes run 10.0.17763 and 10.0.20348 (older): add a node
// running 10.0.26100, or rebuild the image for 10.0.20348". `kubectl describe pod` shows it in the
// PodScheduled condition and the FailedScheduling event.

import { HANDLER_WINDOWS_HYPERV } from '../../../api/well-known.js';
import { formatWindowsVersion, type WindowsVersion } from '../../../api/scheduling/windows-isolation.js';
import { windowsBuildsOf, type IsolationPin, type WindowsHost } from '../../../api/scheduling/windows-pod-isolation.js';
import type { PodImagesLookup } from '../../image-facts/pod-image-facts.js';
import type { Miss, MissKind } from './misses.js';

export interface HostMiss {
  host: WindowsHost;
  miss: Miss;
}

/** `a`, `a and b`, `a, b and c` */
function and(xs: readonly string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1] ?? ''}`;
}
/** `a`, `a, or b`, `a, b, or c` */
const orList = (xs: readonly string[]): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')}, or ${xs[xs.length - 1] ?? ''}`;
const or = (xs: readonly string[]): string =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs[xs.length - 1] ?? ''}`;

const build3 = (v: WindowsVersion) => formatWindowsVersion({ ...v, revision: undefined });
const newerFirst = (a: WindowsVersion, b: WindowsVersion) => b.major - a.major || b.minor - a.minor || b.build - a.build;

/** The hosts' builds, each once, oldest first. */
function hostBuilds(hosts: readonly WindowsHost[]): string[] {
  const m = new Map<string, WindowsVersion>();
  for (const h of hosts) m.set(build3(h.build), h.build);
  return [...m.entries()].sort((a, b) => newerFirst(b[1], a[1])).map(([k]) => k);
}

const KIND_ORDER: readonly MissKind[] = ['older-host', 'needs-hyperv', 'no-arch', 'pin-process', 'pin-hyperv', 'hyperv-overhead'];

function describe(kind: MissKind, hosts: readonly WindowsHost[], one: boolean): string {
  const run = one ? 'runs' : 'run';
  const builds = and(hostBuilds(hosts));
  switch (kind) {
    case 'older-host':
      return `${run} ${builds} (older)`;
    case 'needs-hyperv':
    case 'pin-hyperv':
      return `${run} ${builds} without Hyper-V`;
    case 'no-arch':
      return `${run} on ${and([...new Set(hosts.map((h) => h.architecture))])}`;
    case 'pin-process':
      return `${run} ${builds}`;
    case 'hyperv-overhead':
      return `${one ? 'has' : 'have'} no room for the Hyper-V overhead`;
  }
}

/** Why a pod fits on none of the Windows nodes the isolation rules turned down, and what would fix it. */
export function explainMisses(misses: readonly HostMiss[], windowsNodes: number, pin: IsolationPin | undefined): string | undefined {
  if (misses.length === 0) return undefined;
  // the image that stops the most nodes
  const count = new Map<string, number>();
  for (const m of misses) count.set(m.miss.image.image, (count.get(m.miss.image.image) ?? 0) + 1);
  const top = [...count].sort((a, b) => b[1] - a[1])[0]?.[0];
  const mine = misses.filter((m) => m.miss.image.image === top);
  const img = (mine[0] as HostMiss).miss.image;
  const byKind = new Map<MissKind, WindowsHost[]>();
  for (const m of mine) {
    const l = byKind.get(m.miss.kind);
    if (l) l.push(m.host);
    else byKind.set(m.miss.kind, [m.host]);
  }
  const kinds = KIND_ORDER.filter((k) => byKind.has(k));
  const hostsOf = (...ks: MissKind[]) => ks.flatMap((k) => byKind.get(k) ?? []);

  const builds = windowsBuildsOf(img.platforms);
  let head = `image ${img.image} is built for Windows ${and(builds)}`;
  if (pin && (byKind.has('pin-process') || byKind.has('pin-hyperv')))
    head = `the pod asks for ${pin.isolation === 'process' ? 'process' : 'Hyper-V'} isolation (${pin.by}); ${head}`;

  const n = mine.length;
  const total = Math.max(windowsNodes, n);
  let nodes: string;
  if (kinds.length === 1) {
    const part = describe(
      kinds[0] as MissKind,
      mine.map((m) => m.host),
      n === 1,
    );
    if (n === total) nodes = n === 1 ? `the one Windows node ${part}` : `the ${n} Windows nodes ${part}`;
    else
      nodes = `${n} of the ${total} Windows nodes ${describe(
        kinds[0] as MissKind,
        mine.map((m) => m.host),
        false,
      )}`;
  } else {
    const parts = kinds.map((k) => {
      const hs = byKind.get(k) ?? [];
      return `${hs.length} ${describe(k, hs, hs.length === 1)}`;
    });
    nodes = `of the ${total} Windows nodes, ${and(parts)}`;
  }

  const fixes: string[] = [];
  if (byKind.has('older-host') || byKind.has('pin-process')) fixes.push(`add a node running ${or(builds)}`);
  if (byKind.has('no-arch')) {
    const arches = [...new Set(img.platforms.filter((p) => p.os === 'windows').map((p) => p.architecture))];
    fixes.push(`add a Windows node of ${or(arches)}`);
    fixes.push(`build the image for Windows on ${or([...new Set(hostsOf('no-arch').map((h) => h.architecture))])}`);
  }
  if (byKind.has('needs-hyperv') || byKind.has('pin-hyperv')) fixes.push(`add Hyper-V (${HANDLER_WINDOWS_HYPERV}) to a node`);
  if (byKind.has('hyperv-overhead')) fixes.push('free room on a node with Hyper-V');
  const rebuildFor = hostBuilds(hostsOf('older-host', 'needs-hyperv', 'pin-process')).pop();
  if (rebuildFor && !builds.includes(rebuildFor)) fixes.push(`rebuild the image for ${rebuildFor}`);
  if (pin && (byKind.has('pin-process') || byKind.has('pin-hyperv'))) fixes.push(`drop the pin (${pin.by})`);
  return `${head}; ${nodes}: ${orList(fixes)}`;
}

type Failed = Extract<PodImagesLookup, { state: 'failed' }>;

/** The short reason of the summary for an image whose facts cannot be read. */
export const failedSummary = (f: Failed) => `the platforms of image ${f.image} cannot be read from registry ${f.registry} (${f.reason})`;

/**
 * The registry's error in plain words and what to do about it: the facts' message already says
 * what to fix about credentials and names; the rest get the scheduler's part of the story.
 */
export function explainFailure(f: Failed): string {
  const msg = f.message.replace(/[.\s]+$/, '');
  switch (f.reason) {
    case 'RegistryUnauthorized':
    case 'ImageNotFound':
      return msg;
    case 'InvalidImageName':
      return `${msg}; fix the image reference in the pod's spec`;
    case 'InvalidManifest':
      return `${msg}; the image needs a valid image index or manifest`;
    case 'RegistryUnavailable':
    case 'RegistryError':
      return `${msg}; the scheduler asks the registry again after a back-off`;
  }
}

/** An image no Windows node can run: what it offers instead. */
export const explainUnusable = () => 'to run it on Windows nodes, build it for Windows (an index entry with os windows and an os.version)';
