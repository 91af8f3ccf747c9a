// How a container of the process runtime becomes a command line on the host: argv from the image
// config and the container (Docker's and the CRI's merge), the environment (image, then container,
// then the runtime's own variables), the working directory, and where argv[0] is found: inside the
// container's directory first (its root, its working directory, the image's PATH inside it), then
// on the host's PATH; on Windows each candidate also with the PATHEXT extensions. Pure: the OS and
// a file test are injected, so the Windows rules are unit-tested on Linux.

import { posix, win32 } from 'node:path';
import type { ProcessImageConfig } from '../../images/image-source.js';

export type ProcessOs = 'linux' | 'windows';

export class CommandNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandNotFoundError';
  }
}

const pathOf = (os: ProcessOs) => (os === 'windows' ? win32 : posix);

/**
 * Docker/CRI: a container command replaces the image entrypoint and drops its cmd; container args
 * replace the image cmd; without a command, entrypoint + (args or cmd).
 */
export function mergeArgv(command: string[], args: string[], image: Pick<ProcessImageConfig, 'entrypoint' | 'cmd'>): string[] {
  if (command.length > 0) return [...command, ...args];
  return [...image.entrypoint, ...(args.length > 0 ? args : image.cmd)];
}

/** `KEY=value` entries of the image, then the container's variables (the container wins). */
export function mergeEnv(os: ProcessOs, imageEnv: string[], containerEnv: { key: string; value: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  // Windows variable names are case-insensitive: the later entry replaces an earlier one of any case
  const set = (k: string, v: string) => {
    if (os === 'windows') for (const have of Object.keys(out)) if (have.toLowerCase() === k.toLowerCase()) delete out[have];
    out[k] = v;
  };
  for (const e of imageEnv) {
    const i = e.indexOf('=');
    if (i > 0) set(e.slice(0, i), e.slice(i + 1));
  }
  for (const e of containerEnv) set(e.key, e.value);
  return out;
}

export function envGet(env: Record<string, string>, os: ProcessOs, key: string): string | undefined {
  if (os !== 'windows') return env[key];
  const k = Object.keys(env).find((x) => x.toLowerCase() === key.toLowerCase());
  return k === undefined ? undefined : env[k];
}

/** A path the container names (absolute in its own terms) as a path under its directory. */
export function insideRoot(os: ProcessOs, root: string, p: string): string {
  const path = pathOf(os);
  const rel = os === 'windows' ? p.replace(/^[a-zA-Z]:/, '').replace(/^[\\/]+/, '') : p.replace(/^\/+/, '');
  const out = path.resolve(root, rel);
  const base = path.resolve(root);
  if (out !== base && !out.startsWith(base + path.sep)) throw new Error(`path ${p} leaves the container directory`);
  return out;
}

/**
 * The working directory: the container's workingDir (a relative one inside the container's
 * directory, an absolute one as the host path it names), else the image's (inside the directory
 * when it exists there), else the directory itself.
 */
export function workingDirectory(
  os: ProcessOs,
  root: string,
  containerWorkingDir: string | undefined,
  imageWorkingDir: string,
  isDir: (p: string) => boolean,
): string {
  const path = pathOf(os);
  if (containerWorkingDir) return path.isAbsolute(containerWorkingDir) ? containerWorkingDir : path.resolve(root, containerWorkingDir);
  if (imageWorkingDir) {
    const inside = insideRoot(os, root, imageWorkingDir);
    if (isDir(inside)) return inside;
  }
  return root;
}

export interface ResolveInputs {
  os: ProcessOs;
  /** the container's directory (the unpacked image) */
  root: string;
  cwd: string;
  /** the container's PATH (image and container env): its entries are looked up inside the root */
  containerPath?: string;
  /** the host's PATH */
  hostPath?: string;
  /** Windows PATHEXT, default `.COM;.EXE;.BAT;.CMD` */
  pathExt?: string;
  isFile: (p: string) => boolean;
}

/** Where argv[0] is: the first existing candidate; CommandNotFoundError names what was tried. */
export function resolveCommand(cmd: string, i: ResolveInputs): string {
  if (!cmd) throw new CommandNotFoundError('the container has no command: neither the pod nor the image names one');
  const path = pathOf(i.os);
  const sep = i.os === 'windows' ? ';' : ':';
  const split = (s: string | undefined) => (s ?? '').split(sep).filter(Boolean);
  const dirs: string[] = [];
  let bases: string[];
  if (path.isAbsolute(cmd) || (i.os === 'windows' && /^[a-zA-Z]:/.test(cmd))) {
    bases = [insideRoot(i.os, i.root, cmd), cmd];
  } else if (/[\\/]/.test(i.os === 'windows' ? cmd : cmd.replace(/\\/g, ''))) {
    bases = [path.resolve(i.cwd, cmd), path.resolve(i.root, cmd)];
  } else {
    dirs.push(i.root, i.cwd);
    for (const d of split(i.containerPath)) {
      try {
        dirs.push(insideRoot(i.os, i.root, d));
      } catch {
        /* an entry with `..`: ignored */
      }
    }
    dirs.push(...split(i.hostPath));
    bases = [...new Set(dirs)].map((d) => path.join(d, cmd));
  }
  const tried: string[] = [];
  for (const b of bases) {
    for (const c of withExtensions(b, i)) {
      tried.push(c);
      if (i.isFile(c)) return c;
    }
  }
  const where = dirs.length ? `in the container directory or on PATH` : `at ${[...new Set(bases)].join(' or ')}`;
  throw new CommandNotFoundError(`executable file "${cmd}" not found ${where} (tried ${tried.length} candidates)`);
}

function withExtensions(base: string, i: ResolveInputs): string[] {
  if (i.os !== 'windows') return [base];
  const exts = (i.pathExt || '.COM;.EXE;.BAT;.CMD')
    .split(';')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean);
  const has = exts.includes(win32.extname(base).toLowerCase());
  return has ? [base] : [base, ...exts.map((e) => base + e)];
}

/** What to spawn for a resolved argv: Windows batch files run through cmd.exe (Node refuses to spawn them directly). */
export function launchFor(
  os: ProcessOs,
  argv: string[],
  comSpec = 'cmd.exe',
): { file: string; args: string[]; windowsVerbatimArguments: boolean } {
  const [file = '', ...args] = argv;
  if (os === 'windows' && /\.(cmd|bat)$/i.test(file)) {
    const line = argv.map(quoteForCmd).join(' ');
    return { file: comSpec, args: ['/d', '/s', '/c', `"${line}"`], windowsVerbatimArguments: true };
  }
  return { file, args, windowsVerbatimArguments: false };
}

/** One argument of a cmd.exe command line: quoted when it holds a blank or a cmd metacharacter. */
export function quoteForCmd(a: string): string {
  if (a !== '' && !/[\s"&|<>^()%!,;=]/.test(a)) return a;
  return `"${a.replace(/"/g, '""')}"`;
}
