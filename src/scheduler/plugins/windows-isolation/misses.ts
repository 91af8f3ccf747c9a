// Why a Windows node cannot run a pod's images, as one of a few kinds of miss: each kind has one
// short reason, the same on every node, so that the FailedScheduling summary counts the kinds over
// the fleet ("0/30 nodes are available: 10 node(s) run an older Windows build than the image, ...")
// and the plain explanation (explain.ts) can say what would fix each. The rules themselves are
// api/scheduling/windows-pod-isolation.ts; this only sorts their "no" into kinds.

import {
  entryFor,
  type ImagePlatformEntry,
  type ImagePlatforms,
  type IsolationPin,
  type WindowsHost,
} from '../../../api/scheduling/windows-pod-isolation.js';
import { parseWindowsVersion, windowsIsolation } from '../../../api/scheduling/windows-isolation.js';

export type MissKind = 'older-host' | 'needs-hyperv' | 'no-arch' | 'pin-process' | 'pin-hyperv' | 'hyperv-overhead';

export const MISS_REASONS: Readonly<Record<MissKind, string>> = {
  'older-host': 'node(s) run an older Windows build than the image',
  'needs-hyperv': 'node(s) need Hyper-V isolation for this image and have none',
  'no-arch': 'node(s) have no Windows entry of the image for their architecture',
  'pin-process': 'node(s) cannot run the image with the process isolation the pod asks for',
  'pin-hyperv': 'node(s) have no Hyper-V isolation, which the pod asks for',
  'hyperv-overhead': 'node(s) have no room for the Hyper-V overhead',
};

export interface Miss {
  kind: MissKind;
  /** the image that stops the pod on this node */
  image: ImagePlatforms;
}

/** Windows entries with a readable os.version for `architecture`. */
function windowsEntries(platforms: readonly ImagePlatformEntry[], architecture?: string): ImagePlatformEntry[] {
  return platforms.filter(
    (p) => p.os === 'windows' && (architecture === undefined || p.architecture === architecture) && parseWindowsVersion(p.osVersion ?? ''),
  );
}

/** Why an image cannot run on any Windows node (no usable Windows entry), or undefined when it can be judged. */
export function unusableImage(img: ImagePlatforms): string | undefined {
  if (windowsEntries(img.platforms).length > 0) return undefined;
  if (img.platforms.some((p) => p.os === 'windows'))
    return `image ${img.image} has Windows entries without an os.version, so its Windows build is unknown`;
  const offered = [...new Set(img.platforms.map((p) => `${p.os}/${p.architecture}`))];
  return `image ${img.image} has no Windows entry${offered.length ? ` (it offers ${offered.join(', ')})` : ''}`;
}

/** The kind of miss on a host where podIsolationOnHost found no isolation. */
export function classifyMiss(images: readonly ImagePlatforms[], host: WindowsHost, pin: IsolationPin | undefined): Miss {
  for (const image of images) {
    const mine = windowsEntries(image.platforms, host.architecture);
    if (mine.length === 0) return { kind: 'no-arch', image };
    const newer = (e: ImagePlatformEntry) => {
      const v = parseWindowsVersion(e.osVersion ?? '');
      return v !== undefined && windowsIsolation(v, host.build, true).possible.length === 0;
    };
    if (mine.every(newer)) return { kind: 'older-host', image };
  }
  // every image has an entry of the host's build or older: process isolation failed, Hyper-V is missing or refused
  const noProcess = images.find((i) => !entryFor(i.platforms, host, 'process')) ?? (images[0] as ImagePlatforms);
  if (pin?.isolation === 'process') return { kind: 'pin-process', image: noProcess };
  if (pin?.isolation === 'hyperv') return { kind: 'pin-hyperv', image: images[0] as ImagePlatforms };
  return { kind: 'needs-hyperv', image: noProcess };
}
