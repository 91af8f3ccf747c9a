// The isolation rules of windows-isolation.ts lifted from one image build to a whole pod on one
// node: which entry of each image's index the node would run, whether the pod runs process- or
// Hyper-V-isolated there (one sandbox, so one isolation for all its containers), and why not, in
// plain words. Pure: the scheduler's WindowsIsolation plugin, the agent (which manifest to pull for
// the chosen isolation) and the upgrade planner all decide with these functions.

import type { Node, Pod } from '../gen/types.js';
import {
  ANNOTATION_ISOLATION,
  ANNOTATION_WINDOWS_ISOLATION,
  HANDLER_WINDOWS_HYPERV,
  HANDLER_WINDOWS_PROCESS,
  LABEL_ARCH,
  LABEL_WINDOWS_BUILD,
} from '../well-known.js';
import {
  formatWindowsVersion,
  parseWindowsVersion,
  windowsIsolation,
  type WindowsIsolation,
  type WindowsVersion,
} from './windows-isolation.js';

/** One entry of an image index (or the one manifest of a plain image): structurally the registry client's. */
export interface ImagePlatformEntry {
  os: string;
  architecture: string;
  variant?: string;
  /** Windows: major.minor.build.revision */
  osVersion?: string;
  /** the platform manifest's digest */
  digest?: string;
}

/** What an image offers: its reference and the entries of its index. */
export interface ImagePlatforms {
  image: string;
  platforms: readonly ImagePlatformEntry[];
}

/** A Windows node as the isolation rules see it. */
export interface WindowsHost {
  name: string;
  build: WindowsVersion;
  architecture: string;
  /** `runhcs-wcow-hypervisor` among its runtime handlers */
  hyperv: boolean;
}

/** An isolation the pod asked for itself, and how it asked. */
export interface IsolationPin {
  isolation: WindowsIsolation;
  /** e.g. `RuntimeClass "hyperv" (handler runhcs-wcow-hypervisor)` */
  by: string;
}

export interface PodIsolationVerdict {
  /** undefined: the pod cannot run on this node */
  isolation?: WindowsIsolation;
  /** per image (same order), the entry the node runs with that isolation */
  entries: Array<ImagePlatformEntry | undefined>;
  /** plain words: why this isolation, or why not at all */
  reason: string;
}

const build3 = (v: WindowsVersion) => formatWindowsVersion({ ...v, revision: undefined });

/** The node's Windows build (kernelVersion when it carries the revision, else the build label), architecture and Hyper-V. */
export function windowsHostOf(node: Pick<Node, 'metadata' | 'status'>): WindowsHost | undefined {
  const labels = node.metadata.labels ?? {};
  const fromLabel = parseWindowsVersion(labels[LABEL_WINDOWS_BUILD] ?? '');
  const fromKernel = parseWindowsVersion(node.status?.nodeInfo?.kernelVersion ?? '');
  let build = fromLabel;
  if (fromKernel && (!fromLabel || build3(fromKernel) === build3(fromLabel))) build = fromKernel;
  if (!build) return undefined;
  return {
    name: node.metadata.name ?? '',
    build,
    architecture: labels[LABEL_ARCH] ?? node.status?.nodeInfo?.architecture ?? 'amd64',
    hyperv: (node.status?.runtimeHandlers ?? []).some((h) => h.name === HANDLER_WINDOWS_HYPERV),
  };
}

/**
 * The isolation a pod pins, if any: a RuntimeClass with a `runhcs-*` handler, the legacy annotation
 * `experimental.windows.kubernetes.io/isolation-type: hyperv`, or `tandem.dev/isolation`.
 * Pins that disagree are an error (a string), never a silent choice.
 */
export function isolationPin(
  pod: Pick<Pod, 'metadata' | 'spec'>,
  runtimeClass?: { name: string; handler: string },
): IsolationPin | string | undefined {
  const pins: IsolationPin[] = [];
  if (runtimeClass?.handler === HANDLER_WINDOWS_PROCESS)
    pins.push({ isolation: 'process', by: `RuntimeClass "${runtimeClass.name}" (handler ${HANDLER_WINDOWS_PROCESS})` });
  if (runtimeClass?.handler === HANDLER_WINDOWS_HYPERV)
    pins.push({ isolation: 'hyperv', by: `RuntimeClass "${runtimeClass.name}" (handler ${HANDLER_WINDOWS_HYPERV})` });
  const a = pod.metadata.annotations ?? {};
  if (a[ANNOTATION_WINDOWS_ISOLATION] === 'hyperv')
    pins.push({ isolation: 'hyperv', by: `annotation ${ANNOTATION_WINDOWS_ISOLATION}: hyperv` });
  const own = a[ANNOTATION_ISOLATION];
  if (own !== undefined) {
    if (own !== 'process' && own !== 'hyperv')
      return `annotation ${ANNOTATION_ISOLATION} must be process or hyperv, not ${JSON.stringify(own)}`;
    pins.push({ isolation: own, by: `annotation ${ANNOTATION_ISOLATION}: ${own}` });
  }
  const first = pins[0];
  const other = pins.find((p) => p.isolation !== first?.isolation);
  if (first && other) return `the pod asks for two isolations: ${first.isolation} by ${first.by} and ${other.isolation} by ${other.by}`;
  return first;
}

/** The handler a sandbox of this isolation runs under (containerd on Windows). */
export const handlerForIsolation = (i: WindowsIsolation): string => (i === 'hyperv' ? HANDLER_WINDOWS_HYPERV : HANDLER_WINDOWS_PROCESS);

interface Candidate {
  entry: ImagePlatformEntry;
  version: WindowsVersion;
}

function windowsCandidates(platforms: readonly ImagePlatformEntry[], architecture: string): Candidate[] {
  const out: Candidate[] = [];
  for (const entry of platforms) {
    if (entry.os !== 'windows' || entry.architecture !== architecture) continue;
    const version = parseWindowsVersion(entry.osVersion ?? '');
    if (version) out.push({ entry, version });
  }
  return out;
}

/** Newer first: build, then revision. */
const newerFirst = (a: Candidate, b: Candidate) =>
  b.version.major - a.version.major ||
  b.version.minor - a.version.minor ||
  b.version.build - a.version.build ||
  (b.version.revision ?? -1) - (a.version.revision ?? -1);

/**
 * The entry of one image a host runs with `isolation`: for process isolation its own build (the
 * highest revision) before the WS2022-on-WS2025 allowance; for Hyper-V the newest entry not newer
 * than the host (the image's own build, not the host's: the pull containerd#8348 gets wrong).
 */
export function entryFor(
  platforms: readonly ImagePlatformEntry[],
  host: Omit<WindowsHost, 'name'>,
  isolation: WindowsIsolation,
): ImagePlatformEntry | undefined {
  const c = windowsCandidates(platforms, host.architecture).sort(newerFirst);
  if (isolation === 'process') {
    const fits = c.filter((x) => windowsIsolation(x.version, host.build, false).isolation === 'process');
    return (fits.find((x) => x.version.build === host.build.build) ?? fits[0])?.entry;
  }
  if (!host.hyperv) return undefined;
  return c.find((x) => windowsIsolation(x.version, host.build, true).possible.includes('hyperv'))?.entry;
}

/** `10.0.17763, 10.0.20348` from an image's Windows entries (builds only, each once, oldest first). */
export function windowsBuildsOf(platforms: readonly ImagePlatformEntry[], architecture?: string): string[] {
  const set = new Map<string, WindowsVersion>();
  for (const e of platforms) {
    if (e.os !== 'windows' || (architecture && e.architecture !== architecture)) continue;
    const v = parseWindowsVersion(e.osVersion ?? '');
    if (v) set.set(build3(v), v);
  }
  return [...set.entries()].sort((a, b) => a[1].major - b[1].major || a[1].minor - b[1].minor || a[1].build - b[1].build).map(([k]) => k);
}

/** Why one image cannot run on `host` at all (neither isolation), in plain words. */
function whyNot(img: ImagePlatforms, host: WindowsHost): string {
  const h = build3(host.build);
  const all = windowsBuildsOf(img.platforms);
  if (all.length === 0) {
    const offered = [...new Set(img.platforms.map((p) => `${p.os}/${p.architecture}`))];
    return `image ${img.image} has no Windows entry${offered.length ? ` (it offers ${offered.join(', ')})` : ''}`;
  }
  const mine = windowsBuildsOf(img.platforms, host.architecture);
  if (mine.length === 0) return `image ${img.image} has no Windows entry for ${host.architecture}`;
  const c = windowsCandidates(img.platforms, host.architecture).sort(newerFirst);
  const v = windowsIsolation((c[c.length - 1] as Candidate).version, host.build, host.hyperv);
  if (v.isolation === undefined && c.every((x) => newerFirst(x, { entry: x.entry, version: host.build }) < 0))
    return `image ${img.image} is built for Windows ${mine.join(', ')}, newer than the node's ${h}`;
  return `image ${img.image} is built for Windows ${mine.join(', ')}; ${v.reason}`;
}

/** The isolation a pod gets on one Windows host: process where every image may run so, else Hyper-V, honouring a pin. */
export function podIsolationOnHost(images: readonly ImagePlatforms[], host: WindowsHost, pin?: IsolationPin): PodIsolationVerdict {
  const h = build3(host.build);
  const proc = images.map((i) => entryFor(i.platforms, host, 'process'));
  const hv = images.map((i) => entryFor(i.platforms, host, 'hyperv'));
  const procOk = proc.every(Boolean);
  const hvOk = host.hyperv && hv.every(Boolean);
  const names = images.map((i) => i.image).join(', ');
  const want = pin?.isolation;
  if ((want === undefined || want === 'process') && procOk) {
    const builds = [...new Set(proc.map((e) => build3(parseWindowsVersion(e?.osVersion ?? '') as WindowsVersion)))];
    const how = builds.every((b) => b === h)
      ? `the node's own build ${h}`
      : `Windows ${builds.join(', ')}, which a ${h} node runs process-isolated`;
    return {
      isolation: 'process',
      entries: proc,
      reason: `process isolation: ${names} ${images.length > 1 ? 'are' : 'is'} built for ${how}`,
    };
  }
  if ((want === undefined || want === 'hyperv') && hvOk) {
    const builds = [...new Set(hv.map((e) => build3(parseWindowsVersion(e?.osVersion ?? '') as WindowsVersion)))];
    const why = want === 'hyperv' ? `asked for by ${pin?.by}` : `process isolation needs the node's own build ${h}`;
    return {
      isolation: 'hyperv',
      entries: hv,
      reason: `Hyper-V isolation: ${names} ${images.length > 1 ? 'are' : 'is'} built for Windows ${builds.join(', ')} and the node runs ${h}; ${why}, and in its own utility VM an older image runs`,
    };
  }
  // cannot run here: name the first image that stops it
  if (want === 'process') {
    const i = proc.findIndex((e) => !e);
    const img = images[i] as ImagePlatforms;
    const builds = windowsBuildsOf(img.platforms, host.architecture);
    return {
      entries: proc,
      reason: builds.length
        ? `${pin?.by} asks for process isolation, and image ${img.image} (Windows ${builds.join(', ')}) runs process-isolated only on its own build, not on the node's ${h}`
        : whyNot(img, host),
    };
  }
  if (want === 'hyperv' && !host.hyperv)
    return { entries: hv, reason: `${pin?.by} asks for Hyper-V isolation, and the node has no ${HANDLER_WINDOWS_HYPERV} handler` };
  const i = hv.findIndex((e) => !e) >= 0 ? hv.findIndex((e) => !e) : proc.findIndex((e) => !e);
  const img = images[Math.max(0, i)] as ImagePlatforms;
  if (hv[Math.max(0, i)] === undefined && !host.hyperv && windowsBuildsOf(img.platforms, host.architecture).length) {
    const anyOlder = windowsCandidates(img.platforms, host.architecture).some(
      (x) => windowsIsolation(x.version, host.build, true).possible.length > 0,
    );
    if (anyOlder)
      return {
        entries: proc,
        reason: `image ${img.image} is built for Windows ${windowsBuildsOf(img.platforms, host.architecture).join(', ')}, older than the node's ${h}: it needs Hyper-V isolation, and the node has no ${HANDLER_WINDOWS_HYPERV} handler`,
      };
  }
  return { entries: proc, reason: whyNot(img, host) };
}
