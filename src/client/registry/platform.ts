// Which manifest of an image fits a node: os and architecture must be equal, the variant only when
// the node names one, and for Windows the image's os.version must share the host's major.minor.build
// (process isolation runs only on the same build); among equals the highest revision wins.
import type { ImageConfigDocument, ManifestDocument, Platform } from './media-types.js';

/** A node's platform; structurally the agent's ImagePlatform. */
export interface RegistryPlatform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
}

export class PlatformMismatchError extends Error {
  constructor(
    message: string,
    readonly available: RegistryPlatform[],
    readonly wanted: RegistryPlatform,
  ) {
    super(message);
    this.name = 'PlatformMismatchError';
  }
}

/** `windows/amd64 10.0.17763.1`, `linux/arm64/v8` */
function formatPlatform(p: RegistryPlatform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}${p.osVersion ? ` ${p.osVersion}` : ''}`;
}

const fromOci = (p: Platform): RegistryPlatform => ({
  os: p.os,
  architecture: p.architecture,
  ...(p.variant ? { variant: p.variant } : {}),
  ...(p['os.version'] ? { osVersion: p['os.version'] } : {}),
});

function versionParts(v: string | undefined): number[] {
  return (v ?? '').split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : -1));
}

/** `10.0.20348.2700` → `10.0.20348` */
const build = (v: string | undefined): string => versionParts(v).slice(0, 3).join('.');

function platformMatches(have: RegistryPlatform, want: RegistryPlatform): boolean {
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (want.variant && have.variant && have.variant !== want.variant) return false;
  if (want.os === 'windows' && want.osVersion) {
    if (!have.osVersion || versionParts(want.osVersion).length < 3) return false;
    return build(have.osVersion) === build(want.osVersion);
  }
  return true;
}

/** Orders equally fitting candidates: higher Windows revision first, an exact variant before none. */
function better(a: RegistryPlatform, b: RegistryPlatform, want: RegistryPlatform): number {
  const va = versionParts(a.osVersion);
  const vb = versionParts(b.osVersion);
  for (let i = 0; i < Math.max(va.length, vb.length); i++) {
    const d = (vb[i] ?? -1) - (va[i] ?? -1);
    if (d) return d;
  }
  const exact = (p: RegistryPlatform) => (want.variant && p.variant === want.variant ? 1 : 0);
  return exact(b) - exact(a);
}

function mismatch(image: string, available: RegistryPlatform[], want: RegistryPlatform): PlatformMismatchError {
  const has = available.length ? available.map(formatPlatform).join(', ') : 'no platforms';
  const needs =
    want.os === 'windows' && want.osVersion ? `${formatPlatform(want)} (Windows build ${build(want.osVersion)})` : formatPlatform(want);
  return new PlatformMismatchError(`image ${image} has no manifest for this node: it has ${has}; the node needs ${needs}`, available, want);
}

/** The index entry for `want`, or a PlatformMismatchError naming what the image offers. */
export function selectManifest(image: string, index: ManifestDocument & { kind: 'index' }, want: RegistryPlatform) {
  const candidates = index.manifests.filter((m) => m.platform && platformMatches(fromOci(m.platform), want));
  candidates.sort((a, b) => better(fromOci(a.platform as Platform), fromOci(b.platform as Platform), want));
  const found = candidates[0];
  if (found) return found;
  // attestation manifests (platform unknown/unknown) are not images; leave them out of the message
  const available = index.manifests.flatMap((m) => (m.platform && m.platform.os !== 'unknown' ? [fromOci(m.platform)] : []));
  throw mismatch(image, available, want);
}

/** Checks a single-manifest image's config against `want`. */
export function checkConfigPlatform(image: string, config: ImageConfigDocument, want: RegistryPlatform): void {
  const have = fromOci(config);
  if (!platformMatches(have, want)) throw mismatch(image, [have], want);
}
