// Which manifest of an image a Windows container pulls for the isolation its sandbox runs with.
// Given a tag, containerd picks the index entry of the host's own build, which is wrong for a
// Hyper-V sandbox whose image is older than the host (containerd#8348): the pod never starts. So
// the agent reads the image's index (an ImageFactsSource), picks the entry this node runs with that
// isolation by the scheduler's rule (entryFor), and pulls and creates the container by that
// platform manifest's digest. When the index cannot be read it pulls the reference as given.

import {
  entryFor,
  windowsBuildsOf,
  type ImagePlatformEntry,
  type IsolationPin,
  type WindowsHost,
} from '../../api/scheduling/windows-pod-isolation.js';
import { formatWindowsVersion } from '../../api/scheduling/windows-isolation.js';
import type { RegistryAuth } from '../../client/registry/auth.js';
import { ImageFactsError, type ImageFactsSource } from '../../client/registry/image-facts.js';

export type ImageChoice =
  /** pull and create `ref` (repository@digest of the platform manifest); `note` says which entry and why */
  | { ref: string; note: string }
  /** pull the reference as given; `note` (a Normal event) says why when it was not by choice */
  | { ref?: undefined; note?: string }
  /** no entry of the image runs here with this isolation: the plain reason */
  | { noFit: string };

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isolationWords = (i: IsolationPin['isolation']) => (i === 'hyperv' ? 'Hyper-V' : 'process');

/** `host:5000/app:1.4@sha256:…` → `host:5000/app`: the repository as the user spelled it. */
export function repositoryOf(image: string): string {
  const at = image.indexOf('@');
  const name = at >= 0 ? image.slice(0, at) : image;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

function describe(e: ImagePlatformEntry): string {
  return `${e.os}/${e.architecture}${e.variant ? `/${e.variant}` : ''}${e.osVersion ? ` ${e.osVersion}` : ''}`;
}

function noFitReason(image: string, platforms: readonly ImagePlatformEntry[], host: WindowsHost, h: string, pin: IsolationPin): string {
  const all = windowsBuildsOf(platforms);
  const mine = windowsBuildsOf(platforms, host.architecture);
  const runs = `this node runs Windows ${h} (${host.architecture}) with ${isolationWords(pin.isolation)} isolation, as ${pin.by} asks`;
  if (all.length === 0 && platforms.some((p) => p.os === 'windows'))
    return `image "${image}" has Windows entries without an os.version, so their build is not known; ${runs}`;
  if (all.length === 0) {
    const offered = [...new Set(platforms.map((p) => `${p.os}/${p.architecture}`))].join(', ') || 'no platform at all';
    return `image "${image}" offers no Windows build (it offers ${offered}); ${runs}`;
  }
  if (mine.length === 0)
    return `image "${image}" offers Windows builds ${all.join(', ')} only for other architectures than ${host.architecture}; ${runs}`;
  const rule =
    pin.isolation === 'hyperv'
      ? `and Hyper-V isolation runs images of the node's build or older, never newer`
      : `and process isolation runs only images of the node's own build`;
  return `image "${image}" offers Windows builds ${mine.join(', ')}; ${runs}, ${rule}`;
}

/**
 * The reference to pull for `image` in a sandbox of `pin.isolation` on `host`. `host` undefined:
 * this node's Windows build is not known (yet), so nothing can be chosen.
 */
export async function imageForIsolation(
  facts: ImageFactsSource,
  image: string,
  auth: RegistryAuth | undefined,
  host: WindowsHost | undefined,
  pin: IsolationPin,
): Promise<ImageChoice> {
  const iso = isolationWords(pin.isolation);
  if (!host) return { note: `This node's Windows build is not known yet; pulling image "${image}" as given for ${iso} isolation` };
  let platforms: readonly ImagePlatformEntry[];
  let resolved: string;
  try {
    const f = await facts.get(image, auth);
    platforms = f.platforms;
    resolved = f.digest;
  } catch (e) {
    const why = e instanceof ImageFactsError ? `${e.reason} from ${e.registry}: ${e.message}` : errText(e);
    return {
      note:
        `Could not read which Windows builds image "${image}" offers (${why}); pulling it as given, ` +
        `so the runtime picks the entry for this node's own build`,
    };
  }
  const h = formatWindowsVersion({ ...host.build, revision: undefined });
  // the sandbox runs under this isolation's handler already: Hyper-V is there whatever the Node said last
  const entry = entryFor(platforms, { ...host, hyperv: host.hyperv || pin.isolation === 'hyperv' }, pin.isolation);
  if (!entry) return { noFit: noFitReason(image, platforms, host, h, pin) };
  // a plain manifest is its own only entry, and the facts name it by the digest they resolved
  const digest = entry.digest ?? (platforms.length === 1 ? resolved : undefined);
  if (!digest) return { note: `Image "${image}": its ${describe(entry)} entry has no digest; pulling it as given` };
  const ref = `${repositoryOf(image)}@${digest}`;
  return {
    ref,
    note: `Image "${image}": this Windows ${h} node runs its ${describe(entry)} entry with ${iso} isolation (${pin.by}); pulling ${ref}`,
  };
}
