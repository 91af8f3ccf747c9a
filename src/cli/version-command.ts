// `tandem version`: what this Tandem is and what it runs on, for bug reports and for checking an
// install: Tandem's release and commit, the Kubernetes API it serves, Node.js, the OS (and Windows
// build), and the containerd a node agent on this host would use, when one answers.

import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { buildInfo, KUBERNETES_RELEASE, kubernetesGitVersion, kubernetesPlatform, type BuildInfo } from '../base/build-info.js';

export interface VersionReport {
  tandem: BuildInfo;
  kubernetes: { major: string; minor: string; gitVersion: string };
  node: string;
  /** platform as Kubernetes writes it (linux/amd64), the kernel release, the distribution or product name, the Windows build */
  os: { platform: string; release: string; name: string; windowsBuild?: string };
  /** the containerd that answered, or what was tried (and why it did not answer) */
  containerd: { version: string; endpoint: string } | { version: null; tried: string[] };
}

/** How long one containerd endpoint may take to answer: the command is for people, not worth a wait. */
const CONTAINERD_DEADLINE_MS = 1500;

/**
 * Where a node agent of this host finds containerd: the private one `tandem up` / `tandem agent`
 * start under DATA/agent (Linux), the system's socket, or the Windows service's named pipe.
 */
function containerdEndpoints(dataDir: string, platform: NodeJS.Platform = process.platform): string[] {
  if (platform === 'linux')
    return [`unix://${join(dataDir, 'agent', 'containerd', 'containerd.sock')}`, 'unix:///run/containerd/containerd.sock'];
  if (platform === 'win32') return ['npipe:////./pipe/containerd-containerd'];
  return [];
}

/** The CRI's answer at `endpoint` ("1.6.20~ds1", or "NAME VERSION" for a runtime other than containerd), or why there is none. */
export async function askContainerd(endpoint: string): Promise<{ version: string } | { error: string }> {
  if (endpoint.startsWith('unix://') && !existsSync(endpoint.slice('unix://'.length))) return { error: 'no socket' };
  const { createCriRuntime } = await import('../agent/runtime/cri/index.js');
  const cri = createCriRuntime(endpoint, { deadlineMs: CONTAINERD_DEADLINE_MS });
  try {
    const v = await cri.version();
    return { version: v.runtimeName === 'containerd' ? v.runtimeVersion : `${v.runtimeName} ${v.runtimeVersion}` };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  } finally {
    await cri.close();
  }
}

async function findContainerd(endpoints: string[]): Promise<VersionReport['containerd']> {
  const tried: string[] = [];
  for (const endpoint of endpoints) {
    const r = await askContainerd(endpoint);
    if ('version' in r) return { version: r.version, endpoint };
    tried.push(`${endpoint}: ${r.error}`);
  }
  return { version: null, tried };
}

/** The distribution's name (Linux: os-release's PRETTY_NAME) or the product's (Windows), else the kernel's build string. */
function osName(): string {
  if (process.platform === 'linux') {
    for (const f of ['/etc/os-release', '/usr/lib/os-release']) {
      try {
        const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync(f, 'utf8'));
        if (m?.[1]) return m[1];
      } catch {
        /* next */
      }
    }
  }
  return os.version();
}

export async function collectVersion(o: { dataDir: string; containerd?: string }): Promise<VersionReport> {
  const tandem = buildInfo();
  const release = os.release();
  return {
    tandem,
    kubernetes: { major: KUBERNETES_RELEASE.major, minor: KUBERNETES_RELEASE.minor, gitVersion: kubernetesGitVersion(tandem.version) },
    node: process.version,
    // Windows' os.release() is the build (10.0.20348), which decides which container images run
    os: { platform: kubernetesPlatform(), release, name: osName(), ...(process.platform === 'win32' ? { windowsBuild: release } : {}) },
    containerd: await findContainerd(o.containerd ? [o.containerd] : containerdEndpoints(o.dataDir)),
  };
}

export function renderVersion(r: VersionReport): string {
  const t = r.tandem;
  const commit = t.gitCommit ? `commit ${t.gitCommit}${t.gitTreeState === 'dirty' ? ', with uncommitted changes' : ''}` : 'commit unknown';
  const { major, minor, gitVersion } = r.kubernetes;
  const system = r.os.windowsBuild
    ? `${r.os.platform}, build ${r.os.windowsBuild} (${r.os.name})`
    : `${r.os.platform}, kernel ${r.os.release} (${r.os.name})`;
  const ctrd =
    r.containerd.version !== null
      ? `${r.containerd.version} at ${r.containerd.endpoint}`
      : `not found (${r.containerd.tried.join('; ') || 'none on this OS'})`;
  return [
    `Tandem:      ${t.version} (${commit}; built ${t.buildDate})`,
    `Kubernetes:  API ${major}.${minor} (the API server reports ${gitVersion})`,
    `Node.js:     ${r.node}`,
    `OS:          ${system}`,
    `containerd:  ${ctrd}`,
  ].join('\n');
}
