// What this Tandem is: its release (package.json's version), the commit it was built from where that
// can be known, when it was built, and the Kubernetes release whose API it serves. The API server's
// /version and `tandem version` both read it here, so a bug report and the server agree.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Kubernetes release whose API Tandem serves. Clients choose behaviour by its minor (kubectl
 * version dispatchers pick their kubectl by it, client libraries their skew warnings).
 */
export const KUBERNETES_RELEASE = { major: '1', minor: '32', patch: '0' } as const;

export interface BuildInfo {
  /** package.json's version, e.g. 0.1.0 */
  version: string;
  /** the full commit id, '' when it cannot be known */
  gitCommit: string;
  /** whether tracked files differ from that commit (only a checkout can tell), else '' */
  gitTreeState: '' | 'clean' | 'dirty';
  /** when the code was last compiled: RFC 3339, UTC, whole seconds */
  buildDate: string;
}

/** Where package.json is: this file is compiled to dist/src/base/, three levels below it. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const COMMIT = /^[0-9a-f]{7,64}$/i;

const readText = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** A checkout's git directory: `.git` itself, or where a worktree's `.git` file points (`gitdir: PATH`). */
function gitDirOf(root: string): string | undefined {
  const dotGit = join(root, '.git');
  if (!existsSync(dotGit)) return undefined;
  if (statSync(dotGit).isDirectory()) return dotGit;
  const m = /^gitdir:\s*(.+)$/m.exec(readText(dotGit) ?? '');
  if (!m?.[1]) return undefined;
  const dir = m[1].trim();
  return isAbsolute(dir) ? dir : resolve(root, dir);
}

/**
 * HEAD's commit read from the files, so that neither a git binary nor a subprocess is needed: a
 * detached HEAD holds the id, else the branch it names is a loose ref (in a worktree, under the
 * common directory) or a line of packed-refs.
 */
export function headCommit(root: string): string | undefined {
  const gitDir = gitDirOf(root);
  if (!gitDir) return undefined;
  const head = readText(join(gitDir, 'HEAD'))?.trim() ?? '';
  if (COMMIT.test(head)) return head;
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (!ref) return undefined;
  const common = readText(join(gitDir, 'commondir'))?.trim();
  const dirs = [gitDir, ...(common ? [resolve(gitDir, common)] : [])];
  for (const d of dirs) {
    const loose = readText(join(d, ref))?.trim();
    if (loose && COMMIT.test(loose)) return loose;
  }
  for (const d of dirs) {
    for (const line of (readText(join(d, 'packed-refs')) ?? '').split('\n')) {
      const [id, name] = line.trim().split(/\s+/);
      if (name === ref && id && COMMIT.test(id)) return id;
    }
  }
  return undefined;
}

/** 'dirty' when tracked files differ from HEAD; '' when git cannot answer (not installed, too slow). */
function treeState(root: string): BuildInfo['gitTreeState'] {
  try {
    const out = execFileSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    });
    return out.trim() ? 'dirty' : 'clean';
  } catch {
    return '';
  }
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The build facts of the Tandem at `root` (default: this one), from the files and the environment given. */
export function readBuildInfo(root: string = PACKAGE_ROOT, env: NodeJS.ProcessEnv = process.env): BuildInfo {
  let pkg: { version?: unknown; gitHead?: unknown } = {};
  try {
    pkg = JSON.parse(readText(join(root, 'package.json')) ?? '{}') as typeof pkg;
  } catch {
    /* unreadable: the version says so below */
  }
  const version = typeof pkg.version === 'string' ? pkg.version : '0.0.0-unknown';
  // a build outside a checkout (a package, an image) says its commit through the environment or npm's gitHead
  const fromEnv = env['TANDEM_GIT_COMMIT']?.trim();
  const fromCheckout = fromEnv ? undefined : headCommit(root);
  const fromPackage = typeof pkg.gitHead === 'string' && COMMIT.test(pkg.gitHead) ? pkg.gitHead : undefined;
  const gitCommit = (fromEnv && COMMIT.test(fromEnv) ? fromEnv : undefined) ?? fromCheckout ?? fromPackage ?? '';
  // tsc's incremental record is rewritten by every build; an installed package has only the compiled files
  const stamp = [join(root, 'dist', '.tsbuildinfo'), fileURLToPath(import.meta.url)].find((f) => existsSync(f));
  return {
    version,
    gitCommit,
    gitTreeState: fromCheckout ? treeState(root) : '',
    buildDate: rfc3339(stamp ? statSync(stamp).mtime : new Date(0)),
  };
}

let cached: BuildInfo | undefined;
/** This Tandem's build facts, read once per process. */
export function buildInfo(): BuildInfo {
  cached ??= readBuildInfo();
  return cached;
}

/**
 * The Kubernetes-style gitVersion of a Tandem release: `v1.32.0-tandem.0.1.0`. It stays a strict
 * semantic version (kubectl parses it for its version skew warning and skips the check otherwise):
 * characters a pre-release identifier cannot hold become '-'.
 */
export function kubernetesGitVersion(tandemVersion: string): string {
  const { major, minor, patch } = KUBERNETES_RELEASE;
  const ids = tandemVersion
    .replace(/[^0-9A-Za-z.-]/g, '-')
    .split('.')
    .filter(Boolean)
    // a numeric identifier must not have leading zeros
    .map((id) => (/^\d+$/.test(id) ? id.replace(/^0+(?=\d)/, '') : id));
  return `v${major}.${minor}.${patch}-tandem${ids.length ? `.${ids.join('.')}` : ''}`;
}

/** This host as Kubernetes names platforms (GOOS/GOARCH): `linux/amd64`, `windows/arm64`. */
export function kubernetesPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === 'win32' ? 'windows' : platform;
  const goArch = ({ x64: 'amd64', ia32: '386' } as Record<string, string>)[arch] ?? arch;
  return `${os}/${goArch}`;
}
