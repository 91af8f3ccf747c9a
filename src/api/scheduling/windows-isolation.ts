// Which isolation lets a Windows container image run on a Windows host, decided from their builds
// (notes/windows.md §1.3, Microsoft's version-compatibility rules):
// - process isolation shares the host's kernel, so the image's build must be the host's build; the
//   one newer allowance: Windows Server 2022 images (20348) run process-isolated on Windows Server 2025
//   hosts (26100). On Windows Server 2016 (14393) the revisions (monthly updates) must match too;
//   from 1809 (17763) on they need not.
// - Hyper-V isolation gives the pod its own kernel, so an image of the host's build or older runs.
// - An image newer than the host never runs, in either mode.
// One pure function, used by the scheduler, the agent and the upgrade planner alike.

export type WindowsIsolation = 'process' | 'hyperv';

/** A Windows version: major.minor.build[.revision], e.g. 10.0.20348.2700. */
export interface WindowsVersion {
  major: number;
  minor: number;
  build: number;
  revision?: number;
}

export interface IsolationVerdict {
  /** the isolation to use: process when it may run that way, else hyperv; undefined when it cannot run */
  isolation?: WindowsIsolation;
  /** every isolation the image may run with on this host */
  possible: WindowsIsolation[];
  /** in plain words, why */
  reason: string;
}

/** `10.0.20348` or `10.0.20348.2700` (a bare build number too: `20348`); undefined when it is neither. */
export function parseWindowsVersion(text: string): WindowsVersion | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return { major: 10, minor: 0, build: Number(t) };
  const m = /^(\d+)\.(\d+)\.(\d+)(?:\.(\d+))?$/.exec(t);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), build: Number(m[3]), ...(m[4] !== undefined ? { revision: Number(m[4]) } : {}) };
}

export const formatWindowsVersion = (v: WindowsVersion): string =>
  `${v.major}.${v.minor}.${v.build}${v.revision !== undefined ? `.${v.revision}` : ''}`;

const WS2016 = 14393;
const WS2022 = 20348;
const WS2025 = 26100;

/** Whether an image of `image`'s build runs process-isolated on a host of `host`'s build, and why not. */
function processIsolation(image: WindowsVersion, host: WindowsVersion): string | undefined {
  const i = formatWindowsVersion({ ...image, revision: undefined });
  const h = formatWindowsVersion({ ...host, revision: undefined });
  if (image.major !== host.major || image.minor !== host.minor) return `the image is for Windows ${i}, the host runs ${h}`;
  if (image.build === host.build) {
    if (image.build === WS2016 && image.revision !== undefined && host.revision !== undefined && image.revision !== host.revision)
      return `on Windows Server 2016 (${WS2016}) process isolation needs the same revision, and the image has ${image.revision}, the host ${host.revision}`;
    return undefined;
  }
  if (image.build === WS2022 && host.build === WS2025) return undefined;
  return `process isolation needs the host's own build (${h}), and the image is built for ${i}`;
}

/** The isolation an image of build `image` runs with on a host of build `host` with or without Hyper-V. */
export function windowsIsolation(image: WindowsVersion, host: WindowsVersion, hypervAvailable: boolean): IsolationVerdict {
  const i = formatWindowsVersion({ ...image, revision: undefined });
  const h = formatWindowsVersion({ ...host, revision: undefined });
  const newer =
    image.major !== host.major
      ? image.major > host.major
      : image.minor !== host.minor
        ? image.minor > host.minor
        : image.build > host.build;
  if (newer) {
    return {
      possible: [],
      reason: `the image is built for Windows ${i}, newer than the host's ${h}: it runs on no older host, in either isolation`,
    };
  }
  const whyNotProcess = processIsolation(image, host);
  const possible: WindowsIsolation[] = [];
  if (!whyNotProcess) possible.push('process');
  if (hypervAvailable) possible.push('hyperv');
  if (!whyNotProcess) {
    const how =
      image.build === host.build
        ? `the host's own build ${h}`
        : `Windows Server 2022 (${i}) on a Windows Server 2025 host (${h}), which runs it`;
    return { isolation: 'process', possible, reason: `process isolation: the image is built for ${how}` };
  }
  if (hypervAvailable)
    return {
      isolation: 'hyperv',
      possible,
      reason: `Hyper-V isolation: ${whyNotProcess}; in its own utility VM an image of the host's build or older runs`,
    };
  return { possible, reason: `${whyNotProcess}, and the host has no Hyper-V isolation (runhcs-wcow-hypervisor) to run it in its own VM` };
}
